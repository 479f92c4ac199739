/**
 * Lenient decoders for what brmsts's R helpers return. Values arrive through the worker's
 * codec: typed arrays (views on shared memory) for numeric vectors, `NdArray` for arrays with
 * `dim`, `Categorical` for factors, scalars for length-one vectors and null for NULL (and for a
 * length-one NA). These helpers also accept plain arrays, so the decoding does not depend on
 * the codec's exact choices. The one place brms/ turns R payloads into typed values.
 *
 * @module
 */
import { Categorical } from "../../data/categorical.ts";
import { NdArray } from "../../data/ndarray.ts";
import { doubles, NA_INTEGER } from "../../data/na.ts";
import { columnMajorToC } from "../../data/transpose.ts";
import type { Coord } from "../../idata/types.ts";

/**
 * `x` as a list: null/undefined → `[]`, a scalar → `[x]`, typed arrays and objects → their
 * values.
 *
 * @example
 * ```ts
 * list<number>(new Int32Array([1, 2])); // [1, 2]
 * ```
 */
export function list<T>(x: unknown): T[] {
  if (x === null || x === undefined) return [];
  if (Array.isArray(x)) return x as T[];
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<T>);
  if (typeof x === "object") return Object.values(x as object) as T[];
  return [x as T];
}

/**
 * `x` as a list of strings (the codec gives a scalar for length one, null for NULL).
 *
 * @example
 * ```ts
 * strings("a"); // ["a"]
 * strings(null); // []
 * ```
 */
export function strings(x: unknown): string[] {
  if (x === null || x === undefined) return [];
  if (Array.isArray(x)) return x.map((v) => String(v));
  if (typeof x === "string") return [x];
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>, String);
  return [String(x)];
}

/**
 * `x` as doubles: a Float64Array (or an NdArray's) as is, a scalar as one element, null as one
 * NA (the codec's length-one NA), undefined as none, other lists with null as NA.
 *
 * @example
 * ```ts
 * f64(3); // Float64Array [3]
 * f64([1, null]); // Float64Array [1, NA]
 * ```
 */
export function f64(x: unknown): Float64Array {
  if (x instanceof Float64Array) return x;
  if (x instanceof NdArray && x.data instanceof Float64Array) return x.data;
  if (x === undefined) return new Float64Array(0);
  if (typeof x === "number" || x === null) return doubles([x as number | null]);
  return doubles(list<number | null>(x));
}

/**
 * `x` as 32-bit integers, null as NA.
 *
 * @example
 * ```ts
 * i32([1, null]); // Int32Array [1, NA_INTEGER]
 * ```
 */
export function i32(x: unknown): Int32Array {
  if (x instanceof Int32Array) return x;
  const a = typeof x === "number" || x === null ? [x] : list<number | null>(x);
  return Int32Array.from(a, (v) => (v === null ? NA_INTEGER : v));
}

/**
 * `x` as a coordinate: numbers stay numbers, anything else becomes strings (NA as `"NA"`);
 * a factor gives its labels.
 *
 * @example
 * ```ts
 * coord(new Int32Array([0, 1])); // [0, 1]
 * coord(["a", null]); // ["a", "NA"]
 * ```
 */
export function coord(x: unknown): Coord {
  const a = list<unknown>(x instanceof Categorical ? x.values() : x);
  if (a.every((v) => typeof v === "number")) return a as number[];
  return a.map((v) => (v === null ? "NA" : String(v)));
}

/**
 * The shape of an R array (`[]` for a vector).
 *
 * @example
 * ```ts
 * dimsOf(new Float64Array(3)); // []
 * ```
 */
export function dimsOf(x: unknown): number[] {
  return x instanceof NdArray ? [...x.shape] : [];
}

/**
 * An R matrix/array with `dims` as C-order doubles (transposing R's column-major if needed).
 *
 * @example
 * ```ts
 * cOrder(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]); // [1, 3, 5, 2, 4, 6]
 * ```
 */
export function cOrder(x: unknown, dims: readonly number[]): Float64Array {
  if (x instanceof NdArray && x.order === "C" && x.data instanceof Float64Array) return x.data;
  const flat = x instanceof NdArray ? f64(x.data) : f64(x); // column-major
  return dims.length < 2 ? flat : columnMajorToC(flat, dims);
}
