/**
 * Predictions of a fitted model, computed by brms in the worker and returned as ArviZ-shaped
 * InferenceData that composes with the fit's own (`extend`, `merge`):
 *
 * | function              | no newdata                       | newdata                                     | variable        |
 * | --------------------- | -------------------------------- | ------------------------------------------- | --------------- |
 * | `posterior`           | posterior, constant_data         | –                                           | parameters      |
 * | `observedData`        | observed_data, constant_data     | –                                           | one per response|
 * | `posteriorPredict`    | posterior_predictive             | predictions, predictions_constant_data      | `<resp>`        |
 * | `posteriorEpred`      | posterior                        | predictions                                 | `<resp>_mean`   |
 * | `posteriorLinpred`    | posterior                        | predictions                                 | `<resp>_linpred`|
 * | `logLik`              | log_likelihood, constant_data    | log_likelihood, predictions_constant_data   | `<resp>`        |
 *
 * @module
 */
import type { RCode, RObject } from "../../worker/mod.ts";
import type { DataFrame } from "../../data/mod.ts";
import type { InferenceData } from "../../idata/inference_data.ts";
import type { Coord } from "../../idata/types.ts";
import { Dataset } from "../../idata/dataset.ts";
import { toInferenceData } from "../fit/fit.ts";
import { strings } from "../core/decode.ts";
import {
  fitHandle,
  type FitLike,
  fitObsId,
  type NewData,
  newdataArg,
  type PostfitCallOptions,
  prepare,
} from "./args.ts";
import { brmsArgs } from "../fit/options.ts";
import { predictionIdata, type PredictPayload } from "./_draws.ts";
import { BrmstsRangeError } from "../../errors.ts";
import { callRHelperValue } from "../../rhelpers.ts";
import { POSTFIT_HELPERS } from "../core/r_helpers.ts";

/**
 * Options shared by the prediction functions (brms's arguments, camelCase).
 *
 * @example
 * ```ts
 * const opts: PredictOptions = { newdata: { g: ["a"] }, allowNewLevels: true, seed: 1 };
 * ```
 */
export interface PredictOptions extends PostfitCallOptions {
  /** New data (any data-frame form, or R data); obs_id follows its `obs_id` column or row names. */
  newdata?: NewData;
  /** brms's `re_formula`: `null` → `NA` (no group-level effects), or a formula like `"~ (1 | g)"`. */
  reFormula?: string | null | RObject | RCode;
  /** brms's `allow_new_levels`. */
  allowNewLevels?: boolean;
  /** brms's `sample_new_levels`. */
  sampleNewLevels?: "uncertainty" | "gaussian" | "old_levels";
  /** brms's `ndraws`: a random subset of draws (returned as one chain; `draw` holds the ids). */
  ndraws?: number;
  /** brms's `draw_ids`, but 0-based like the `draw` coordinates (returned as one chain). */
  drawIds?: readonly number[];
  /** brms's `resp`: only these responses of a multivariate model. */
  resp?: string | readonly string[];
  /** Seed for R's RNG during the call (draw subsets, predictive draws); R's RNG is restored. */
  seed?: number;
  /** Any other argument of the brms function, by camelCase name. */
  [argument: string]: unknown;
}

/**
 * Options of {@link posteriorEpred}.
 *
 * @example
 * ```ts
 * const opts: EpredOptions = { dpar: "sigma", reFormula: null };
 * ```
 */
export interface EpredOptions extends PredictOptions {
  /** brms's `dpar`: predictions of a distributional parameter (variable `<resp>_<dpar>`). */
  dpar?: string;
  /** brms's `nlpar`. */
  nlpar?: string;
}

/**
 * Options of {@link posteriorLinpred}.
 *
 * @example
 * ```ts
 * const opts: LinpredOptions = { transform: true, ndraws: 100, seed: 2 };
 * ```
 */
export interface LinpredOptions extends EpredOptions {
  /** brms's `transform`: apply the inverse link. */
  transform?: boolean;
}

/**
 * What the prediction functions return.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const { idata }: PredictionResult = await posteriorEpred(fit);
 * ```
 */
export interface PredictionResult {
  /** The groups of the table above. */
  idata: InferenceData;
}

/**
 * Options of {@link posterior} and {@link observedData}.
 *
 * @example
 * ```ts
 * const opts: DrawsOptions = { signal: AbortSignal.timeout(60_000) };
 * ```
 */
export type DrawsOptions = PostfitCallOptions;

type What = "predict" | "epred" | "linpred" | "log_lik";

async function predict(
  fit: FitLike,
  what: What,
  options: PredictOptions,
  where: string,
): Promise<PredictionResult> {
  const r = fitHandle(fit, where);
  const { w, call } = await prepare(options);
  const hasNew = options.newdata !== undefined && options.newdata !== null;
  const args = brmsArgs(options);
  const dpar = typeof options.dpar === "string" ? options.dpar : undefined;
  const drawIds = options.drawIds?.map((i) => {
    if (!Number.isInteger(i) || i < 0) throw new BrmstsRangeError(`${where}: bad draw id ${i}`);
    return i + 1;
  });
  const suffix = (dpar ? `_${dpar}` : "") +
    (what === "epred" && !dpar ? "_mean" : what === "linpred" ? "_linpred" : "");
  const group = what === "predict"
    ? hasNew ? "predictions" : "posterior_predictive"
    : what === "log_lik"
    ? "log_likelihood"
    : hasNew
    ? "predictions"
    : "posterior";
  const constantGroup = what === "log_lik"
    ? hasNew ? "predictions_constant_data" : "constant_data"
    : what === "predict" && hasNew
    ? "predictions_constant_data"
    : undefined;
  const payload = await callRHelperValue(w, POSTFIT_HELPERS, "brmsts_pf_predict", {
    fit: r,
    what,
    newdata: newdataArg(options.newdata),
    args,
    seed: options.seed ?? null,
    ndraws: options.ndraws ?? null,
    draw_ids: drawIds ?? null,
    constant: constantGroup !== undefined,
  }, call) as PredictPayload;
  return {
    idata: predictionIdata(payload, {
      group,
      suffix,
      constantGroup,
      obsId: hasNew ? undefined : fitObsId(fit),
    }),
  };
}

/**
 * Draws from the posterior predictive distribution, `brms::posterior_predict()`: group
 * `posterior_predictive` (or `predictions` and `predictions_constant_data` with `newdata`),
 * one `(chain, draw, obs_id)` variable per response. Pass `seed` for reproducible draws.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const { idata } = await posteriorPredict(fit, { seed: 1 });
 * idata.get("posterior_predictive", "y").dims; // ["chain", "draw", "obs_id"]
 * const pred = await posteriorPredict(fit, { newdata: { g: ["a", "c"] } });
 * pred.idata.groups(); // ["predictions", "predictions_constant_data"]
 * ```
 */
export function posteriorPredict(
  fit: FitLike,
  options: PredictOptions = {},
): Promise<PredictionResult> {
  return predict(fit, "predict", options, "posteriorPredict()");
}

/**
 * Draws of the expected value of the response, `brms::posterior_epred()`: variable
 * `<resp>_mean` in group `posterior` (or `predictions` with `newdata`).
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const { idata } = await posteriorEpred(fit, { newdata: { g: ["a", "b", "c"] } });
 * idata.get("predictions", "y_mean").shape; // [chains, draws, 3]
 * ```
 */
export function posteriorEpred(
  fit: FitLike,
  options: EpredOptions = {},
): Promise<PredictionResult> {
  return predict(fit, "epred", options, "posteriorEpred()");
}

/**
 * Draws of the linear predictor, `brms::posterior_linpred()`: variable `<resp>_linpred` in
 * group `posterior` (or `predictions` with `newdata`); `transform: true` applies the inverse
 * link.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const { idata } = await posteriorLinpred(fit, { reFormula: null });
 * idata.get("posterior", "count_linpred").dims; // ["chain", "draw", "obs_id"]
 * ```
 */
export function posteriorLinpred(
  fit: FitLike,
  options: LinpredOptions = {},
): Promise<PredictionResult> {
  return predict(fit, "linpred", options, "posteriorLinpred()");
}

/**
 * Pointwise log-likelihood, `brms::log_lik()`: group `log_likelihood` with one
 * `(chain, draw, obs_id)` variable per response, plus `constant_data` (or
 * `predictions_constant_data` with `newdata`, which must hold the responses).
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const { idata } = await logLik(fit);
 * idata.get("log_likelihood", "y").shape; // [chains, draws, nobs]
 * ```
 */
export function logLik(fit: FitLike, options: PredictOptions = {}): Promise<PredictionResult> {
  return predict(fit, "log_lik", options, "logLik()");
}

function relabel(idata: InferenceData, obsId: Coord | undefined): InferenceData {
  if (!obsId) return idata;
  for (const g of idata.groups()) {
    const ds = idata.group(g);
    if (ds.sizes.obs_id !== obsId.length) continue;
    idata.setGroup(
      g,
      new Dataset(ds.vars, { ...Object.fromEntries(ds.coords), obs_id: obsId }, ds.attrs),
    );
  }
  return idata;
}

/**
 * The posterior draws of every parameter (brms's names, `(chain, draw)`) and the model's
 * non-response data: groups `posterior` and `constant_data`.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const { idata } = await posterior(fit);
 * idata.get("posterior", "b_Intercept").dims; // ["chain", "draw"]
 * ```
 */
export async function posterior(
  fit: FitLike,
  options: DrawsOptions = {},
): Promise<PredictionResult> {
  const r = fitHandle(fit, "posterior()");
  const { w } = await prepare(options);
  const idata = await toInferenceData(r, {
    groups: ["posterior", "constant_data"],
    signal: options.signal,
    worker: w,
  });
  return { idata: relabel(idata, fitObsId(fit)) };
}

/**
 * The observed responses (one `(obs_id)` variable per response) and the other model data:
 * groups `observed_data` and `constant_data`.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const { idata } = await observedData(fit);
 * idata.get("observed_data", "y").dims; // ["obs_id"]
 * ```
 */
export async function observedData(
  fit: FitLike,
  options: DrawsOptions = {},
): Promise<PredictionResult> {
  const r = fitHandle(fit, "observedData()");
  const { w } = await prepare(options);
  const idata = await toInferenceData(r, {
    groups: ["observed_data", "constant_data"],
    signal: options.signal,
    worker: w,
  });
  return { idata: relabel(idata, fitObsId(fit)) };
}

/**
 * Options of {@link conditionalEffects} (brms's arguments, camelCase).
 *
 * @example
 * ```ts
 * const opts: ConditionalEffectsOptions = { effects: "zBase:Trt", resolution: 20 };
 * ```
 */
export interface ConditionalEffectsOptions extends PostfitCallOptions {
  /** Effects to show, e.g. `"g"` or `["x", "x:g"]` (default: all main effects). */
  effects?: string | readonly string[];
  /** Values of other predictors to condition on (one grid per row). */
  conditions?: NewData;
  /** brms's `int_conditions`: values of numeric interaction partners. */
  intConditions?: Record<string, unknown>;
  /** brms's `re_formula` (its default here is `NA`: no group-level effects). */
  reFormula?: string | null;
  /** Width of the intervals (default 0.95). */
  prob?: number;
  /** `"posterior_epred"` (default), `"posterior_predict"` or `"posterior_linpred"`. */
  method?: "posterior_epred" | "posterior_predict" | "posterior_linpred";
  /** Grid points of numeric predictors (default 100). */
  resolution?: number;
  /** Any other argument of `conditional_effects()`, by camelCase name. */
  [argument: string]: unknown;
}

/**
 * One effect of {@link conditionalEffects}: the plotted data, not a plot.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const ce: ConditionalEffect = (await conditionalEffects(fit)).g;
 * ce.data.column("estimate__");
 * ```
 */
export interface ConditionalEffect {
  /**
   * The grid with `effect1__` (`effect2__`), `estimate__`, `se__`, `lower__`, `upper__` and
   * `cond__` columns, as brms computes them.
   */
  data: DataFrame;
  /** The observed points brms would overlay (response `resp__`), or null. */
  points: DataFrame | null;
  /** The variables of the effect. */
  effects: string[];
  /** The response. */
  response: string;
}

/**
 * `brms::conditional_effects()` as data: one {@link ConditionalEffect} per effect, keyed as brms
 * names them (`"g"`, `"x:g"`).
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const ce = await conditionalEffects(fit, { effects: "g" });
 * ce.g.data.column("estimate__"); // one estimate per level of g
 * ```
 */
export async function conditionalEffects(
  fit: FitLike,
  options: ConditionalEffectsOptions = {},
): Promise<Record<string, ConditionalEffect>> {
  const r = fitHandle(fit, "conditionalEffects()");
  const { w, call } = await prepare(options);
  const args = brmsArgs(options, CE_LOCAL);
  if (options.conditions !== undefined) args.conditions = newdataArg(options.conditions);
  const out = await callRHelperValue(w, POSTFIT_HELPERS, "brmsts_pf_ce", [r, args], call) as Record<
    string,
    { data: DataFrame; points: DataFrame | null; effects: unknown; response: unknown }
  >;
  return Object.fromEntries(
    Object.entries(out ?? {}).map(([k, v]) => [k, {
      data: v.data,
      points: v.points ?? null,
      effects: strings(v.effects),
      response: String(v.response),
    }]),
  );
}

const CE_LOCAL = new Set(["conditions"]);
