/**
 * InferenceData: ArviZ's container of named groups (`posterior`, `log_likelihood`, ...),
 * each a {@link Dataset}.
 *
 * @module
 */
import { Dataset } from "./dataset.ts";
import { inferenceDataBundle, type MimeBundle } from "../display/mod.ts";
import type { Selector } from "./_select.ts";
import {
  type Coord,
  isTypedArray,
  product,
  type TypedArray,
  type Variable,
  type VariableInput,
} from "./types.ts";
import { BrmstsInputError } from "../errors.ts";

/**
 * Options of {@link InferenceData.fromObject}.
 *
 * @example
 * ```ts
 * import type { FromObjectOptions } from "./inference_data.ts";
 * const opts: FromObjectOptions = { chains: 4, coords: { obs_id: ["a", "b"] } };
 * ```
 */
export interface FromObjectOptions {
  /** Number of chains (length of the `chain` dimension). */
  chains?: number;
  /** Number of draws per chain (length of the `draw` dimension). */
  draws?: number;
  /** Lengths of other dimensions. */
  sizes?: Readonly<Record<string, number>>;
  /** Coordinate labels, applied in every group that uses the dimension. */
  coords?: Readonly<Record<string, Coord>>;
  /** Attributes of every group. */
  groupAttrs?: Readonly<Record<string, unknown>>;
  /** Attributes of the InferenceData itself. */
  attrs?: Readonly<Record<string, unknown>>;
}

/**
 * Group contents accepted by {@link InferenceData.fromObject}: a Dataset, or variables given as
 * {@link VariableInput}s or bare typed arrays (dims `["chain", "draw"]`).
 *
 * @example
 * ```ts
 * import type { GroupInput } from "./inference_data.ts";
 * const g: GroupInput = { mu: new Float64Array(100), y: { dims: ["obs_id"], data: new Float64Array(5) } };
 * ```
 */
export type GroupInput = Dataset | Readonly<Record<string, VariableInput | TypedArray>>;

/**
 * Selection along `chain` and `draw` (positions, see {@link Selector}); other dimensions may be
 * given too.
 *
 * @example
 * ```ts
 * import type { ChainDrawSelection } from "./inference_data.ts";
 * const s: ChainDrawSelection = { chain: [0, 2], draw: { start: 500 } };
 * ```
 */
export type ChainDrawSelection = Readonly<
  { chain?: Selector; draw?: Selector } & Record<string, Selector | undefined>
>;

function resolveShapes(
  group: string,
  vars: Readonly<Record<string, VariableInput | TypedArray>>,
  opts: FromObjectOptions,
  learned: Map<string, number>,
): Map<string, Variable> {
  const sizes = new Map<string, number>();
  const note = (d: string, n: number, where: string) => {
    const m = sizes.get(d);
    if (m !== undefined && m !== n) {
      throw new BrmstsInputError(`${where}: dimension "${d}" has length ${n}, elsewhere ${m}`);
    }
    sizes.set(d, n);
  };
  if (opts.chains !== undefined) note("chain", opts.chains, "options.chains");
  if (opts.draws !== undefined) note("draw", opts.draws, "options.draws");
  for (const [d, n] of Object.entries(opts.sizes ?? {})) note(d, n, "options.sizes");
  for (const [d, c] of Object.entries(opts.coords ?? {})) note(d, c.length, "options.coords");
  const inputs: [string, VariableInput][] = Object.entries(vars).map(([name, v]) => [
    name,
    isTypedArray(v) ? { dims: ["chain", "draw"], data: v } : v,
  ]);
  for (const [name, v] of inputs) {
    if (v.shape) v.dims.forEach((d, i) => note(d, v.shape![i], `${group}.${name}`));
  }
  const out = new Map<string, Variable>();
  for (const [name, v] of inputs) {
    const where = `${group}.${name}`;
    if (!isTypedArray(v.data)) throw new BrmstsInputError(`${where}: data must be a typed array`);
    let shape: number[];
    if (v.shape) shape = [...v.shape];
    else {
      let unknown = v.dims.filter((d) => !sizes.has(d));
      // Lengths seen in earlier groups (a log_likelihood sharing the posterior's chains and
      // draws), for all but the last unknown dimension, which the data length gives.
      if (unknown.length > 1) {
        for (const d of unknown.slice(0, -1)) if (learned.has(d)) note(d, learned.get(d)!, where);
        unknown = v.dims.filter((d) => !sizes.has(d));
      }
      // Like ArviZ, an array without a known chain count is taken as a single chain.
      if (unknown.length > 1 && unknown.includes("chain")) note("chain", 1, where);
      const still = v.dims.filter((d) => !sizes.has(d));
      if (still.length > 1) {
        throw new BrmstsInputError(`${where}: cannot infer the lengths of [${still.join(", ")}]`);
      }
      const known = product(v.dims.filter((d) => sizes.has(d)).map((d) => sizes.get(d)!));
      if (still.length === 1) {
        if (known === 0 || v.data.length % known !== 0) {
          throw new BrmstsInputError(
            `${where}: ${v.data.length} values do not fit dims [${v.dims}]`,
          );
        }
        note(still[0], v.data.length / known, where);
      }
      shape = v.dims.map((d) => sizes.get(d)!);
    }
    out.set(name, {
      dims: [...v.dims],
      shape,
      data: v.data,
      ...(v.attrs ? { attrs: v.attrs } : {}),
    });
  }
  for (const [d, n] of sizes) if (!learned.has(d)) learned.set(d, n);
  return out;
}

/**
 * ArviZ-shaped inference results: named groups of {@link Dataset}s. Variables are typed-array
 * views (often on shared memory) that are never copied unless an operation has to.
 *
 * Group conventions follow ArviZ: `posterior`, `posterior_predictive`, `log_likelihood`,
 * `sample_stats`, `observed_data`, `constant_data`, `predictions`, ... with dimensions
 * `(chain, draw)` for parameters and `(chain, draw, obs_id)` for per-observation values.
 *
 * @example
 * ```ts
 * import { InferenceData } from "./inference_data.ts";
 * const idata = InferenceData.fromObject(
 *   { posterior: { mu: { dims: ["chain", "draw"], data: new Float64Array(4000) } } },
 *   { chains: 4 },
 * );
 * idata.groups(); // ["posterior"]
 * idata.get("posterior", "mu").shape; // [4, 1000]
 * ```
 */
export class InferenceData {
  #groups: Map<string, Dataset>;
  /** Attributes of the whole object (for example `created_at`, `inference_library`). */
  attrs: Record<string, unknown>;

  /**
   * Wraps existing datasets.
   *
   * @example
   * ```ts
   * import { Dataset, InferenceData } from "./mod.ts";
   * const idata = new InferenceData({ posterior: new Dataset({}) });
   * ```
   */
  constructor(
    groups: ReadonlyMap<string, Dataset> | Readonly<Record<string, Dataset>> = {},
    attrs: Readonly<Record<string, unknown>> = {},
  ) {
    this.#groups = groups instanceof Map
      ? new Map(groups)
      : new Map(Object.entries(groups as Record<string, Dataset>));
    for (const [name, ds] of this.#groups) {
      if (!(ds instanceof Dataset)) throw new BrmstsInputError(`group "${name}" is not a Dataset`);
    }
    this.attrs = { ...attrs };
  }

  /**
   * Builds an InferenceData from plain typed arrays (C order, no copies). A variable's shape
   * comes from `shape`, or from the dimension lengths known through options, coordinates and
   * other variables of its group (then of earlier groups), with the last unknown length
   * inferred from the data length. A bare typed
   * array means dims `["chain", "draw"]`; when the chain count is unknown it is 1 (as in
   * ArviZ).
   *
   * @example
   * ```ts
   * import { InferenceData } from "./inference_data.ts";
   * const idata = InferenceData.fromObject({
   *   posterior: { mu: { dims: ["chain", "draw"], data: new Float64Array(8) } },
   *   log_likelihood: { y: { dims: ["chain", "draw", "obs_id"], data: new Float64Array(24) } },
   * }, { chains: 2, coords: { obs_id: ["a", "b", "c"] } });
   * idata.get("log_likelihood", "y").shape; // [2, 4, 3]
   * ```
   */
  static fromObject(
    groups: Readonly<Record<string, GroupInput>>,
    options: FromObjectOptions = {},
  ): InferenceData {
    const out = new Map<string, Dataset>();
    const learned = new Map<string, number>();
    for (const [name, g] of Object.entries(groups)) {
      if (g instanceof Dataset) {
        out.set(name, g);
        continue;
      }
      const vars = resolveShapes(name, g, options, learned);
      const used = new Set([...vars.values()].flatMap((v) => v.dims));
      const coords: Record<string, Coord> = {};
      for (const [d, c] of Object.entries(options.coords ?? {})) if (used.has(d)) coords[d] = c;
      out.set(name, new Dataset(vars, coords, options.groupAttrs));
    }
    return new InferenceData(out, options.attrs);
  }

  /**
   * Group names in order.
   *
   * @example
   * ```ts
   * import { InferenceData } from "./inference_data.ts";
   * InferenceData.fromObject({ posterior: { mu: new Float64Array(10) } }).groups(); // ["posterior"]
   * ```
   */
  groups(): string[] {
    return [...this.#groups.keys()];
  }

  /**
   * Whether a group exists.
   *
   * @example
   * ```ts
   * import { InferenceData } from "./inference_data.ts";
   * new InferenceData().hasGroup("posterior"); // false
   * ```
   */
  hasGroup(name: string): boolean {
    return this.#groups.has(name);
  }

  /**
   * A group by name; throws if absent.
   *
   * @example
   * ```ts
   * import { InferenceData } from "./inference_data.ts";
   * const idata = InferenceData.fromObject({ posterior: { mu: new Float64Array(10) } });
   * idata.group("posterior").varNames(); // ["mu"]
   * ```
   */
  group(name: string): Dataset {
    const g = this.#groups.get(name);
    if (g === undefined) {
      throw new BrmstsInputError(
        `no group "${name}" (have: ${this.groups().join(", ") || "none"})`,
      );
    }
    return g;
  }

  /**
   * A variable of a group; throws if absent.
   *
   * @example
   * ```ts
   * import { InferenceData } from "./inference_data.ts";
   * const idata = InferenceData.fromObject({ posterior: { mu: new Float64Array(10) } });
   * idata.get("posterior", "mu").dims; // ["chain", "draw"]
   * ```
   */
  get(group: string, varName: string): Variable {
    return this.group(group).get(varName);
  }

  /**
   * Selects chains and draws (positions) in every group that has those dimensions; returns a
   * new InferenceData. Groups without them (observed data) are shared. Contiguous selections,
   * such as a chain range or a burn-in cut of one chain, are views on the same memory.
   *
   * @example
   * ```ts
   * import { InferenceData } from "./inference_data.ts";
   * const idata = InferenceData.fromObject({ posterior: { mu: new Float64Array(4000) } }, {
   *   chains: 4,
   * });
   * idata.sel({ chain: { start: 0, end: 2 } }).get("posterior", "mu").shape; // [2, 1000]
   * idata.sel({ draw: { start: 500 } }).get("posterior", "mu").shape; // [4, 500]
   * ```
   */
  sel(selection: ChainDrawSelection): InferenceData {
    const out = new Map<string, Dataset>();
    for (const [name, ds] of this.#groups) out.set(name, ds.sel(selection));
    return new InferenceData(out, this.attrs);
  }

  /**
   * Adds the groups of `other` (in place, like ArviZ) and returns `this`. For groups present in
   * both, `join: "left"` (default) keeps this object's group and `"right"` takes `other`'s.
   *
   * @example
   * ```ts
   * import { InferenceData } from "./inference_data.ts";
   * const a = InferenceData.fromObject({ posterior: { mu: new Float64Array(10) } });
   * const b = InferenceData.fromObject({ sample_stats: { lp: new Float64Array(10) } });
   * a.extend(b).groups(); // ["posterior", "sample_stats"]
   * ```
   */
  extend(other: InferenceData, options: { join?: "left" | "right" } = {}): this {
    const join = options.join ?? "left";
    if (join !== "left" && join !== "right") {
      throw new BrmstsInputError(`join must be "left" or "right"`);
    }
    for (const name of other.groups()) {
      if (!this.#groups.has(name) || join === "right") this.#groups.set(name, other.group(name));
    }
    for (const [k, v] of Object.entries(other.attrs)) if (!(k in this.attrs)) this.attrs[k] = v;
    return this;
  }

  /**
   * Adds variables to a group (creating it if needed), in place; returns `this`. Name clashes
   * throw unless `overwrite` is set.
   *
   * @example
   * ```ts
   * import { InferenceData } from "./inference_data.ts";
   * const idata = InferenceData.fromObject({ posterior: { mu: new Float64Array(10) } });
   * idata.merge("posterior", {
   *   sigma: { dims: ["chain", "draw"], shape: [1, 10], data: new Float64Array(10) },
   * });
   * idata.group("posterior").varNames(); // ["mu", "sigma"]
   * ```
   */
  merge(
    group: string,
    vars: Dataset | Readonly<Record<string, Variable>>,
    options: { overwrite?: boolean } = {},
  ): this {
    const ds = vars instanceof Dataset ? vars : new Dataset(vars);
    const mine = this.#groups.get(group);
    this.#groups.set(group, mine ? mine.merge(ds, options) : ds);
    return this;
  }

  /**
   * Replaces or adds a whole group, in place; returns `this`.
   *
   * @example
   * ```ts
   * import { Dataset, InferenceData } from "./mod.ts";
   * new InferenceData().setGroup("observed_data", new Dataset({})).groups(); // ["observed_data"]
   * ```
   */
  setGroup(name: string, ds: Dataset): this {
    this.#groups.set(name, ds);
    return this;
  }

  /**
   * Number of chains and draws of a group (default `posterior`).
   *
   * @example
   * ```ts
   * import { InferenceData } from "./inference_data.ts";
   * const idata = InferenceData.fromObject({ posterior: { mu: new Float64Array(40) } }, {
   *   chains: 4,
   * });
   * idata.chainsAndDraws(); // { chains: 4, draws: 10 }
   * ```
   */
  chainsAndDraws(group = "posterior"): { chains: number; draws: number } {
    const s = this.group(group).sizes;
    return { chains: s.chain ?? 1, draws: s.draw ?? 0 };
  }

  /** Jupyter display (Deno's kernel): the groups as an HTML tree (like xarray's repr) and text. */
  [Symbol.for("Jupyter.display")](): MimeBundle {
    return inferenceDataBundle([...this.#groups]);
  }
}
