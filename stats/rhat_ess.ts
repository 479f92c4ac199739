/**
 * Convergence diagnostics of one quantity: R-hat, effective sample sizes and Monte Carlo
 * standard errors, exactly as the R package posterior defines them. Draws are chain-major
 * (C order of `(chain, draw)`: chain c's draws at `c * draws`).
 *
 * @module
 */
import { mean, sortedMedian, sortedQuantile, variance } from "./_basic.ts";
import { essMatrix, rhatMatrix, shouldReturnNA, splitChains } from "./_ess.ts";
import { indicatorShape, zScale } from "./_variable_summary.ts";
import { autocorrSums } from "./_fft.ts";
import { BrmstsRangeError } from "../errors.ts";

function drawsPerChain(x: ArrayLike<number>, chains: number): number {
  if (!Number.isInteger(chains) || chains < 1 || x.length % chains !== 0) {
    throw new BrmstsRangeError(`${x.length} draws cannot be split into ${chains} chains`);
  }
  return x.length / chains;
}

function anyNaN(x: ArrayLike<number>): boolean {
  for (let i = 0; i < x.length; i++) if (x[i] !== x[i]) return true;
  return false;
}

/**
 * Normal scores of split chains (posterior's `z_scale(.split_chains(x))`), or undefined. With 2
 * or 3 draws per chain, R's `.split_chains()` of a plain matrix drops each half to a vector and
 * `cbind` makes a chains x 2 matrix: same values in the same order, another shape
 * ({@link indicatorShape}), which `posterior::rhat()` and `ess_bulk()` then use.
 */
function splitZ(x: ArrayLike<number>, chains: number) {
  const draws = drawsPerChain(x, chains);
  const s = splitChains(x, chains, draws);
  if (anyNaN(s.data) || s.data.length === 0) return undefined;
  const z = new Float64Array(s.data.length);
  zScale(s.data, s.data.length, z);
  const [n, m] = indicatorShape(chains, draws, s.n, s.m);
  return { z, n, m };
}

/** posterior's `fold_draws()`: `abs(x - median(x))`. */
function fold(x: ArrayLike<number>): Float64Array {
  const med = anyNaN(x) ? NaN : sortedMedian(Float64Array.from(x).sort());
  return Float64Array.from(x, (v) => Math.abs(v - med));
}

/**
 * Rank-normalised split R-hat: the maximum of the bulk and the folded (tail) R-hat, as
 * `posterior::rhat()`.
 *
 * @example
 * ```ts
 * import { rhat } from "./rhat_ess.ts";
 * rhat(Float64Array.from({ length: 400 }, Math.random), 4); // close to 1
 * ```
 */
export function rhat(x: ArrayLike<number>, chains = 1): number {
  const bulk = splitZ(x, chains);
  const tail = splitZ(fold(x), chains);
  const rb = bulk ? rhatMatrix(bulk.z, bulk.n, bulk.m) : NaN;
  const rt = tail ? rhatMatrix(tail.z, tail.n, tail.m) : NaN;
  return Math.max(rb, rt);
}

/**
 * Basic (not rank-normalised) R-hat, split by default, as `posterior::rhat_basic()`.
 *
 * @example
 * ```ts
 * import { rhatBasic } from "./rhat_ess.ts";
 * rhatBasic(Float64Array.from({ length: 400 }, Math.random), 4);
 * ```
 */
export function rhatBasic(x: ArrayLike<number>, chains = 1, split = true): number {
  const draws = drawsPerChain(x, chains);
  const s = split ? splitChains(x, chains, draws) : columns(x, chains, draws);
  return rhatMatrix(s.data, s.n, s.m);
}

function columns(x: ArrayLike<number>, chains: number, draws: number) {
  return { data: Float64Array.from(x), n: draws, m: chains };
}

/**
 * Bulk effective sample size (ESS of the rank-normalised split chains), as
 * `posterior::ess_bulk()`.
 *
 * @example
 * ```ts
 * import { essBulk } from "./rhat_ess.ts";
 * essBulk(Float64Array.from({ length: 4000 }, Math.random), 4); // about 4000
 * ```
 */
export function essBulk(x: ArrayLike<number>, chains = 1): number {
  const s = splitZ(x, chains);
  return s ? essMatrix(s.z, s.n, s.m) : NaN;
}

/**
 * ESS of the indicator `x <= quantile(x, prob)` over split chains, as
 * `posterior::ess_quantile()`.
 *
 * @example
 * ```ts
 * import { essQuantile } from "./rhat_ess.ts";
 * essQuantile(Float64Array.from({ length: 4000 }, Math.random), 4, 0.5);
 * ```
 */
export function essQuantile(x: ArrayLike<number>, chains: number, prob: number): number {
  const draws = drawsPerChain(x, chains);
  if (!(prob >= 0 && prob <= 1)) throw new BrmstsRangeError("prob must be in [0, 1]");
  if (shouldReturnNA(x)) return NaN;
  const p = prob === 1 ? (x.length - 0.5) / x.length : prob;
  const q = sortedQuantile(Float64Array.from(x).sort(), p);
  const ind = Float64Array.from(x, (v) => (v <= q ? 1 : 0));
  const s = splitChains(ind, chains, draws);
  const [n, m] = indicatorShape(chains, draws, s.n, s.m);
  return essMatrix(s.data, n, m);
}

/**
 * Tail effective sample size: the minimum of the 5% and 95% quantile ESS, as
 * `posterior::ess_tail()`.
 *
 * @example
 * ```ts
 * import { essTail } from "./rhat_ess.ts";
 * essTail(Float64Array.from({ length: 4000 }, Math.random), 4);
 * ```
 */
export function essTail(x: ArrayLike<number>, chains = 1): number {
  return Math.min(essQuantile(x, chains, 0.05), essQuantile(x, chains, 0.95));
}

/**
 * Basic ESS (split by default), as `posterior::ess_basic()`.
 *
 * @example
 * ```ts
 * import { essBasic } from "./rhat_ess.ts";
 * essBasic(Float64Array.from({ length: 4000 }, Math.random), 4);
 * ```
 */
export function essBasic(x: ArrayLike<number>, chains = 1, split = true): number {
  const draws = drawsPerChain(x, chains);
  const s = split ? splitChains(x, chains, draws) : columns(x, chains, draws);
  return essMatrix(s.data, s.n, s.m);
}

/**
 * ESS of the mean (split, not rank-normalised), as `posterior::ess_mean()`.
 *
 * @example
 * ```ts
 * import { essMean } from "./rhat_ess.ts";
 * essMean(Float64Array.from({ length: 4000 }, Math.random), 4);
 * ```
 */
export function essMean(x: ArrayLike<number>, chains = 1): number {
  return essBasic(x, chains, true);
}

/**
 * ESS of the standard deviation (ESS of `abs(x - mean(x))`), as `posterior::ess_sd()`.
 *
 * @example
 * ```ts
 * import { essSd } from "./rhat_ess.ts";
 * essSd(Float64Array.from({ length: 4000 }, Math.random), 4);
 * ```
 */
export function essSd(x: ArrayLike<number>, chains = 1): number {
  const mu = mean(x);
  return essBasic(Float64Array.from(x, (v) => Math.abs(v - mu)), chains, true);
}

/**
 * Monte Carlo standard error of the mean: `sd(x) / sqrt(ess_mean(x))`, as
 * `posterior::mcse_mean()`.
 *
 * @example
 * ```ts
 * import { mcseMean } from "./rhat_ess.ts";
 * mcseMean(Float64Array.from({ length: 4000 }, Math.random), 4);
 * ```
 */
export function mcseMean(x: ArrayLike<number>, chains = 1): number {
  return Math.sqrt(variance(x)) / Math.sqrt(essMean(x, chains));
}

/**
 * Monte Carlo standard error of the standard deviation, as `posterior::mcse_sd()` (1.4.0).
 *
 * @example
 * ```ts
 * import { mcseSd } from "./rhat_ess.ts";
 * mcseSd(Float64Array.from({ length: 4000 }, Math.random), 4);
 * ```
 */
export function mcseSd(x: ArrayLike<number>, chains = 1): number {
  const mu = mean(x);
  const sq = Float64Array.from(x, (v) => (v - mu) * (v - mu));
  const ess = essMean(sq, chains);
  const evar = mean(sq);
  const m4 = mean(Float64Array.from(sq, (v) => v * v));
  const varvar = (m4 - evar * evar) / ess;
  return Math.sqrt(varvar / evar / 4);
}

/**
 * Autocovariance of one chain as posterior's `autocovariance()` computes it (biased estimator,
 * lags 0..n-1, zero for a constant chain).
 *
 * @example
 * ```ts
 * import { autocovariance } from "./rhat_ess.ts";
 * autocovariance([1, 2, 3, 4, 3, 2])[0]; // the variance times (n - 1) / n
 * ```
 */
export function autocovariance(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const varx = variance(x);
  const out = new Float64Array(n);
  if (varx === 0) return out;
  const mu = mean(x);
  const yc = Float64Array.from(x, (v) => v - mu);
  autocorrSums(yc, 0, out, n);
  const a0 = out[0];
  for (let k = 0; k < n; k++) out[k] = out[k] / a0 * varx * (n - 1) / n;
  return out;
}
