/**
 * Model comparison computed by R's loo package through brms in the worker: `loo()`, `waic()`,
 * `looCompare()` and `addCriterion()`, with estimates, pointwise values and Pareto k as typed
 * data.
 *
 * @module
 */
import { RObject } from "../../worker/mod.ts";
import type { DataFrame } from "../../data/mod.ts";
import type { Coord } from "../../idata/types.ts";
import type { FitHandle, FitResult } from "../fit/fit.ts";
import { coord, f64, strings } from "../core/decode.ts";
import { fitHandle, type FitLike, fitObsId, type PostfitCallOptions, prepare } from "./args.ts";
import { brmsArgs } from "../fit/options.ts";
import { rowsBundle, withDisplay } from "../../display/mod.ts";
import { callRHelperValue } from "../../rhelpers.ts";
import { POSTFIT_HELPERS } from "../core/r_helpers.ts";

/**
 * An estimate with its standard error.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const e: Estimate = (await loo(fit)).elpd;
 * console.log(e.estimate, e.se);
 * ```
 */
export interface Estimate {
  /** The estimate. */
  estimate: number;
  /** Its standard error. */
  se: number;
}

/**
 * An information criterion (`loo`, `waic`, `kfold`, `loo_subsample`) as loo computed it.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const l = await loo(fit);
 * l.elpd.estimate; // elpd_loo
 * l.estimates.looic.se;
 * l.pointwise.elpd_loo; // Float64Array, one per observation
 * l.paretoK?.every((k) => k < 0.7);
 * ```
 */
export interface CriterionResult {
  /** `"loo"`, `"waic"`, `"kfold"` or `"loo_subsample"`. */
  criterion: string;
  /** R's class of the object (`psis_loo`, `waic`, …). */
  classes: string[];
  /** Every estimate by loo's name (`elpd_loo`, `p_loo`, `looic`, …). */
  estimates: Record<string, Estimate>;
  /** The expected log pointwise predictive density (`elpd_loo`, `elpd_waic`, …). */
  elpd: Estimate;
  /** The effective number of parameters (`p_loo`, `p_waic`, …). */
  p: Estimate;
  /** The criterion on the deviance scale (`looic`, `waic`, …). */
  ic: Estimate;
  /** Pointwise values by loo's column names (`elpd_loo`, `mcse_elpd_loo`, `p_loo`, …). */
  pointwise: Record<string, Float64Array>;
  /** Pareto k diagnostics per observation (PSIS-LOO), or null. */
  paretoK: Float64Array | null;
  /** PSIS effective sample sizes per observation, or null. */
  nEff: Float64Array | null;
  /** The observations, labelled as in the fit's InferenceData. */
  obsId: Coord;
  /** Number of draws used. */
  ndraws: number;
  /** Number of observations. */
  nobs: number;
  /** The R object (pass it to {@link looCompare}). */
  r: RObject;
}

/**
 * Options of {@link loo} and {@link waic}: brms's arguments in camelCase.
 *
 * @example
 * ```ts
 * const opts: CriterionOptions = { resp: "y1", momentMatch: false };
 * ```
 */
export interface CriterionOptions extends PostfitCallOptions {
  /** Only this response of a multivariate model (brms's `resp`). */
  resp?: string;
  /** brms's `moment_match` (loo only). */
  momentMatch?: boolean;
  /** brms's `reloo` (loo only: refits for observations with high Pareto k). */
  reloo?: boolean;
  /** Any other argument of brms's function, by camelCase name. */
  [argument: string]: unknown;
}

interface IcPayload {
  class: unknown;
  names: unknown;
  estimate: unknown;
  se: unknown;
  pointwise: DataFrame | null;
  pareto_k: unknown;
  n_eff: unknown;
  dims: unknown;
}

function toResult(
  criterion: string,
  v: IcPayload,
  obj: RObject,
  obsId: Coord,
): CriterionResult {
  const names = strings(v.names), est = f64(v.estimate), se = f64(v.se);
  const estimates: Record<string, Estimate> = {};
  names.forEach((n, i) => estimates[n] = { estimate: est[i], se: se[i] });
  const pick = (test: (n: string) => boolean, fallback: number) =>
    estimates[names.find(test) ?? names[fallback]];
  const pointwise: Record<string, Float64Array> = {};
  if (v.pointwise) { for (const [n, c] of v.pointwise.entries()) pointwise[n] = f64(c); }
  const dims = f64(v.dims);
  return {
    criterion,
    classes: strings(v.class),
    estimates,
    elpd: pick((n) => n.startsWith("elpd"), 0),
    p: pick((n) => n.startsWith("p_"), 1),
    ic: pick((n) => !n.startsWith("elpd") && !n.startsWith("p_"), 2),
    pointwise,
    paretoK: v.pareto_k === null || v.pareto_k === undefined ? null : f64(v.pareto_k),
    nEff: v.n_eff === null || v.n_eff === undefined ? null : f64(v.n_eff),
    obsId,
    ndraws: dims[0] ?? 0,
    nobs: dims[1] ?? 0,
    r: obj,
  };
}

function ids(fit: FitLike, fromR: unknown, n: number): Coord {
  const mine = fitObsId(fit);
  if (mine && mine.length === n) return mine;
  const c = coord(fromR);
  return c.length === n ? c : Array.from({ length: n }, (_, i) => i);
}

async function criterion(
  fit: FitLike,
  name: string,
  options: CriterionOptions,
): Promise<CriterionResult> {
  const r = fitHandle(fit, `${name}()`);
  const { w, call } = await prepare(options);
  const out = await callRHelperValue(w, POSTFIT_HELPERS, "brmsts_pf_criterion", [
    r,
    name,
    brmsArgs(options),
  ], call) as {
    obj: RObject;
    value: IcPayload;
    obs_id: unknown;
  };
  const n = f64(out.value.dims)[1] ?? 0;
  const res = toResult(name, out.value, out.obj, ids(fit, out.obs_id, n));
  return withDisplay(res, () =>
    rowsBundle(
      Object.entries(res.estimates).map(([k, e]) => ({ "": k, Estimate: e.estimate, SE: e.se })),
      { title: `${res.criterion}: ${res.nobs} observations, ${res.ndraws} draws` },
    ));
}

/**
 * PSIS leave-one-out cross-validation, `brms::loo()` (R's loo package): elpd_loo, p_loo and
 * looic with standard errors, pointwise values and Pareto k diagnostics.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const l = await loo(fit);
 * console.log(l.elpd.estimate, l.elpd.se, Math.max(...l.paretoK!));
 * ```
 */
export function loo(fit: FitLike, options: CriterionOptions = {}): Promise<CriterionResult> {
  return criterion(fit, "loo", options);
}

/**
 * The widely applicable information criterion, `brms::waic()`.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const w = await waic(fit);
 * w.estimates.waic.estimate; // = -2 * w.elpd.estimate
 * ```
 */
export function waic(fit: FitLike, options: CriterionOptions = {}): Promise<CriterionResult> {
  return criterion(fit, "waic", options);
}

/**
 * One row of {@link looCompare}, best model first; other columns by loo's names.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fitA: FitResult;
 * declare const fitB: FitResult;
 * const [best]: CompareRow[] = await looCompare({ a: fitA, b: fitB });
 * ```
 */
export interface CompareRow {
  /** The model's name. */
  model: string;
  /** ELPD difference to the best model. */
  elpd_diff: number;
  /** Standard error of that difference. */
  se_diff: number;
  /** Further columns of `loo_compare()` (elpd_loo, p_loo, looic, …). */
  [column: string]: number | string;
}

/**
 * Options of {@link looCompare}.
 *
 * @example
 * ```ts
 * const opts: LooCompareOptions = { criterion: "waic" };
 * ```
 */
export interface LooCompareOptions extends PostfitCallOptions {
  /** The criterion to compute for fits without it (default `"loo"`). */
  criterion?: "loo" | "waic" | "kfold";
}

/**
 * `loo::loo_compare()` of several models: fits (their stored criterion, from
 * {@link addCriterion}, or computed now) or results of {@link loo}/{@link waic}. Models are
 * named by the record keys, or `model1`, `model2`, … for an array; rows come best first.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fitA: FitResult;
 * declare const fitB: FitResult;
 * const rows = await looCompare({ full: fitA, reduced: fitB });
 * rows[0].model; // the best model
 * rows[1].elpd_diff; rows[1].se_diff;
 * ```
 */
export async function looCompare(
  models:
    | Readonly<Record<string, FitLike | CriterionResult>>
    | readonly (FitLike | CriterionResult)[],
  options: LooCompareOptions = {},
): Promise<CompareRow[]> {
  const entries = Array.isArray(models)
    ? models.map((m, i) => [`model${i + 1}`, m] as const)
    : Object.entries(models as Record<string, FitLike | CriterionResult>);
  const objs = entries.map(([name, m]) => {
    if (m !== null && typeof m === "object" && "criterion" in m && "estimates" in m) {
      const r = (m as CriterionResult).r;
      r.assertUsable();
      return r;
    }
    return fitHandle(m as FitLike, `looCompare() model '${name}'`);
  });
  const { w, call } = await prepare(options);
  const out = await callRHelperValue(w, POSTFIT_HELPERS, "brmsts_pf_compare", [
    objs,
    entries.map(([n]) => n),
    options.criterion ?? "loo",
  ], call) as { models: unknown; table: DataFrame };
  const names = strings(out.models);
  const cols = out.table.entries();
  const rows = names.map((model, i) => {
    const row: CompareRow = { model, elpd_diff: NaN, se_diff: NaN };
    for (const [c, v] of cols) row[c] = (v as Float64Array)[i];
    return row;
  });
  return withDisplay(rows, () => rowsBundle(rows));
}

/**
 * The criteria stored in a fit by {@link addCriterion}.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const c: Criteria = (await addCriterion(fit, "loo")).criteria;
 * c.loo?.paretoK;
 * ```
 */
export interface Criteria {
  /** PSIS-LOO, if added. */
  loo?: CriterionResult;
  /** WAIC, if added. */
  waic?: CriterionResult;
  /** K-fold cross-validation, if added. */
  kfold?: CriterionResult;
  /** Subsampled LOO, if added. */
  loo_subsample?: CriterionResult;
  /** `bayes_R2`, `loo_R2`, `marglik`: as R returns them. */
  [criterion: string]: CriterionResult | unknown;
}

/**
 * `brms::add_criterion()`: computes criteria and stores them in (a copy of) the brmsfit, so
 * that {@link looCompare} reuses them. Returns the fit with the new handle `r` and the criteria.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * declare const other: any;
 * const fit2 = await addCriterion(fit, ["loo", "waic"]);
 * fit2.criteria.loo?.elpd.estimate;
 * await looCompare({ a: fit2, b: other });
 * ```
 */
export async function addCriterion(
  fit: FitResult,
  criterion: string | readonly string[],
  options?: CriterionOptions,
): Promise<FitResult & { criteria: Criteria }>;
/** Adds criteria to a fit (another form of this function; see its other signature). */
export async function addCriterion(
  fit: FitHandle | RObject | { readonly r: RObject },
  criterion: string | readonly string[],
  options?: CriterionOptions,
): Promise<{ r: RObject; criteria: Criteria }>;
export async function addCriterion(
  fit: FitLike,
  criterion: string | readonly string[],
  options: CriterionOptions = {},
): Promise<{ r: RObject; criteria: Criteria }> {
  const r = fitHandle(fit, "addCriterion()");
  const { w, call } = await prepare(options);
  const out = await callRHelperValue(w, POSTFIT_HELPERS, "brmsts_pf_add", [
    r,
    [criterion].flat(),
    brmsArgs(options),
  ], call) as {
    fit: RObject;
    criteria: Record<string, { ic?: IcPayload; obj?: RObject; value?: unknown }>;
    obs_id: unknown;
  };
  const criteria: Criteria = {};
  for (const [name, c] of Object.entries(out.criteria ?? {})) {
    if (c.ic && c.obj) {
      const n = f64(c.ic.dims)[1] ?? 0;
      criteria[name] = toResult(name, c.ic, c.obj, ids(fit, out.obs_id, n));
    } else criteria[name] = c.value;
  }
  const base = fit instanceof RObject ? {} : fit;
  return { ...base, r: out.fit, criteria };
}
