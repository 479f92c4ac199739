/**
 * Missing values (R's `NA`) in JavaScript.
 *
 * One representation per type:
 * - double (`Float64Array`): R's own `NA_real_` bit pattern (a NaN whose low word is 1954). It is
 *   distinct from an ordinary `NaN`; test it with {@link isNA}, never with `Number.isNaN` alone.
 *   JavaScript engines may rewrite NaN bits when a value passes through a JS number (Bun does),
 *   so set and test NA on the array, not on numbers read out of it.
 * - integer (`Int32Array`, factor codes aside): {@link NA_INTEGER} (`-2147483648`), as in R.
 * - factor codes ({@link Categorical}): `-1`.
 * - everything held in a plain array (logical, character, Date, list): `null`.
 * - scalars returned by `evalR`/`callR` (a length-one vector): `null`.
 *
 * @module
 */
import { BrmstsRangeError, BrmstsTypeError } from "../errors.ts";

/**
 * R's `NA_integer_` (and the `NA` of logicals inside R): the smallest int32.
 *
 * @example
 * ```ts
 * new Int32Array([1, NA_INTEGER]); // R: c(1L, NA)
 * ```
 */
export const NA_INTEGER: number = -2147483648;

/**
 * The low 32-bit word of R's `NA_real_` (R tests only this word).
 *
 * @example
 * ```ts
 * declare const x: any;
 * new Uint32Array(x.buffer)[0] === NA_REAL_LOW_WORD;
 * ```
 */
export const NA_REAL_LOW_WORD = 1954;

/**
 * The high 32-bit word R writes for `NA_real_`.
 *
 * @example
 * ```ts
 * const w = new Uint32Array(2);
 * w[0] = NA_REAL_LOW_WORD;
 * w[1] = NA_REAL_HIGH_WORD; // NA_real_
 * ```
 */
export const NA_REAL_HIGH_WORD = 0x7ff00000;

function words(x: Float64Array): Uint32Array {
  return new Uint32Array(x.buffer, x.byteOffset, x.length * 2);
}

/**
 * True when element `i` is missing: `NA_real_` bits in a Float64Array, {@link NA_INTEGER} in an
 * Int32Array, `null`/`undefined` in a plain array.
 *
 * @example
 * ```ts
 * const x = new Float64Array([1, NaN, 0]);
 * setNA(x, 2);
 * isNA(x, 1); // false (an ordinary NaN)
 * isNA(x, 2); // true
 * ```
 */
export function isNA(x: ArrayLike<unknown>, i: number): boolean {
  if (x instanceof Float64Array) {
    const w = new Uint32Array(x.buffer, x.byteOffset + i * 8, 2);
    return w[0] === NA_REAL_LOW_WORD && (w[1] & 0x7ff00000) === 0x7ff00000;
  }
  if (x instanceof Int32Array) return x[i] === NA_INTEGER;
  const v = x[i];
  return v === null || v === undefined;
}

/**
 * A mask with 1 where `x` holds R's `NA_real_` (0 for ordinary NaN and every other value).
 *
 * @example
 * ```ts
 * const x = new Float64Array(3);
 * setNA(x, 1);
 * naMask(x); // Uint8Array [0, 1, 0]
 * ```
 */
export function naMask(x: Float64Array): Uint8Array {
  const w = words(x);
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    out[i] = w[2 * i] === NA_REAL_LOW_WORD && (w[2 * i + 1] & 0x7ff00000) === 0x7ff00000 ? 1 : 0;
  }
  return out;
}

/**
 * Writes R's `NA_real_` (Float64Array) or {@link NA_INTEGER} (Int32Array) at index `i`.
 *
 * @example
 * ```ts
 * const x = new Float64Array(2);
 * setNA(x, 0); // x[0] is NA in R
 * ```
 */
export function setNA(x: Float64Array | Int32Array, i: number): void {
  if (x instanceof Int32Array) {
    x[i] = NA_INTEGER;
    return;
  }
  const w = new Uint32Array(x.buffer, x.byteOffset + i * 8, 2);
  w[0] = NA_REAL_LOW_WORD;
  w[1] = NA_REAL_HIGH_WORD;
}

/**
 * Builds a Float64Array from numbers, `null`/`undefined` becoming R's `NA_real_` (bit-exact).
 *
 * @example
 * ```ts
 * const x = doubles([1.5, null, NaN]); // R: c(1.5, NA, NaN)
 * ```
 */
export function doubles(values: ArrayLike<number | null | undefined>): Float64Array {
  const out = new Float64Array(values.length);
  const w = words(out);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      w[2 * i] = NA_REAL_LOW_WORD;
      w[2 * i + 1] = NA_REAL_HIGH_WORD;
    } else if (typeof v !== "number") {
      throw new BrmstsTypeError(`doubles(): element ${i} is a ${typeof v}, not a number`);
    } else out[i] = v;
  }
  return out;
}

/**
 * Marks numbers as R integers: returns an Int32Array (`null`/`undefined` become
 * {@link NA_INTEGER}). Sending an Int32Array to R gives an `integer` vector; plain numbers give
 * `double`.
 *
 * @throws {RangeError} when a value is not a whole number in R's integer range (±2147483647).
 * @example
 * ```ts
 * import { callR } from "../mod.ts";
 * await callR("typeof", [asInteger([1, 2, 3])]); // "integer"
 * ```
 */
export function asInteger(values: ArrayLike<number | null | undefined> | number): Int32Array {
  const arr = typeof values === "number" ? [values] : values;
  const out = new Int32Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (v === null || v === undefined) {
      out[i] = NA_INTEGER;
      continue;
    }
    if (typeof v !== "number" || !Number.isInteger(v) || v > 2147483647 || v < -2147483647) {
      throw new BrmstsRangeError(
        `asInteger(): element ${i} (${String(v)}) is not a whole number within ±2147483647`,
      );
    }
    out[i] = v;
  }
  return out;
}
