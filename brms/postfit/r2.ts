/**
 * brms's Bayesian R² after fitting: `bayesR2()` and `looR2()`, computed by brms in the worker.
 *
 * @module
 */
import { fitHandle, type FitLike, type PostfitCallOptions } from "./args.ts";

import { arr, nums, ready, type RMatrix } from "./_extras.ts";
import { callRHelperValue } from "../../rhelpers.ts";
import { EXTRAS_HELPERS } from "../core/r_helpers.ts";

/** Options of {@linkcode bayesR2} and {@linkcode looR2}. */
export interface R2Options extends PostfitCallOptions {
  /** Responses of a multivariate model (default: all). */
  resp?: string | string[];
  /** Summaries (default) or the draws (`false`). */
  summary?: boolean;
  /** Median and MAD instead of mean and SD. */
  robust?: boolean;
  /** Quantiles of the summary (default `[0.025, 0.975]`). */
  probs?: number[];
  /** R's seed for this call (`looR2` draws Dirichlet weights); R's RNG state is restored. */
  seed?: number;
}

/** One row of an R² summary: brms's columns. */
export interface R2Summary {
  /** Posterior mean (median with `robust`). */
  Estimate: number;
  /** Posterior SD (MAD with `robust`). */
  "Est.Error": number;
  /** Quantiles, named as brms names them (`Q2.5`, `Q97.5`). */
  [quantile: string]: number;
}

/** What {@linkcode bayesR2} and {@linkcode looR2} return. */
export type R2Result = Record<string, R2Summary> | Record<string, Float64Array>;

async function r2(
  what: "bayes" | "loo",
  fit: FitLike,
  options: R2Options,
): Promise<R2Result> {
  const r = fitHandle(fit, what === "bayes" ? "bayesR2()" : "looR2()");
  const w = await ready(options);
  const args: Record<string, unknown> = {};
  if (options.resp !== undefined) args.resp = options.resp;
  if (options.summary !== undefined) args.summary = options.summary;
  if (options.robust !== undefined) args.robust = options.robust;
  if (options.probs !== undefined) args.probs = options.probs;
  const m = await callRHelperValue(w, EXTRAS_HELPERS, "brmsts_x_r2", [
    r,
    what,
    args,
    options.seed ?? null,
  ], {
    signal: options.signal,
    onLog: options.onLog,
    convert: "value",
  }) as RMatrix;
  const rows = arr(m.rows), cols = arr(m.cols), v = nums(m.values), n = m.nrow;
  if (options.summary === false) {
    return Object.fromEntries(cols.map((c, j) => [c, v.slice(j * n, (j + 1) * n)]));
  }
  return Object.fromEntries(
    rows.map((row, i) => [row, Object.fromEntries(cols.map((c, j) => [c, v[j * n + i]]))]),
  ) as Record<string, R2Summary>;
}

/**
 * Bayesian R², brms's `bayes_R2(fit)`: per response (`R2`, or `R2<resp>` for multivariate
 * models) its `Estimate`, `Est.Error` and quantiles; with `summary: false` the draws.
 *
 * @example
 * ```ts
 * declare const fit: import("../fit/fit.ts").FitResult;
 * import { bayesR2 } from "./r2.ts";
 * const r2 = await bayesR2(fit) as Record<string, R2Summary>;
 * r2.R2.Estimate; // e.g. 0.83
 * ```
 */
export function bayesR2(fit: FitLike, options: R2Options = {}): Promise<R2Result> {
  return r2("bayes", fit, options);
}

/**
 * LOO-adjusted R², brms's `loo_R2(fit)` (same shape as {@linkcode bayesR2}); its Dirichlet
 * weights are random: give `seed` for a reproducible result.
 *
 * @example
 * ```ts
 * declare const fit: import("../fit/fit.ts").FitResult;
 * import { looR2 } from "./r2.ts";
 * const r2 = await looR2(fit, { seed: 1 }) as Record<string, R2Summary>;
 * r2.R2["Q97.5"];
 * ```
 */
export function looR2(fit: FitLike, options: R2Options = {}): Promise<R2Result> {
  return r2("loo", fit, options);
}
