// Log-likelihood inputs of loo() as a draws x obs row-major matrix, read column by column
// through a blocked transpose (columns of a row-major matrix are strided).
import { InferenceData } from "../idata/inference_data.ts";
import type { TypedArray, Variable } from "../idata/types.ts";
import { BrmstsInputError, BrmstsRangeError } from "../errors.ts";

interface Matrix {
  data: ArrayLike<number>;
  draws: number;
  obs: number;
}

function pickVariable(idata: InferenceData, group: string, varName?: string): Variable {
  const ds = idata.group(group);
  if (varName !== undefined) return ds.get(varName);
  const names = ds.varNames();
  if (names.length !== 1) {
    throw new BrmstsInputError(`group "${group}" has ${names.length} variables; pass varName`);
  }
  return ds.get(names[0]);
}

/** Reorders a variable to dims (chain, draw, ...rest) when they are not leading already. */
function leading(v: Variable): Variable {
  const ci = v.dims.indexOf("chain");
  const di = v.dims.indexOf("draw");
  if (di < 0) throw new BrmstsInputError("the log-likelihood needs a draw dimension");
  const order = [...(ci >= 0 ? [ci] : []), di];
  if (order.every((d, i) => d === i)) return v;
  for (let i = 0; i < v.dims.length; i++) if (i !== ci && i !== di) order.push(i);
  const shape = order.map((i) => v.shape[i]);
  const strides: number[] = [];
  let st = 1;
  for (let i = v.dims.length - 1; i >= 0; i--) {
    strides[i] = st;
    st *= v.shape[i];
  }
  const out = new Float64Array(v.data.length);
  const idx = new Array<number>(order.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let off = 0;
    for (let j = 0; j < order.length; j++) off += idx[j] * strides[order[j]];
    out[o] = v.data[off];
    for (let j = order.length - 1; j >= 0; j--) {
      if (++idx[j] < shape[j]) break;
      idx[j] = 0;
    }
  }
  return { dims: order.map((i) => v.dims[i]), shape, data: out };
}

function variableMatrix(v: Variable): Matrix {
  const w = leading(v);
  const nSample = w.dims[0] === "chain" ? 2 : 1;
  let draws = 1;
  for (let i = 0; i < nSample; i++) draws *= w.shape[i];
  let data: ArrayLike<number> = w.data as TypedArray;
  if (w.data instanceof Int32Array) data = Float64Array.from(w.data);
  return { data, draws, obs: w.data.length / Math.max(draws, 1) };
}

/** The log-likelihood as a matrix with a blocked column reader. */
export function logLikMatrix(
  input: InferenceData | Variable | Matrix,
  group: string,
  varName?: string,
) {
  const m: Matrix = input instanceof InferenceData
    ? variableMatrix(pickVariable(input, group, varName))
    : "dims" in input
    ? variableMatrix(input)
    : input;
  const { draws: S, obs: N } = m;
  if (m.data.length !== S * N) {
    throw new BrmstsRangeError(`${m.data.length} values for ${S} x ${N}`);
  }
  const data = m.data instanceof Float64Array ? m.data : Float64Array.from(m.data);
  return {
    draws: S,
    obs: N,
    /** Calls `fn(j, column)` for every column; `column` is reused between calls. */
    columns(fn: (j: number, x: Float64Array) => void): void {
      const B = Math.max(16, Math.min(1024, Math.floor(2 ** 21 / Math.max(S, 1))));
      const block = new Float64Array(B * S);
      for (let j0 = 0; j0 < N; j0 += B) {
        const b = Math.min(B, N - j0);
        for (let s = 0; s < S; s++) {
          const row = s * N + j0;
          for (let t = 0; t < b; t++) block[t * S + s] = data[row + t];
        }
        for (let t = 0; t < b; t++) fn(j0 + t, block.subarray(t * S, (t + 1) * S));
      }
    },
  };
}

/** Chain ids (1-based) of the draws of a log-likelihood variable, chain-major. */
export function chainIdsOf(
  input: InferenceData | Variable | Matrix,
  S: number,
  group = "log_likelihood",
  varName?: string,
): number[] {
  let v: Variable | undefined;
  if (input instanceof InferenceData) v = pickVariable(input, group, varName);
  else if ("dims" in input) v = input;
  if (!v) throw new BrmstsInputError('rEff: "auto" on a bare matrix needs chainIds');
  const ci = v.dims.indexOf("chain");
  const chains = ci < 0 ? 1 : v.shape[ci];
  const per = S / chains;
  return Array.from({ length: S }, (_, s) => Math.floor(s / per) + 1);
}
