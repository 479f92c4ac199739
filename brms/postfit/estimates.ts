/**
 * Estimates of a fitted model computed by brms: `fixef()`, `ranef()`, `posteriorSummary()` and
 * `validateNewdata()`.
 *
 * @module
 */
import type { DataFrame, NdArray } from "../../data/mod.ts";
import { named } from "../../worker/mod.ts";
import { dataArg } from "../core/data.ts";
import { fitHandle, type FitLike, type NewData, type PostfitCallOptions, prepare } from "./args.ts";
import { brmsArgs } from "../fit/options.ts";
import { callRHelperValue } from "../../rhelpers.ts";
import { POSTFIT_HELPERS } from "../core/r_helpers.ts";

/**
 * Options of {@link fixef}, {@link ranef} and {@link posteriorSummary}.
 *
 * @example
 * ```ts
 * const opts: EstimateOptions = { probs: [0.05, 0.95], robust: true };
 * ```
 */
export interface EstimateOptions extends PostfitCallOptions {
  /** Summaries (default) or the draws (`false`). */
  summary?: boolean;
  /** Median and MAD instead of mean and SD. */
  robust?: boolean;
  /** Quantiles to report (default `[0.025, 0.975]`). */
  probs?: readonly number[];
  /** Only these parameters (brms's `pars`). */
  pars?: readonly string[];
}

/**
 * Population-level effects, `brms::fixef()`: a DataFrame with parameters as row names and
 * columns `Estimate`, `Est.Error`, `Q2.5`, `Q97.5`; with `summary: false` the draws as an
 * NdArray `[draws, parameters]` (dimnames: parameters).
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const fe = await fixef(fit);
 * fe.rowNames; // ["Intercept", "gb", "gc"]
 * fe.column("Estimate");
 * const draws = await fixef(fit, { summary: false });
 * draws.shape; // [300, 3]
 * ```
 */
export function fixef(
  fit: FitLike,
  options: EstimateOptions & { summary: false },
): Promise<NdArray>;
/** Population-level effects (another form of this function; see its other signature). */
export function fixef(fit: FitLike, options?: EstimateOptions): Promise<DataFrame>;
export function fixef(fit: FitLike, options: EstimateOptions = {}): Promise<DataFrame | NdArray> {
  return estimates("fixef", fit, options, options.summary === false);
}

async function estimates<T>(
  fn: string,
  fit: FitLike,
  options: PostfitCallOptions,
  draws: boolean,
): Promise<T> {
  const r = fitHandle(fit, `${fn}()`);
  const { w, call } = await prepare(options);
  const args = brmsArgs(options);
  if (draws) return await w.call(`brms::${fn}`, [r, named(args)], call) as T;
  return await callRHelperValue(w, POSTFIT_HELPERS, "brmsts_pf_tab_call", [fn, r, args], call) as T;
}

/**
 * Group-level effects, `brms::ranef()`: per grouping factor, per coefficient, a DataFrame with
 * the levels as row names and columns `Estimate`, `Est.Error`, `Q2.5`, `Q97.5`; with
 * `summary: false` per grouping factor an NdArray `[draws, levels, coefficients]`.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const re = await ranef(fit);
 * re.patient.Intercept.rowNames; // ["1", "2", ...]
 * re.patient.Intercept.column("Estimate");
 * ```
 */
export function ranef(
  fit: FitLike,
  options: EstimateOptions & { summary: false; groups?: readonly string[] },
): Promise<Record<string, NdArray>>;
/** Group-level effects (another form of this function; see its other signature). */
export function ranef(
  fit: FitLike,
  options?: EstimateOptions & { groups?: readonly string[] },
): Promise<Record<string, Record<string, DataFrame>>>;
export async function ranef(
  fit: FitLike,
  options: EstimateOptions & { groups?: readonly string[] } = {},
): Promise<Record<string, Record<string, DataFrame>> | Record<string, NdArray>> {
  const r = fitHandle(fit, "ranef()");
  const { w, call } = await prepare(options);
  return await callRHelperValue(
    w,
    POSTFIT_HELPERS,
    "brmsts_pf_ranef",
    [r, brmsArgs(options)],
    call,
  ) as Record<
    string,
    Record<string, DataFrame>
  >;
}

/**
 * Options of {@link posteriorSummary}.
 *
 * @example
 * ```ts
 * const opts: PosteriorSummaryOptions = { variable: ["^b_"], regex: true };
 * ```
 */
export interface PosteriorSummaryOptions extends PostfitCallOptions {
  /** Only these variables (brms's `variable`); regular expressions with `regex: true`. */
  variable?: readonly string[];
  /** Treat `variable` as regular expressions. */
  regex?: boolean;
  /** Median and MAD instead of mean and SD. */
  robust?: boolean;
  /** Quantiles to report (default `[0.025, 0.975]`). */
  probs?: readonly number[];
}

/**
 * `brms::posterior_summary()`: every variable (or `variable`) with `Estimate`, `Est.Error` and
 * quantile columns, variables as row names.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const ps = await posteriorSummary(fit, { variable: ["b_Intercept", "sigma"] });
 * ps.rowNames; // ["b_Intercept", "sigma"]
 * ```
 */
export function posteriorSummary(
  fit: FitLike,
  options: PosteriorSummaryOptions = {},
): Promise<DataFrame> {
  return estimates("posterior_summary", fit, options, false);
}

/**
 * Options of {@link validateNewdata}.
 *
 * @example
 * ```ts
 * const opts: ValidateNewdataOptions = { checkResponse: false, allowNewLevels: true };
 * ```
 */
export interface ValidateNewdataOptions extends PostfitCallOptions {
  /** brms's `re_formula`: `null` → `NA`, or a formula string. */
  reFormula?: string | null;
  /** brms's `allow_new_levels`. */
  allowNewLevels?: boolean;
  /** brms's `check_response` (default `true`). */
  checkResponse?: boolean;
  /** brms's `resp`. */
  resp?: string | readonly string[];
  /** brms's `incl_autocor`. */
  inclAutocor?: boolean;
  /** Any other argument of `validate_newdata()`, by camelCase name. */
  [argument: string]: unknown;
}

/**
 * `brms::validate_newdata()`: checks new data against a fit and returns it as brms will use
 * it (factor levels aligned, missing variables reported by brms, e.g. "The following variables
 * can neither be found in 'data' nor in 'data2': 'x'", as an `RError`). The fit comes first,
 * as in every post-fit call.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const nd = await validateNewdata(fit, { g: ["a", "c"] }, { checkResponse: false });
 * nd.nrow; // 2
 * ```
 */
export async function validateNewdata(
  fit: FitLike,
  newdata: NewData,
  options: ValidateNewdataOptions = {},
): Promise<DataFrame> {
  const r = fitHandle(fit, "validateNewdata()");
  const { w, call } = await prepare(options);
  const args = { newdata: dataArg(newdata), object: r, ...brmsArgs(options) };
  return await callRHelperValue(w, POSTFIT_HELPERS, "brmsts_pf_validate", args, call) as DataFrame;
}
