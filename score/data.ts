/**
 * New data for the scorer: columns or rows of plain values, checked as brms's
 * `validate_newdata` checks them (missing column, numeric vs factor, unknown levels).
 *
 * @module
 */
import { ScorerInputError } from "./errors.ts";

/**
 * New data: an object of columns (arrays or typed arrays) or an array of row objects.
 * Numbers for numeric variables (`null`/`NaN` is NA), strings (or numbers) for factors and
 * grouping factors.
 */
export type ScoreData =
  | Record<string, ArrayLike<unknown>>
  | ReadonlyArray<Record<string, unknown>>;

/** Normalised new data: columns and the row count. */
export class Table {
  /** Row count. */
  readonly n: number;
  readonly #cols: Map<string, ArrayLike<unknown>>;
  readonly #num = new Map<string, Float64Array>();

  /** Wraps columns or rows. */
  constructor(data: ScoreData) {
    this.#cols = new Map();
    if (Array.isArray(data)) {
      const rows = data as ReadonlyArray<Record<string, unknown>>;
      const names = new Set<string>();
      for (const r of rows) for (const k of Object.keys(r ?? {})) names.add(k);
      for (const k of names) this.#cols.set(k, rows.map((r) => r?.[k]));
      this.n = rows.length;
    } else if (data && typeof data === "object") {
      let n = -1;
      for (const [k, v] of Object.entries(data as Record<string, ArrayLike<unknown>>)) {
        if (
          v == null || typeof (v as ArrayLike<unknown>).length !== "number" || typeof v === "string"
        ) {
          throw new ScorerInputError("wrong-type", k, `column '${k}' is not an array`);
        }
        if (n >= 0 && v.length !== n) {
          throw new ScorerInputError(
            "wrong-type",
            k,
            `column '${k}' has ${v.length} values, others ${n}: all columns need one length`,
          );
        }
        n = v.length;
        this.#cols.set(k, v);
      }
      this.n = Math.max(n, 0);
    } else {
      throw new ScorerInputError(
        "wrong-type",
        undefined,
        "Argument 'newdata' must be coercible to a data.frame.",
      );
    }
    if (this.n === 0) {
      throw new ScorerInputError(
        "wrong-type",
        undefined,
        "Argument 'data' does not contain observations.",
      );
    }
  }

  /** Whether a column is present. */
  has(name: string): boolean {
    return this.#cols.has(name);
  }

  /** Throws brms's error (R's "object 'x' not found") for the columns of `names` that are missing. */
  need(names: Iterable<string>): void {
    const miss = [...new Set(names)].filter((v) => !this.#cols.has(v));
    if (miss.length) {
      throw new ScorerInputError(
        "missing-column",
        miss[0],
        `object '${miss[0]}' not found (new data lacks ${miss.map((m) => `'${m}'`).join(", ")})`,
      );
    }
  }

  /** A numeric column (NA as NaN); strings or booleans are brms's "originally numeric" error. */
  numeric(name: string): Float64Array {
    let out = this.#num.get(name);
    if (out) return out;
    this.need([name]);
    const v = this.#cols.get(name)!;
    if (v instanceof Float64Array) out = v;
    else {
      out = new Float64Array(v.length);
      let bad = false, na = false;
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (typeof x === "number") out[i] = x;
        else if (x === null || x === undefined) {
          out[i] = NaN;
          na = true;
        } else if (typeof x === "bigint") out[i] = Number(x);
        else bad = true;
      }
      if (bad && !na) {
        throw new ScorerInputError(
          "wrong-type",
          name,
          `Variable '${name}' was originally numeric but is not in 'newdata'.`,
        );
      }
      if (bad) {
        throw new ScorerInputError("wrong-type", name, `Variable '${name}' must be numeric`);
      }
    }
    this.#num.set(name, out);
    return out;
  }

  /** A column as labels (R's `as.character`); NA as `null`. */
  labels(name: string): (string | null)[] {
    this.need([name]);
    const v = this.#cols.get(name)!;
    const out: (string | null)[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x === null || x === undefined || (typeof x === "number" && Number.isNaN(x))) {
        out[i] = null;
      } else if (typeof x === "boolean") out[i] = x ? "TRUE" : "FALSE";
      else out[i] = String(x);
    }
    return out;
  }
}

/**
 * Level indices of a factor column (0-based; -1 for NA), brms's error for unknown levels.
 *
 * @example
 * ```ts ignore
 * factorCodes(table, "f", ["a", "b"]);
 * ```
 */
export function factorCodes(t: Table, name: string, levels: string[]): Int32Array {
  const lab = t.labels(name);
  const idx = new Map(levels.map((l, i) => [l, i]));
  const out = new Int32Array(lab.length);
  const unknown = new Set<string>();
  for (let i = 0; i < lab.length; i++) {
    const l = lab[i];
    if (l === null) out[i] = -1;
    else {
      const k = idx.get(l);
      if (k === undefined) unknown.add(l);
      out[i] = k ?? -1;
    }
  }
  if (unknown.size) {
    const found = [...new Set(lab.filter((l): l is string => l !== null))].sort();
    throw new ScorerInputError(
      "new-factor-level",
      name,
      "New factor levels are not allowed.\nLevels allowed: " + levels.join(", ") +
        "\nLevels found: " + found.join(", ") + ` (variable '${name}')`,
    );
  }
  return out;
}
