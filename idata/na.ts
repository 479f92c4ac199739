/**
 * R's missing values in Float64Array data. R's `NA_real_` is a NaN whose low 32-bit word is
 * 1954; other NaNs are R's `NaN`. Statistics treat both as missing; exports keep the
 * difference. The payload lives only in memory: JavaScript engines may canonicalise a NaN once
 * it is read into a number (JavaScriptCore does), so these helpers work on the array's words.
 *
 * @module
 */

const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function words(data: Float64Array): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset, 2 * data.length);
}

/**
 * Whether `data[i]` holds R's `NA_real_` (not merely NaN).
 *
 * @example
 * ```ts
 * import { isRNA, setRNA } from "./na.ts";
 * const x = new Float64Array([1, 2]);
 * setRNA(x, 1);
 * isRNA(x, 1); // true
 * ```
 */
export function isRNA(data: Float64Array, i: number): boolean {
  const v = data[i];
  if (v === v) return false;
  const w = words(data);
  return w[LITTLE ? 2 * i : 2 * i + 1] === 1954;
}

/**
 * Stores R's `NA_real_` at `data[i]`.
 *
 * @example
 * ```ts
 * import { setRNA } from "./na.ts";
 * const x = new Float64Array(3);
 * setRNA(x, 0);
 * Number.isNaN(x[0]); // true
 * ```
 */
export function setRNA(data: Float64Array, i: number): void {
  const w = words(data);
  w[LITTLE ? 2 * i : 2 * i + 1] = 1954;
  w[LITTLE ? 2 * i + 1 : 2 * i] = 0x7ff00000;
}
