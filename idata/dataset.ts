/**
 * Dataset: an ordered collection of variables sharing named dimensions, like
 * `xarray.Dataset`.
 *
 * @module
 */
import { datasetBundle, type MimeBundle } from "../display/mod.ts";
import { resolveSelector, type Selector, selectVariable } from "./_select.ts";
import { type Coord, rangeCoord, validateVariable, type Variable } from "./types.ts";
import { BrmstsInputError } from "../errors.ts";

/**
 * A map or a record: accepted wherever a keyed collection is expected.
 *
 * @example
 * ```ts
 * import type { Keyed } from "./dataset.ts";
 * const coords: Keyed<string[]> = { obs_id: ["a", "b"] };
 * ```
 */
export type Keyed<T> = ReadonlyMap<string, T> | Readonly<Record<string, T>>;

function toMap<T>(x: Keyed<T> | undefined): Map<string, T> {
  if (x === undefined) return new Map();
  if (x instanceof Map) return new Map(x);
  return new Map(Object.entries(x as Record<string, T>));
}

/**
 * An ordered set of {@link Variable}s with coordinates for every dimension they use and
 * free-form attributes. Immutable: methods return new datasets that share data with this one.
 *
 * Every dimension used by a variable gets a coordinate; missing ones default to `0..n-1`.
 *
 * @example
 * ```ts
 * import { Dataset } from "./dataset.ts";
 * const ds = new Dataset(
 *   { mu: { dims: ["chain", "draw"], shape: [2, 3], data: new Float64Array(6) } },
 *   { chain: [0, 1] },
 *   { inference_library: "brms" },
 * );
 * ds.sizes; // { chain: 2, draw: 3 }
 * ds.coords.get("draw"); // [0, 1, 2]
 * ```
 */
export class Dataset {
  /** Variables in insertion order. */
  readonly vars: ReadonlyMap<string, Variable>;
  /** Coordinate labels of every dimension used by the variables. */
  readonly coords: ReadonlyMap<string, Coord>;
  /** Dataset attributes. */
  readonly attrs: Readonly<Record<string, unknown>>;

  /**
   * Builds a dataset; throws when variables disagree on a dimension's length or a
   * coordinate has the wrong length.
   */
  constructor(
    vars: Keyed<Variable>,
    coords?: Keyed<Coord>,
    attrs?: Readonly<Record<string, unknown>>,
  ) {
    const v = toMap(vars);
    const given = toMap(coords);
    const sizes = new Map<string, number>();
    for (const [name, x] of v) {
      validateVariable(x, `variable "${name}"`);
      x.dims.forEach((d, i) => {
        const n = sizes.get(d);
        if (n !== undefined && n !== x.shape[i]) {
          throw new BrmstsInputError(
            `variable "${name}": dimension "${d}" has length ${x.shape[i]}, elsewhere ${n}`,
          );
        }
        sizes.set(d, x.shape[i]);
      });
    }
    const c = new Map<string, Coord>();
    for (const [d, n] of sizes) {
      const labels = given.get(d);
      if (labels !== undefined && labels.length !== n) {
        throw new BrmstsInputError(
          `coordinate "${d}" has ${labels.length} labels, dimension length ${n}`,
        );
      }
      c.set(d, labels ?? rangeCoord(n));
    }
    this.vars = v;
    this.coords = c;
    this.attrs = { ...(attrs ?? {}) };
  }

  /**
   * Length of every dimension.
   *
   * @example
   * ```ts
   * import { Dataset } from "./dataset.ts";
   * new Dataset({ x: { dims: ["obs_id"], shape: [3], data: new Float64Array(3) } }).sizes;
   * // { obs_id: 3 }
   * ```
   */
  get sizes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [d, labels] of this.coords) out[d] = labels.length;
    return out;
  }

  /**
   * Variable names in order.
   *
   * @example
   * ```ts
   * import { Dataset } from "./dataset.ts";
   * new Dataset({ a: { dims: [], shape: [], data: new Float64Array(1) } }).varNames(); // ["a"]
   * ```
   */
  varNames(): string[] {
    return [...this.vars.keys()];
  }

  /**
   * Whether a variable exists.
   *
   * @example
   * ```ts
   * import { Dataset } from "./dataset.ts";
   * new Dataset({}).has("mu"); // false
   * ```
   */
  has(name: string): boolean {
    return this.vars.has(name);
  }

  /**
   * A variable by name; throws if absent.
   *
   * @example
   * ```ts
   * import { Dataset } from "./dataset.ts";
   * const ds = new Dataset({ a: { dims: ["draw"], shape: [2], data: new Float64Array(2) } });
   * ds.get("a").shape; // [2]
   * ```
   */
  get(name: string): Variable {
    const v = this.vars.get(name);
    if (v === undefined) {
      throw new BrmstsInputError(
        `no variable "${name}" (have: ${this.varNames().join(", ") || "none"})`,
      );
    }
    return v;
  }

  /**
   * Adds the variables of `other` (and its coordinates and attributes). Name clashes throw
   * unless `overwrite` is set, in which case `other`'s variables win. Dimension lengths must
   * agree.
   *
   * @example
   * ```ts
   * import { Dataset } from "./dataset.ts";
   * const a = new Dataset({ x: { dims: ["draw"], shape: [2], data: new Float64Array(2) } });
   * const b = a.merge({ y: { dims: ["draw"], shape: [2], data: new Float64Array(2) } });
   * b.varNames(); // ["x", "y"]
   * ```
   */
  merge(other: Dataset | Keyed<Variable>, options: { overwrite?: boolean } = {}): Dataset {
    const o = other instanceof Dataset ? other : new Dataset(other);
    const vars = new Map(this.vars);
    for (const [name, v] of o.vars) {
      if (vars.has(name) && !options.overwrite) {
        throw new BrmstsInputError(`variable "${name}" exists already (pass { overwrite: true })`);
      }
      vars.set(name, v);
    }
    const coords = new Map(this.coords);
    for (const [d, labels] of o.coords) {
      const mine = coords.get(d);
      if (mine !== undefined && mine.length !== labels.length) {
        throw new BrmstsInputError(
          `dimension "${d}" has length ${mine.length} here, ${labels.length} there`,
        );
      }
      if (mine === undefined || options.overwrite) coords.set(d, labels);
    }
    return new Dataset(vars, coords, { ...this.attrs, ...o.attrs });
  }

  /**
   * Selects positions along dimensions (for example `{ draw: { start: 500 } }`). Variables
   * without the dimension are kept as they are; contiguous selections are views, not copies.
   *
   * @example
   * ```ts
   * import { Dataset } from "./dataset.ts";
   * const ds = new Dataset({
   *   mu: { dims: ["chain", "draw"], shape: [4, 100], data: new Float64Array(400) },
   * });
   * ds.sel({ chain: { start: 1, end: 3 } }).sizes; // { chain: 2, draw: 100 }
   * ```
   */
  sel(selection: Readonly<Record<string, Selector | undefined>>): Dataset {
    const picks = new Map<string, number[]>();
    for (const [d, s] of Object.entries(selection)) {
      if (s === undefined) continue;
      const labels = this.coords.get(d);
      if (labels === undefined) continue;
      picks.set(d, resolveSelector(s, labels.length, d));
    }
    if (picks.size === 0) return this;
    const vars = new Map<string, Variable>();
    for (const [name, v] of this.vars) vars.set(name, selectVariable(v, picks));
    const coords = new Map<string, Coord>();
    for (const [d, labels] of this.coords) {
      const p = picks.get(d);
      coords.set(d, p ? (p.map((i) => labels[i]) as Coord) : labels);
    }
    return new Dataset(vars, coords, this.attrs);
  }

  /** Jupyter display (Deno's kernel): dimensions, coordinates and variables, HTML and text. */
  [Symbol.for("Jupyter.display")](): MimeBundle {
    return datasetBundle(this);
  }
}
