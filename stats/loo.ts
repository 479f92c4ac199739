/**
 * PSIS leave-one-out cross-validation and model comparison, as the R package loo (2.5).
 *
 * @module
 */
import type { InferenceData } from "../idata/inference_data.ts";
import type { Variable } from "../idata/types.ts";
import { sum, variance } from "./_basic.ts";
import { rowsBundle, withDisplay } from "../display/mod.ts";
import { essMatrix, EssWorkspace } from "./_ess.ts";
import { expandREff, tailLength } from "./psis.ts";
import { looColumn, LooWorkspace } from "./_loo_column.ts";
import { chainIdsOf, logLikMatrix } from "./_loglik.ts";
import { BrmstsRangeError } from "../errors.ts";

/**
 * Options of {@link loo}.
 *
 * @example
 * ```ts
 * import type { PsisLooOptions } from "./loo.ts";
 * const opts: PsisLooOptions = { varName: "y", rEff: "auto" };
 * ```
 */
export interface PsisLooOptions {
  /** Group holding the log-likelihood (default `"log_likelihood"`). */
  group?: string;
  /** Variable of that group; required when it has several. */
  varName?: string;
  /**
   * Relative efficiencies: one number, one per observation, or `"auto"` to compute them from
   * the chains like `loo::relative_eff(exp(ll), chain_id)`. Default 1, as `loo::loo()` on a
   * plain matrix without `r_eff`.
   */
  rEff?: number | ArrayLike<number> | "auto";
  /** Chain of each draw (1-based) for `rEff: "auto"` on a bare matrix. */
  chainIds?: ArrayLike<number>;
}

/**
 * Pointwise values of {@link PsisLoo}, one entry per observation (the columns of loo's
 * `pointwise` matrix).
 *
 * @example
 * ```ts
 * import type { LooPointwise } from "./loo.ts";
 * const worst = (p: LooPointwise) => Math.max(...p.influence_pareto_k);
 * ```
 */
export interface LooPointwise {
  /** Expected log pointwise predictive density of each observation. */
  elpd_loo: Float64Array;
  /** Monte Carlo standard error of each elpd_loo. */
  mcse_elpd_loo: Float64Array;
  /** Effective number of parameters of each observation (lpd - elpd_loo). */
  p_loo: Float64Array;
  /** -2 elpd_loo. */
  looic: Float64Array;
  /** Pareto k of each observation. */
  influence_pareto_k: Float64Array;
}

/**
 * Result of {@link loo}, with loo's names.
 *
 * @example
 * ```ts
 * import type { PsisLoo } from "./loo.ts";
 * const show = (l: PsisLoo) => `elpd_loo ${l.elpd_loo} (SE ${l.se_elpd_loo}), p_loo ${l.p_loo}`;
 * ```
 */
export interface PsisLoo {
  /** Sum of the pointwise elpd_loo. */
  elpd_loo: number;
  /** Its standard error, sqrt(N * var(pointwise)). */
  se_elpd_loo: number;
  /** Effective number of parameters. */
  p_loo: number;
  /** Its standard error. */
  se_p_loo: number;
  /** -2 elpd_loo. */
  looic: number;
  /** Its standard error. */
  se_looic: number;
  /** Monte Carlo SE of elpd_loo (`NaN` when some k > 0.7, as loo prints NA). */
  mcse_elpd_loo: number;
  /** Pointwise values. */
  pointwise: LooPointwise;
  /** Pareto k and PSIS effective sample size of each observation. */
  diagnostics: { pareto_k: Float64Array; n_eff: Float64Array };
  /** Relative efficiencies used. */
  r_eff: Float64Array;
  /** Counts of Pareto k in (-Inf, 0.5], (0.5, 0.7], (0.7, 1], (1, Inf), as pareto_k_table. */
  pareto_k_counts: [number, number, number, number];
  /** Draws (S) and observations (N). */
  dims: [number, number];
}

/**
 * A log-likelihood matrix: `draws x obs`, row-major (draw s of observation j at s*obs + j),
 * draws chain after chain.
 *
 * @example
 * ```ts
 * import type { LogLikMatrix } from "./loo.ts";
 * const m: LogLikMatrix = { data: new Float64Array(4000 * 10), draws: 4000, obs: 10 };
 * ```
 */
export interface LogLikMatrix {
  /** Values, row-major. */
  data: ArrayLike<number>;
  /** Number of draws (rows). */
  draws: number;
  /** Number of observations (columns). */
  obs: number;
}

/**
 * loo's `relative_eff()`: ESS / S per column of a `draws x obs` row-major matrix (usually the
 * likelihood `exp(ll)`), with `chainIds` giving each draw's chain (1-based, equal lengths).
 *
 * @example
 * ```ts
 * import { relativeEff } from "./loo.ts";
 * const lik = Float64Array.from({ length: 400 }, Math.random);
 * relativeEff({ data: lik, draws: 400, obs: 1 }, Array.from({ length: 400 }, (_, i) => 1 + Math.floor(i / 100)));
 * ```
 */
export function relativeEff(x: LogLikMatrix, chainIds: ArrayLike<number>): Float64Array {
  const { draws: S, obs: N } = x;
  const reff = chainReader(chainIds, S);
  const out = new Float64Array(N);
  logLikMatrix(x, "").columns((j, col) => out[j] = reff(col));
  return out;
}

/**
 * loo's `llmatrix_to_array()` checks and `relative_eff.array()` for one column: returns a
 * function from a column (draws in row order) to its relative efficiency.
 */
function chainReader(chainIds: ArrayLike<number>, S: number): (col: Float64Array) => number {
  if (chainIds.length !== S) {
    throw new BrmstsRangeError("Number of rows not equal to length(chain_id)");
  }
  const chains = new Set(Array.from(chainIds)).size;
  const rows: number[][] = Array.from({ length: chains }, () => []);
  let ordered = true;
  for (let s = 0; s < S; s++) {
    const c = chainIds[s];
    if (!Number.isInteger(c) || c < 1 || c > chains) {
      throw new BrmstsRangeError("max(chain_id) not equal to the number of chains");
    }
    if (s > 0 && c < chainIds[s - 1]) ordered = false;
    rows[c - 1].push(s);
  }
  const n = rows[0].length;
  if (rows.some((r) => r.length !== n)) {
    throw new BrmstsRangeError("Not all chains have same number of iterations");
  }
  const ws = new EssWorkspace();
  const mat = new Float64Array(S);
  return (col) => {
    // Draws chain after chain are already the iterations x chains matrix, column-major.
    if (ordered) mat.set(col);
    else {
      for (let c = 0; c < chains; c++) for (let t = 0; t < n; t++) mat[c * n + t] = col[rows[c][t]];
    }
    return essMatrix(mat, n, chains, ws, true) / S;
  };
}

/**
 * PSIS-LOO as `loo::loo()`: elpd_loo, p_loo, looic with standard errors, pointwise values,
 * Pareto k and PSIS n_eff. Input: an InferenceData (its `log_likelihood` group), one
 * log-likelihood {@link Variable} with dims `(chain, draw, ...)`, or a bare {@link LogLikMatrix}.
 *
 * @example
 * ```ts
 * import { InferenceData } from "../idata/mod.ts";
 * import { loo } from "./loo.ts";
 * const ll = Float64Array.from({ length: 4 * 250 * 20 }, () => -1 - Math.random());
 * const idata = InferenceData.fromObject({
 *   log_likelihood: { y: { dims: ["chain", "draw", "obs_id"], data: ll, shape: [4, 250, 20] } },
 * });
 * const res = loo(idata, { rEff: "auto" });
 * console.log(res.elpd_loo, res.se_elpd_loo, res.p_loo, res.diagnostics.pareto_k);
 * ```
 */
export function loo(
  input: InferenceData | Variable | LogLikMatrix,
  options: PsisLooOptions = {},
): PsisLoo {
  const ll = logLikMatrix(input, options.group ?? "log_likelihood", options.varName);
  const { draws: S, obs: N } = ll;
  const auto = options.rEff === "auto";
  const rEff = auto
    ? new Float64Array(N)
    : expandREff(options.rEff as Exclude<PsisLooOptions["rEff"], "auto">, N);
  // r_eff "auto": relative_eff(exp(ll), chain_id), column by column in the same pass.
  const reff = auto
    ? chainReader(options.chainIds ?? chainIdsOf(input, S, options.group, options.varName), S)
    : undefined;
  const lik = new Float64Array(S);
  const pw: LooPointwise = {
    elpd_loo: new Float64Array(N),
    mcse_elpd_loo: new Float64Array(N),
    p_loo: new Float64Array(N),
    looic: new Float64Array(N),
    influence_pareto_k: new Float64Array(N),
  };
  const nEff = new Float64Array(N);
  const ws = new LooWorkspace();
  ll.columns((j, x) => {
    if (reff) {
      for (let s = 0; s < S; s++) lik[s] = Math.exp(x[s]);
      rEff[j] = reff(lik);
    }
    const r = looColumn(x, rEff[j], tailLength(rEff[j], S), ws);
    pw.elpd_loo[j] = r.elpd;
    pw.mcse_elpd_loo[j] = r.mcse;
    pw.p_loo[j] = r.p;
    pw.looic[j] = -2 * r.elpd;
    pw.influence_pareto_k[j] = r.k;
    nEff[j] = r.nEff;
  });
  const est = (x: Float64Array) => [sum(x), Math.sqrt(N * variance(x))];
  const [elpd, seElpd] = est(pw.elpd_loo);
  const [p, seP] = est(pw.p_loo);
  const [ic, seIc] = est(pw.looic);
  const kk = pw.influence_pareto_k;
  const counts: [number, number, number, number] = [0, 0, 0, 0];
  let kHigh = false;
  let mc = 0;
  for (let j = 0; j < N; j++) {
    counts[kk[j] <= 0.5 ? 0 : kk[j] <= 0.7 ? 1 : kk[j] <= 1 ? 2 : 3]++;
    if (kk[j] > 0.7) kHigh = true;
    mc += pw.mcse_elpd_loo[j] * pw.mcse_elpd_loo[j];
  }
  const res: PsisLoo = {
    elpd_loo: elpd,
    se_elpd_loo: seElpd,
    p_loo: p,
    se_p_loo: seP,
    looic: ic,
    se_looic: seIc,
    mcse_elpd_loo: kHigh ? NaN : Math.sqrt(mc),
    pointwise: pw,
    diagnostics: { pareto_k: Float64Array.from(kk), n_eff: nEff },
    r_eff: rEff,
    pareto_k_counts: counts,
    dims: [S, N],
  };
  return withDisplay(res, () =>
    rowsBundle([
      { "": "elpd_loo", Estimate: res.elpd_loo, SE: res.se_elpd_loo },
      { "": "p_loo", Estimate: res.p_loo, SE: res.se_p_loo },
      { "": "looic", Estimate: res.looic, SE: res.se_looic },
    ], { title: `Computed from ${S} by ${N} log-likelihood matrix` }));
}
