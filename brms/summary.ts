/**
 * Summaries of a fitted model computed by brms: `summary()` as structured data that prints
 * like brms, `fixef()`, `ranef()`, `posteriorSummary()`, `validateNewdata()` and the data of
 * `conditionalEffects()`.
 *
 * @module
 */
import type { DataFrame, NdArray } from "../data/mod.ts";
import { named } from "../worker/mod.ts";
import { dataArg } from "./_data.ts";
import { strings } from "./_decode.ts";
import {
  fitHandle,
  type FitLike,
  type NewData,
  type PostfitCallOptions,
  prepare,
} from "./fit_args.ts";
import { brmsArgs } from "./_options.ts";
import { formatTable } from "./_postfit_format.ts";
import { summaryBundle } from "./_display.ts";
import type { MimeBundle } from "../display/mod.ts";

/**
 * Options of {@link summary}.
 *
 * @example
 * ```ts
 * const opts: SummaryOptions = { prob: 0.9, robust: true, priors: true };
 * ```
 */
export interface SummaryOptions extends PostfitCallOptions {
  /** Width of the credible intervals (brms's `prob`, default 0.95). */
  prob?: number;
  /** Median and MAD instead of mean and SD (brms's `robust`). */
  robust?: boolean;
  /** Include the priors (brms's `priors`). */
  priors?: boolean;
  /** Add Monte Carlo standard errors (brms's `mc_se`). */
  mcSe?: boolean;
}

/**
 * The fields of {@link BrmsSummary}.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../mod.ts";
 * declare const fit: FitResult;
 * const data: SummaryData = await summary(fit);
 * data.fixed.column("Bulk_ESS");
 * ```
 */
export interface SummaryData {
  /** The model formula, one line per formula part (brms's rendering). */
  formula: string[];
  /** The family, e.g. `"poisson"` or `"MV(gaussian, gaussian)"`. */
  family: string;
  /** Link functions, one line per response, e.g. `"mu = log"`. */
  links: string[];
  /** The data's name as brms records it. */
  dataName: string;
  /** Number of observations. */
  nobs: number;
  /** Grouping factors and their number of levels. */
  ngrps: Record<string, number>;
  /** `"sampling"`, `"meanfield"`, `"fullrank"`, … */
  algorithm: string;
  /** E.g. `"sampling(NUTS)"`; empty when the fit has no draws. */
  sampler: string;
  /** Number of chains. */
  chains: number;
  /** Iterations per chain (warmup included). */
  iter: number;
  /** Warmup iterations per chain. */
  warmup: number;
  /** Thinning interval. */
  thin: number;
  /** Total post-warmup draws. */
  draws: number;
  /**
   * Population-level effects: rows are parameters, columns `Estimate`, `Est.Error`,
   * `l-95% CI`, `u-95% CI`, `Rhat`, `Bulk_ESS`, `Tail_ESS` (brms's names).
   */
  fixed: DataFrame;
  /** Group-level effects (`sd(...)`, `cor(...)`) per grouping factor. */
  random: Record<string, DataFrame>;
  /** Family-specific parameters (`sigma`, `shape`, …). */
  specPars: DataFrame;
  /** Autocorrelation parameters. */
  corPars: DataFrame;
  /** Residual correlations of multivariate models. */
  rescorPars: DataFrame | null;
  /** Smooth terms (`sds(...)`). */
  splines: DataFrame | null;
  /** Gaussian process terms. */
  gp: DataFrame | null;
  /** Simplex parameters of monotonic effects. */
  mo: DataFrame | null;
  /** The priors (with `priors: true`). */
  priors: DataFrame | null;
  /** The priors as brms prints them (`b ~ normal(0, 1)`). */
  priorLines: string[];
  /** Warnings brms raised (non-convergence, divergent transitions). */
  warnings: string[];
}

const ind = " ".repeat(9);

/**
 * A model summary (brms's `summary()`), as data; `toString()` renders it like brms's print.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../mod.ts";
 * declare const fit: FitResult;
 * const s = await summary(fit);
 * s.fixed.column("Estimate"); // Float64Array
 * s.fixed.column("Rhat");
 * console.log(String(s));
 * ```
 */
export class BrmsSummary implements SummaryData {
  formula!: string[];
  family!: string;
  links!: string[];
  dataName!: string;
  nobs!: number;
  ngrps!: Record<string, number>;
  algorithm!: string;
  sampler!: string;
  /** Number of chains. */
  chains!: number;
  /** Iterations per chain (warmup included). */
  iter!: number;
  /** Warmup iterations per chain. */
  warmup!: number;
  /** Thinning interval. */
  thin!: number;
  draws!: number;
  fixed!: DataFrame;
  random!: Record<string, DataFrame>;
  specPars!: DataFrame;
  corPars!: DataFrame;
  rescorPars!: DataFrame | null;
  splines!: DataFrame | null;
  gp!: DataFrame | null;
  mo!: DataFrame | null;
  priors!: DataFrame | null;
  priorLines!: string[];
  warnings!: string[];

  /** Wraps summary data. */
  constructor(data: SummaryData) {
    Object.assign(this, data);
  }

  /**
   * The summary as brms prints it, numbers with `digits` decimals (trailing blanks trimmed).
   *
   * @example
   * ```ts
   * import { type FitResult } from "../mod.ts";
   * declare const fit: FitResult;
   * console.log((await summary(fit)).format(3));
   * ```
   */
  format(digits = 2): string {
    const out: string[] = [];
    const table = (title: string, df: DataFrame | null) => {
      if (!df || df.nrow === 0) return;
      out.push(title, ...formatTable(df, digits), "");
    };
    out.push(` Family: ${this.family}`, `  Links: ${this.links.join(`\n${ind}`)}`);
    out.push(`Formula: ${this.formula.join(`\n${ind}`)}`);
    out.push(`   Data: ${this.dataName} (Number of observations: ${this.nobs})`);
    if (!this.sampler) {
      out.push("", "The model does not contain posterior draws.");
    } else {
      out.push(
        `  Draws: ${this.chains} chains, each with iter = ${this.iter}; warmup = ${this.warmup}; ` +
          `thin = ${this.thin};`,
        `${ind}total post-warmup draws = ${this.draws}`,
        "",
      );
      if (this.priorLines.length) out.push("Priors:", ...this.priorLines, "");
      table("Smooth Terms:", this.splines);
      table("Gaussian Process Terms:", this.gp);
      table("Correlation Structures:", this.corPars);
      const groups = Object.keys(this.random);
      if (groups.length) {
        out.push("Group-Level Effects:");
        for (const g of groups) {
          out.push(
            `~${g} (Number of levels: ${this.ngrps[g]})`,
            ...formatTable(this.random[g], digits),
            "",
          );
        }
      }
      table("Population-Level Effects:", this.fixed);
      table("Simplex Parameters:", this.mo);
      table("Family Specific Parameters:", this.specPars);
      table("Residual Correlations:", this.rescorPars);
      let tail = `Draws were sampled using ${this.sampler}.`;
      if (this.algorithm === "sampling") {
        tail += " For each parameter, Bulk_ESS\nand Tail_ESS are effective sample size measures, " +
          "and Rhat is the potential\nscale reduction factor on split chains (at convergence, Rhat = 1).";
      }
      out.push(tail);
    }
    return out.join("\n").split("\n").map((l) => l.trimEnd()).join("\n") + "\n";
  }

  /** The summary as brms prints it (2 decimals). */
  toString(): string {
    return this.format(2);
  }

  /** Jupyter display (Deno's kernel): tables with Rhat > 1.01 and ESS < 400 highlighted. */
  [Symbol.for("Jupyter.display")](): MimeBundle {
    return summaryBundle(this);
  }
}

type Payload = Record<string, unknown>;

function frameOrNull(x: unknown): DataFrame | null {
  return x === null || x === undefined ? null : (x as DataFrame);
}

/**
 * brms's `summary()` of a fit as {@link BrmsSummary}: formula, family and links, data size,
 * draws, population- and group-level effects, family parameters, with Rhat and bulk/tail ESS.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../mod.ts";
 * declare const fit: FitResult;
 * const s = await summary(fit, { prob: 0.9 });
 * s.fixed.rowNames; // ["Intercept", "zAge", ...]
 * s.random.patient.column("Estimate");
 * console.log(s.toString()); // reads like print(summary(fit)) in R
 * ```
 */
export async function summary(fit: FitLike, options: SummaryOptions = {}): Promise<BrmsSummary> {
  const r = fitHandle(fit, "summary()");
  const { w, call } = await prepare(options);
  const res = await w.callResult("brmsts_pf_summary", [r, brmsArgs(options)], call);
  const p = res.value as Payload;
  const num = (k: string) => Number(p[k] ?? 0);
  const random = (p.random ?? {}) as Record<string, DataFrame>;
  return new BrmsSummary({
    formula: strings(p.formula),
    family: String(p.family),
    links: strings(p.links),
    dataName: String(p.data_name),
    nobs: num("nobs"),
    ngrps: Array.isArray(p.ngrps) ? {} : (p.ngrps ?? {}) as Record<string, number>,
    algorithm: String(p.algorithm),
    sampler: String(p.sampler ?? ""),
    chains: num("chains"),
    iter: num("iter"),
    warmup: num("warmup"),
    thin: num("thin"),
    draws: Math.ceil((num("iter") - num("warmup")) / num("thin") * num("chains")),
    fixed: p.fixed as DataFrame,
    random: Array.isArray(random) ? {} : random,
    specPars: p.spec_pars as DataFrame,
    corPars: p.cor_pars as DataFrame,
    rescorPars: frameOrNull(p.rescor_pars),
    splines: frameOrNull(p.splines),
    gp: frameOrNull(p.gp),
    mo: frameOrNull(p.mo),
    priors: frameOrNull(p.prior),
    priorLines: strings(p.prior_lines),
    warnings: res.warnings,
  });
}

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
 * import { type FitResult } from "../mod.ts";
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
  return await w.call("brmsts_pf_tab_call", [fn, r, args], call) as T;
}

/**
 * Group-level effects, `brms::ranef()`: per grouping factor, per coefficient, a DataFrame with
 * the levels as row names and columns `Estimate`, `Est.Error`, `Q2.5`, `Q97.5`; with
 * `summary: false` per grouping factor an NdArray `[draws, levels, coefficients]`.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../mod.ts";
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
  return await w.call("brmsts_pf_ranef", [r, brmsArgs(options)], call) as Record<
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
 * import { type FitResult } from "../mod.ts";
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
 * import { type FitResult } from "../mod.ts";
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
  return await w.call("brmsts_pf_validate", args, call) as DataFrame;
}
