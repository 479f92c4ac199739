/**
 * R factors in JavaScript.
 *
 * @module
 */
import { NdArray } from "./ndarray.ts";
import { BrmstsRangeError, BrmstsTypeError } from "../errors.ts";

/**
 * Contrasts of a factor in R (its `contrasts` attribute): the name of R's contrast function, or
 * a numeric matrix (an NdArray of shape [levels, k]) whose column names (`dimnames[1]`), when it
 * has them, name the design columns and priors as in R (`contr.treatment(4)`'s `2`, `3`, `4`
 * give `income2`, `income3`, `income4`).
 *
 * @example
 * ```ts
 * const c: CategoricalContrasts = "contr.sum";
 * ```
 */
export type CategoricalContrasts =
  | "contr.treatment"
  | "contr.sum"
  | "contr.poly"
  | "contr.helmert"
  | NdArray;

const CONTRASTS = ["contr.treatment", "contr.sum", "contr.poly", "contr.helmert"];

/**
 * A categorical vector (R's `factor` / `ordered`): `levels` in order, `codes` as 0-based
 * indices into `levels` with `-1` for NA (the pandas/Arrow convention; R stores 1-based codes,
 * the conversion happens inside the single copy). Unused levels are kept.
 *
 * @example
 * ```ts
 * import { callR } from "../mod.ts";
 * const f = Categorical.from(["lo", "hi", null, "lo"], { levels: ["lo", "mid", "hi"] });
 * f.codes; // Int32Array [0, 2, -1, 0]
 * f.values(); // ["lo", "hi", null, "lo"]
 * await callR("levels", [f]); // ["lo", "mid", "hi"]
 * ```
 */
export class Categorical {
  /** Level labels (unique strings). */
  readonly levels: readonly string[];
  /** 0-based level indices; -1 is NA. */
  readonly codes: Int32Array;
  /** True for R's `ordered` factors. */
  readonly ordered: boolean;
  /** The factor's contrasts in R (`contrasts(x) <- ...`); R's default when absent. */
  readonly contrasts?: CategoricalContrasts;

  /**
   * Wraps codes and levels without copying.
   *
   * @throws {TypeError} for duplicated or non-string levels, or codes that are not an Int32Array.
   * @example
   * ```ts
   * const f = new Categorical(["a", "b"], new Int32Array([1, 0, -1]));
   * ```
   */
  constructor(
    levels: readonly string[],
    codes: Int32Array,
    ordered = false,
    contrasts?: CategoricalContrasts,
  ) {
    if (!Array.isArray(levels)) throw new BrmstsTypeError("Categorical: levels must be an array");
    const seen = new Set<string>();
    for (const l of levels) {
      if (typeof l !== "string") throw new BrmstsTypeError("Categorical: levels must be strings");
      if (seen.has(l)) {
        throw new BrmstsTypeError(`Categorical: duplicated level ${JSON.stringify(l)}`);
      }
      seen.add(l);
    }
    if (!(codes instanceof Int32Array)) {
      throw new BrmstsTypeError("Categorical: codes must be an Int32Array");
    }
    this.levels = levels;
    this.codes = codes;
    this.ordered = ordered;
    if (contrasts !== undefined) {
      if (typeof contrasts === "string") {
        if (!CONTRASTS.includes(contrasts)) {
          throw new BrmstsTypeError(
            `Categorical: contrasts must be one of ${CONTRASTS.join(", ")} or an NdArray`,
          );
        }
      } else if (
        !(contrasts instanceof NdArray) || contrasts.shape.length !== 2 ||
        contrasts.shape[0] !== levels.length
      ) {
        throw new BrmstsTypeError(
          `Categorical: a contrasts matrix must be an NdArray of shape [${levels.length}, k]`,
        );
      }
      this.contrasts = contrasts;
    }
  }

  /**
   * The same factor with contrasts set (R's `contrasts(x) <- value`); codes are shared.
   *
   * @example
   * ```ts
   * const g = Categorical.from(["a", "b", "c"]).withContrasts("contr.sum");
   * ```
   */
  withContrasts(contrasts: CategoricalContrasts): Categorical {
    return new Categorical(this.levels, this.codes, this.ordered, contrasts);
  }

  /**
   * Builds a categorical from labels (`null`/`undefined` → NA). Without `levels`, the levels
   * are the sorted distinct labels (R's `factor()` default).
   *
   * @throws {TypeError} when a label is not a string or is not among `levels`.
   * @example
   * ```ts
   * Categorical.from(["b", "a", "b"]).levels; // ["a", "b"]
   * ```
   */
  static from(
    values: ArrayLike<string | null | undefined>,
    opts: { levels?: readonly string[]; ordered?: boolean } = {},
  ): Categorical {
    const levels = opts.levels ?? [
      ...new Set(
        Array.from(values).filter((v): v is string => typeof v === "string"),
      ),
    ].sort();
    const index = new Map(levels.map((l, i) => [l, i]));
    const codes = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        codes[i] = -1;
        continue;
      }
      const k = index.get(v);
      if (k === undefined) {
        throw new BrmstsTypeError(`Categorical.from: ${JSON.stringify(v)} is not a level`);
      }
      codes[i] = k;
    }
    return new Categorical(levels, codes, opts.ordered ?? false);
  }

  /** Number of elements. */
  get length(): number {
    return this.codes.length;
  }

  /**
   * The label at `i` (`null` for NA).
   *
   * @example
   * ```ts
   * Categorical.from(["x", null]).at(1); // null
   * ```
   */
  at(i: number): string | null {
    const c = this.codes[i];
    return c < 0 || c === undefined ? null : this.levels[c] ?? null;
  }

  /**
   * All labels as an array (`null` for NA).
   *
   * @example
   * ```ts
   * Categorical.from(["x", "y"]).values(); // ["x", "y"]
   * ```
   */
  values(): (string | null)[] {
    const out = new Array<string | null>(this.codes.length);
    for (let i = 0; i < out.length; i++) {
      const c = this.codes[i];
      out[i] = c < 0 ? null : this.levels[c];
    }
    return out;
  }

  /**
   * Checks that every code is -1 or a valid level index.
   *
   * @throws {RangeError} naming the first bad position.
   * @example
   * ```ts
   * new Categorical(["a"], new Int32Array([3])).validate(); // RangeError
   * ```
   */
  validate(): this {
    const k = this.levels.length;
    const c = this.codes;
    for (let i = 0; i < c.length; i++) {
      if (c[i] < -1 || c[i] >= k) {
        throw new BrmstsRangeError(
          `Categorical: code ${c[i]} at position ${i} is outside [-1, ${k - 1}]`,
        );
      }
    }
    return this;
  }
}
