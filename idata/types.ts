/**
 * Core types of the InferenceData model: typed arrays, variables and coordinates.
 *
 * @module
 */
import { BrmstsInputError } from "../errors.ts";

/**
 * The typed arrays a {@link Variable} may hold. Float64Array is the common case,
 * Int32Array holds integers (R's `NA_integer_` is `-2147483648`), Uint8Array holds
 * booleans (mark them with `attrs: { dtype: "bool" }`, xarray's convention).
 *
 * @example
 * ```ts
 * import type { TypedArray } from "./types.ts";
 * const data: TypedArray = new Float64Array([0.1, 0.2]);
 * ```
 */
export type TypedArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/**
 * Coordinate labels along one dimension: numbers or strings.
 *
 * @example
 * ```ts
 * import type { Coord } from "./types.ts";
 * const obsId: Coord = ["a", "b", "c"];
 * ```
 */
export type Coord = readonly number[] | readonly string[];

/**
 * A named-dimension array: `data` in C (row-major) order with `shape[i]` the length
 * of `dims[i]`. `data` may be a view on shared memory; it is never copied implicitly.
 *
 * @example
 * ```ts
 * import type { Variable } from "./types.ts";
 * const mu: Variable = { dims: ["chain", "draw"], shape: [2, 3], data: new Float64Array(6) };
 * ```
 */
export interface Variable {
  /** Dimension names, outermost first. */
  readonly dims: readonly string[];
  /** Length of each dimension. */
  readonly shape: readonly number[];
  /** Values in C order; `data.length` equals the product of `shape`. */
  readonly data: TypedArray;
  /** Free-form attributes (for example `{ dtype: "bool" }` for boolean Uint8Array data). */
  readonly attrs?: Readonly<Record<string, unknown>>;
}

/**
 * Input form of a variable: `shape` may be omitted and is then derived from the
 * known dimension sizes (coordinates, other variables, `chains`/`draws` options)
 * and the data length.
 *
 * @example
 * ```ts
 * import type { VariableInput } from "./types.ts";
 * const v: VariableInput = { dims: ["chain", "draw"], data: new Float64Array(4000) };
 * ```
 */
export interface VariableInput {
  /** Dimension names, outermost first. */
  readonly dims: readonly string[];
  /** Values in C order. */
  readonly data: TypedArray;
  /** Length of each dimension (optional). */
  readonly shape?: readonly number[];
  /** Free-form attributes. */
  readonly attrs?: Readonly<Record<string, unknown>>;
}

/**
 * Product of a shape.
 *
 * @example
 * ```ts
 * import { product } from "./types.ts";
 * product([4, 1000]); // 4000
 * ```
 */
export function product(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/**
 * Whether a value is one of the supported typed arrays.
 *
 * @example
 * ```ts
 * import { isTypedArray } from "./types.ts";
 * isTypedArray(new Float64Array(1)); // true
 * ```
 */
export function isTypedArray(x: unknown): x is TypedArray {
  return x instanceof Float64Array || x instanceof Float32Array || x instanceof Int32Array ||
    x instanceof Uint32Array || x instanceof Int16Array || x instanceof Uint16Array ||
    x instanceof Int8Array || x instanceof Uint8Array;
}

/**
 * Integer range 0..n-1 as coordinate labels.
 *
 * @example
 * ```ts
 * import { rangeCoord } from "./types.ts";
 * rangeCoord(3); // [0, 1, 2]
 * ```
 */
export function rangeCoord(n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/**
 * Checks that a variable's shape, dims and data agree; throws with `where` in the message.
 *
 * @example
 * ```ts
 * import { validateVariable } from "./types.ts";
 * validateVariable({ dims: ["draw"], shape: [2], data: new Float64Array(2) }, "x");
 * ```
 */
export function validateVariable(v: Variable, where: string): void {
  if (v.dims.length !== v.shape.length) {
    throw new BrmstsInputError(
      `${where}: ${v.dims.length} dims but a shape of length ${v.shape.length}`,
    );
  }
  if (new Set(v.dims).size !== v.dims.length) {
    throw new BrmstsInputError(`${where}: repeated dimension name in [${v.dims.join(", ")}]`);
  }
  for (const s of v.shape) {
    if (!Number.isInteger(s) || s < 0) {
      throw new BrmstsInputError(`${where}: invalid shape [${v.shape}]`);
    }
  }
  if (!isTypedArray(v.data)) throw new BrmstsInputError(`${where}: data must be a typed array`);
  if (v.data.length !== product(v.shape)) {
    throw new BrmstsInputError(
      `${where}: data has ${v.data.length} values but shape [${v.shape}] needs ${product(v.shape)}`,
    );
  }
}

/**
 * A positional selection along one dimension: a single index (the dimension is kept,
 * with length 1), a list of indices, or a half-open range `{ start, end, step }`
 * (negative `start`/`end` count from the end, as in Python).
 *
 * @example
 * ```ts
 * import type { Selector } from "./types.ts";
 * const firstTwoChains: Selector = { start: 0, end: 2 };
 * const burnIn: Selector = { start: 500 };
 * ```
 */
export type Selector =
  | number
  | readonly number[]
  | { readonly start?: number; readonly end?: number; readonly step?: number };
