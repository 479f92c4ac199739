/**
 * Pareto smoothed importance sampling (PSIS) with the Zhang–Stephens generalized Pareto fit,
 * exactly as the R package loo (2.5) computes it.
 *
 * @module
 */
import { mean, sum } from "./_basic.ts";
import { SortWorkspace, topStable } from "./_sort.ts";
import { logLikMatrix } from "./_loglik.ts";
import { BrmstsRangeError } from "../errors.ts";

/**
 * matrixStats' `logSumExp()`: `log1p(sum(exp(x[-iMax] - max))) + max`.
 *
 * @example
 * ```ts
 * import { logSumExp } from "./psis.ts";
 * logSumExp([Math.log(1), Math.log(3)]); // log(4)
 * ```
 */
export function logSumExp(x: ArrayLike<number>, from = 0, to = x.length): number {
  if (to - from === 0) return -Infinity;
  let iMax = from;
  let xMax = x[from];
  for (let i = from + 1; i < to; i++) {
    const v = x[i];
    if (v > xMax || (xMax !== xMax && v === v)) {
      xMax = v;
      iMax = i;
    }
  }
  if (to - from === 1 || xMax !== xMax || !Number.isFinite(xMax)) return xMax;
  let s = 0;
  for (let i = from; i < to; i++) if (i !== iMax) s += Math.exp(x[i] - xMax);
  return Math.log1p(s) + xMax;
}

/**
 * sum(log1p(a * x[i])) with one log per block of factors: log(prod(1 + a x)) corrected by the
 * rounding of each 1 + a x (log1p(y) = log(u) - ((u - 1) - y) / u, u = 1 + y), accurate to
 * about 1e-15 and an order of magnitude cheaper than a log1p per term.
 */
function sumLog1p(a: number, x: ArrayLike<number>, N: number): number {
  let acc = 0;
  let corr = 0;
  let prod = 1;
  let ok = true;
  for (let i = 0; i < N; i++) {
    const y = a * x[i];
    const u = 1 + y;
    if (!(u > 0)) {
      ok = false;
      break;
    }
    corr += ((u - 1) - y) / u;
    prod *= u;
    if (prod > 1e150 || prod < 1e-150) {
      acc += Math.log(prod);
      prod = 1;
    }
  }
  if (!ok || !Number.isFinite(prod)) {
    // A factor at or below zero (log1p gives -Inf or NaN): fall back to the definition.
    let s = 0;
    for (let i = 0; i < N; i++) s += Math.log1p(a * x[i]);
    return s;
  }
  return acc + Math.log(prod) - corr;
}

/**
 * Zhang–Stephens estimate of the generalized Pareto shape `k` (with loo's weakly informative
 * prior adjustment) and scale `sigma` of exceedances `x` sorted ascending, as `loo::gpdfit()`.
 *
 * @example
 * ```ts
 * import { gpdfit } from "./psis.ts";
 * const x = Float64Array.from({ length: 100 }, (_, i) => -Math.log(1 - (i + 0.5) / 100));
 * gpdfit(x); // k near 0 for exponential exceedances
 * ```
 */
export function gpdfit(x: ArrayLike<number>, minGridPts = 30): { k: number; sigma: number } {
  const N = x.length;
  const prior = 3;
  const M = minGridPts + Math.floor(Math.sqrt(N));
  const xstar = x[Math.floor(N / 4 + 0.5) - 1];
  const theta = new Float64Array(M);
  const lTheta = new Float64Array(M);
  const tmp = new Float64Array(Math.max(N, M));
  for (let j = 0; j < M; j++) {
    theta[j] = 1 / x[N - 1] + (1 - Math.sqrt(M / (j + 1 - 0.5))) / prior / xstar;
    const k = sumLog1p(-theta[j], x, N) / N;
    lTheta[j] = N * (Math.log(-theta[j] / k) - k - 1);
  }
  const lse = logSumExp(lTheta);
  for (let j = 0; j < M; j++) tmp[j] = theta[j] * Math.exp(lTheta[j] - lse);
  const thetaHat = sum(tmp, 0, M);
  for (let i = 0; i < N; i++) tmp[i] = Math.log1p(-thetaHat * x[i]);
  let k = mean(tmp, 0, N);
  const sigma = -k / thetaHat;
  const a = 10;
  const nPlusA = N + a;
  k = k * N / nPlusA + a * 0.5 / nPlusA;
  if (Number.isNaN(k)) k = Infinity;
  return { k, sigma };
}

/**
 * loo's `n_pareto()`: tail length `ceiling(min(0.2 * S, 3 * sqrt(S / r_eff)))`.
 *
 * @example
 * ```ts
 * import { tailLength } from "./psis.ts";
 * tailLength(1, 4000); // 190
 * ```
 */
export function tailLength(rEff: number, S: number): number {
  return Math.ceil(Math.min(0.2 * S, 3 * Math.sqrt(S / rEff)));
}

/** Reusable buffers of {@link psisColumn}. */
export class PsisWorkspace {
  sort = new SortWorkspace();
  /** Draws whose log weight was smoothed by the last call (ascending order), if any. */
  tail: Uint32Array | undefined;
}

/**
 * loo's `do_psis_i()` on one column of log ratios already shifted by their maximum (`out`,
 * smoothed in place): the largest `tailLen` replaced by the fitted generalized Pareto
 * quantiles and truncated at 0. Returns Pareto k (`Infinity` when the tail is shorter than 5 or
 * constant) and the largest value left outside the tail (the cutoff) with its position `at`;
 * `ws.tail` lists the smoothed draws.
 */
export function psisCore(
  out: Float64Array,
  tailLen: number,
  ws: PsisWorkspace,
): { k: number; cutoff: number; at: number } {
  const S = out.length;
  ws.tail = undefined;
  if (tailLen < 5) return { k: Infinity, cutoff: NaN, at: -1 };
  // The cutoff and the tail in R's stable order (by value, ties by position).
  const ids = topStable(out, S, tailLen + 1, ws.sort);
  const at = ids[0];
  const cutoff = out[at];
  const first = out[ids[1]];
  const last = out[ids[tailLen]];
  if (Math.abs(last - first) < 2.220446049250313e-16 / 100) return { k: Infinity, cutoff, at };
  const expCutoff = Math.exp(cutoff);
  const ex = new Float64Array(tailLen);
  for (let t = 0; t < tailLen; t++) ex[t] = Math.exp(out[ids[t + 1]]) - expCutoff;
  const { k, sigma } = gpdfit(ex);
  if (!Number.isFinite(k)) return { k, cutoff, at };
  const bad = Number.isNaN(sigma) || sigma <= 0;
  for (let t = 0; t < tailLen; t++) {
    const p = (t + 1 - 0.5) / tailLen;
    const q = bad ? NaN : sigma * Math.expm1(-k * Math.log1p(-p)) / k;
    const v = Math.log(q + expCutoff);
    out[ids[t + 1]] = v > 0 ? 0 : v;
  }
  ws.tail = ids.subarray(1);
  return { k, cutoff, at };
}

/**
 * loo's `do_psis_i()` on one column, before adding back the maximum: writes
 * `log_ratios - max(log_ratios)`, smoothed by {@link psisCore}, to `out`; returns Pareto k and
 * the maximum.
 */
export function psisShifted(
  lr: Float64Array,
  tailLen: number,
  out: Float64Array,
  ws: PsisWorkspace,
): { k: number; max: number } {
  const S = lr.length;
  let max = -Infinity;
  for (let i = 0; i < S; i++) if (lr[i] > max) max = lr[i];
  for (let i = 0; i < S; i++) out[i] = lr[i] - max;
  return { k: psisCore(out, tailLen, ws).k, max };
}

/**
 * loo's `do_psis_i()` on one column: the smoothed, truncated, unnormalised log weights of the
 * log ratios `lr` (written to `out`) and Pareto k.
 *
 * @example
 * ```ts
 * import { psisColumn } from "./psis.ts";
 * const lr = Float64Array.from({ length: 1000 }, () => Math.random() * 4);
 * const lw = new Float64Array(1000);
 * psisColumn(lr, 95, lw); // Pareto k
 * ```
 */
export function psisColumn(
  lr: Float64Array,
  tailLen: number,
  out: Float64Array,
  ws = new PsisWorkspace(),
): number {
  const { k, max } = psisShifted(lr, tailLen, out, ws);
  for (let i = 0; i < lr.length; i++) out[i] = out[i] + max;
  return k;
}

/**
 * Result of {@link psis}: smoothed log weights (unnormalised, draws x observations in C
 * order), Pareto k and PSIS effective sample sizes per observation.
 *
 * @example
 * ```ts
 * import type { PsisResult } from "./psis.ts";
 * const bad = (r: PsisResult) => r.paretoK.filter((k) => k > 0.7).length;
 * ```
 */
export interface PsisResult {
  /** Smoothed, unnormalised log weights, row-major `draws x obs`. */
  logWeights: Float64Array;
  /** Pareto shape estimate per observation. */
  paretoK: Float64Array;
  /** PSIS effective sample size per observation (`r_eff / sum(w^2)`, normalised weights). */
  nEff: Float64Array;
  /** Tail length used per observation. */
  tailLen: Int32Array;
  /** Relative efficiency used per observation. */
  rEff: Float64Array;
}

/**
 * PSIS of a matrix of log importance ratios (`draws x obs`, row-major), as `loo::psis()`. For
 * leave-one-out cross-validation the ratios are the negated log-likelihood.
 *
 * @example
 * ```ts
 * import { psis } from "./psis.ts";
 * const S = 1000;
 * const lr = Float64Array.from({ length: S }, () => Math.random() * 3);
 * const { paretoK, logWeights } = psis(lr, S, 1);
 * console.log(paretoK[0], logWeights.length);
 * ```
 */
export function psis(
  logRatios: ArrayLike<number>,
  draws: number,
  obs: number,
  options: { rEff?: number | ArrayLike<number> } = {},
): PsisResult {
  if (logRatios.length !== draws * obs) {
    throw new BrmstsRangeError(`${logRatios.length} log ratios for ${draws} x ${obs}`);
  }
  const rEff = expandREff(options.rEff, obs);
  const logWeights = new Float64Array(draws * obs);
  const paretoK = new Float64Array(obs);
  const nEff = new Float64Array(obs);
  const tailLen = new Int32Array(obs);
  const lw = new Float64Array(draws);
  const ws = new PsisWorkspace();
  logLikMatrix({ data: logRatios, draws, obs }, "").columns((j, col) => {
    for (let s = 0; s < draws; s++) {
      if (!Number.isFinite(col[s])) throw new BrmstsRangeError("All input values must be finite.");
    }
    tailLen[j] = tailLength(rEff[j], draws);
    paretoK[j] = psisColumn(col, tailLen[j], lw, ws);
    const lse = logSumExp(lw);
    let ss = 0;
    for (let s = 0; s < draws; s++) {
      const w = Math.exp(lw[s] - lse);
      ss += w * w;
      logWeights[s * obs + j] = lw[s];
    }
    nEff[j] = 1 / ss * rEff[j];
  });
  return { logWeights, paretoK, nEff, tailLen, rEff };
}

/** loo's `prepare_psis_r_eff()`: one relative efficiency per observation, default 1. */
export function expandREff(rEff: number | ArrayLike<number> | undefined, n: number): Float64Array {
  if (rEff === undefined) return new Float64Array(n).fill(1);
  if (typeof rEff === "number") return new Float64Array(n).fill(rEff);
  if (rEff.length !== n) throw new BrmstsRangeError("'r_eff' must have one value per observation");
  return Float64Array.from(rEff);
}
