/**
 * R's column-major (Fortran) order to C (row-major) order: the one transposer, used by the
 * codec inside its single copy and by brms/ for arrays that arrive column-major.
 *
 * @module
 */

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

/**
 * Column-major doubles of an array with `dims` rearranged into C order (last index fastest),
 * copying bits rather than values so NA payloads survive.
 *
 * @example
 * ```ts
 * columnMajorToC(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]); // [1, 3, 5, 2, 4, 6]
 * ```
 */
export function columnMajorToC(flat: Float64Array, dims: readonly number[]): Float64Array {
  const out = new Float64Array(flat.length);
  fToC(
    new Uint32Array(flat.buffer, flat.byteOffset, 2 * flat.length),
    new Uint32Array(out.buffer),
    dims,
    2,
  );
  return out;
}
