/**
 * Byte-region helpers shared by both processes: 64-byte aligned layout, base64 for tiny
 * inline regions, and the C/F-order transposition done inside the single copy.
 *
 * @module
 */
import { ALIGN } from "./format.ts";

/**
 * Hands out 64-byte aligned offsets in a region and tracks its size.
 *
 * @example
 * ```ts
 * const l = new RegionLayout();
 * l.alloc(10); // 0
 * l.alloc(8); // 64
 * ```
 */
export class RegionLayout {
  /** Bytes used so far. */
  size = 0;
  /** Reserves `bytes` and returns their (aligned) offset. */
  alloc(bytes: number): number {
    const o = Math.ceil(this.size / ALIGN) * ALIGN;
    this.size = o + bytes;
    return o;
  }
}

/**
 * Base64 of bytes.
 *
 * @example
 * ```ts
 * toBase64(new Uint8Array([1, 2])); // "AQI="
 * ```
 */
export function toBase64(u8: Uint8Array): string {
  // deno-lint-ignore no-explicit-any
  return (u8 as any).toBase64();
}

/**
 * A fresh ArrayBuffer (offset 0, so every aligned view works) from base64.
 *
 * @example
 * ```ts
 * new Uint8Array(fromBase64("AQI=")); // [1, 2]
 * ```
 */
export function fromBase64(s: string): ArrayBuffer {
  // deno-lint-ignore no-explicit-any
  const u8 = (Uint8Array as any).fromBase64(s) as Uint8Array;
  if (u8.byteOffset === 0 && u8.byteLength === u8.buffer.byteLength) {
    return u8.buffer as ArrayBuffer;
  }
  return u8.slice().buffer as ArrayBuffer;
}

const TILE = 32;

/**
 * Copies an array in R's column-major (Fortran) order for `dims` from `src` into C (row-major)
 * order in `dst`. Elements are `words` 32-bit words wide (1: int32/logical, 2: double), moved
 * as integers so NaN payloads (R's NA) survive on every engine. The two axes that change
 * stride (first and last) are tiled for cache locality. For C → F, pass the reversed dims.
 *
 * @example
 * ```ts
 * const src = new Uint32Array([1, 2, 3, 4, 5, 6]); // matrix(1:6, 2)
 * const dst = new Uint32Array(6);
 * fToC(src, dst, [2, 3], 1); // dst = [1, 3, 5, 2, 4, 6]
 * ```
 */
export function fToC(
  src: Uint32Array,
  dst: Uint32Array,
  dims: readonly number[],
  words: 1 | 2,
): void {
  const k = dims.length;
  const total = dims.reduce((x, y) => x * y, 1);
  if (k < 2 || total === 0) {
    dst.set(src.subarray(0, total * words));
    return;
  }
  const a = dims[0], b = dims[k - 1];
  const mid = dims.slice(1, k - 1);
  const M = mid.reduce((x, y) => x * y, 1);
  // Strides of the middle multi-index in F order (source) and C order (destination).
  const fStride = mid.map((_, j) => mid.slice(0, j).reduce((x, y) => x * y, 1));
  const cStride = mid.map((_, j) => mid.slice(j + 1).reduce((x, y) => x * y, 1));
  const idx = new Array<number>(mid.length).fill(0);
  const srcL = a * M, dstI = M * b;
  for (let m = 0; m < M; m++) {
    let mF = 0, mC = 0;
    for (let j = 0; j < mid.length; j++) (mF += idx[j] * fStride[j], mC += idx[j] * cStride[j]);
    const sBase = a * mF, dBase = mC * b;
    for (let i0 = 0; i0 < a; i0 += TILE) {
      const iEnd = Math.min(i0 + TILE, a);
      for (let l0 = 0; l0 < b; l0 += TILE) {
        const lEnd = Math.min(l0 + TILE, b);
        for (let i = i0; i < iEnd; i++) {
          let d = (i * dstI + dBase + l0) * words;
          let s = (sBase + i + srcL * l0) * words;
          const sStep = srcL * words;
          if (words === 1) {
            for (let l = l0; l < lEnd; l++, d++, s += sStep) dst[d] = src[s];
          } else {
            for (let l = l0; l < lEnd; l++, d += 2, s += sStep) {
              dst[d] = src[s];
              dst[d + 1] = src[s + 1];
            }
          }
        }
      }
    }
    for (let j = mid.length - 1; j >= 0; j--) {
      if (++idx[j] < mid[j]) break;
      idx[j] = 0;
    }
  }
}
