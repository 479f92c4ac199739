// Flattening of variables into scalar elements named like posterior's draws
// (`theta[1,2]`, 1-based, first index fastest), each a (chain, draw) series.
import type { TypedArray, Variable } from "./types.ts";

/** The scalar elements of one variable, each a chain-major series of `chains * draws`. */
export interface Elements {
  /** Element names in posterior's order. */
  readonly names: string[];
  readonly chains: number;
  readonly draws: number;
  /**
   * Values of element `k` in chain-major order: a view on the variable's data when it is
   * contiguous Float64 data, else written into `out` (allocated when omitted).
   */
  values(k: number, out?: Float64Array): Float64Array;
  /** Offset of element `k` into the data, with the chain and draw strides. */
  layout(k: number): { offset: number; chainStride: number; drawStride: number };
}

/**
 * Splits a variable into its scalar elements over the `chain` and `draw` dimensions (a missing
 * `chain` dimension means one chain; a missing `draw` dimension means one draw).
 */
export function elements(name: string, v: Variable): Elements {
  const k = v.dims.length;
  const strides = new Array<number>(k);
  let st = 1;
  for (let i = k - 1; i >= 0; i--) {
    strides[i] = st;
    st *= v.shape[i];
  }
  const ci = v.dims.indexOf("chain");
  const di = v.dims.indexOf("draw");
  const chains = ci < 0 ? 1 : v.shape[ci];
  const draws = di < 0 ? 1 : v.shape[di];
  const cs = ci < 0 ? 0 : strides[ci];
  const ds = di < 0 ? 0 : strides[di];
  const other: number[] = [];
  for (let i = 0; i < k; i++) if (i !== ci && i !== di) other.push(i);
  let count = 1;
  for (const i of other) count *= v.shape[i];
  const names = new Array<string>(count);
  const offsets = new Array<number>(count);
  const idx = new Array<number>(other.length).fill(0);
  for (let e = 0; e < count; e++) {
    let off = 0;
    for (let j = 0; j < other.length; j++) off += idx[j] * strides[other[j]];
    offsets[e] = off;
    names[e] = other.length === 0 ? name : `${name}[${idx.map((i) => i + 1).join(",")}]`;
    for (let j = 0; j < other.length; j++) { // column-major: first index fastest
      idx[j]++;
      if (idx[j] < v.shape[other[j]]) break;
      idx[j] = 0;
    }
  }
  const data: TypedArray = v.data;
  const n = chains * draws;
  const contiguous = data instanceof Float64Array && (draws <= 1 || ds === 1) &&
    (chains <= 1 || cs === draws * ds || (draws <= 1 && cs === 1));
  return {
    names,
    chains,
    draws,
    values(e: number, out?: Float64Array): Float64Array {
      const off = offsets[e];
      if (contiguous) return (data as Float64Array).subarray(off, off + n);
      const o = out ?? new Float64Array(n);
      let w = 0;
      for (let c = 0; c < chains; c++) {
        const base = off + c * cs;
        for (let d = 0; d < draws; d++) o[w++] = data[base + d * ds];
      }
      if (data instanceof Int32Array) { // R's NA_integer_
        for (let i = 0; i < n; i++) if (o[i] === -2147483648) o[i] = NaN;
      }
      return o;
    },
    layout(e: number) {
      return { offset: offsets[e], chainStride: cs, drawStride: ds };
    },
  };
}
