/**
 * More of brms after fitting: `update()` (new formula, data or sampler settings, reusing the
 * compiled model whenever brms does), `bayesR2`, `looR2`, `marginalLikelihood` (bridge
 * sampling), `bayesFactor` and `exposeFunctions`. All computed by brms in the worker.
 *
 * @module
 */
import type { RObject } from "../../worker/mod.ts";
import { rCode } from "../../worker/mod.ts";
import { bf, type Formula } from "../../formula/mod.ts";
import { SpecError } from "../../formula/errors.ts";
import { brmArgs } from "../fit/options.ts";
import { dataArg } from "../core/data.ts";
import { join } from "node:path";
import { cacheDir, cacheEnabledByDefault } from "../compile/store.ts";
import { ensureTools, installRHelpers, rSource } from "../core/r_helpers.ts";
import { fitHandle, type FitLike, type NewData, type PostfitCallOptions } from "./args.ts";
import {
  brmPrepared,
  type FitResult,
  type IdataGroup,
  type PreparedCall,
  toInferenceData,
} from "../fit/fit.ts";
import { defaultWorker, type RWorker } from "../../worker/mod.ts";

async function ready(opts: PostfitCallOptions): Promise<RWorker> {
  const w = opts.worker ?? defaultWorker();
  await installRHelpers(w, "extras", rSource("postfit/extras.R"), opts.signal);
  return w;
}

interface RMatrix {
  rows: string[] | string;
  cols: string[] | string;
  values: number[] | Float64Array | number;
  nrow: number;
}

function arr<T>(x: T[] | T): T[] {
  return Array.isArray(x) ? x : [x];
}

function nums(x: number[] | Float64Array | number): Float64Array {
  return x instanceof Float64Array ? x : Float64Array.from(typeof x === "number" ? [x] : x);
}

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
  const m = await w.call("brmsts_x_r2", [r, what, args, options.seed ?? null], {
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
 * import { bayesR2 } from "./extras.ts";
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
 * import { looR2 } from "./extras.ts";
 * const r2 = await looR2(fit, { seed: 1 }) as Record<string, R2Summary>;
 * r2.R2["Q97.5"];
 * ```
 */
export function looR2(fit: FitLike, options: R2Options = {}): Promise<R2Result> {
  return r2("loo", fit, options);
}

/** Options of {@linkcode marginalLikelihood} and {@linkcode bayesFactor}. */
export interface BridgeOptions extends PostfitCallOptions {
  /** R's seed for the call (bridge sampling is random); R's RNG state is restored. */
  seed?: number;
  /** Further arguments of `bridgesampling::bridge_sampler` (camelCase → snake_case). */
  [argument: string]: unknown;
}

function bridgeArgs(options: BridgeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined || ["seed", "signal", "onLog", "worker"].includes(k)) continue;
    out[k.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())] = v;
  }
  return out;
}

/** The result of {@linkcode marginalLikelihood}. */
export interface MarginalLikelihood {
  /** Log marginal likelihood. */
  logml: number;
  /** Iterations of the bridge sampler. */
  niter: number;
  /** `"normal"` or `"warp3"`. */
  method: string;
  /** Repetitions. */
  repetitions: number;
  /** The `bridge` object in the worker (for `bayesFactor`, or any R function). */
  r: RObject;
}

/**
 * Log marginal likelihood by bridge sampling, brms's `bridge_sampler(fit)` (bridgesampling).
 * The fit needs all parameters saved (`brm({ savePars: { all: true } })`) and many draws.
 *
 * @example
 * ```ts
 * declare const fit: import("../fit/fit.ts").FitResult;
 * import { marginalLikelihood } from "./extras.ts";
 * const ml = await marginalLikelihood(fit, { seed: 1 });
 * ml.logml;
 * ```
 */
export async function marginalLikelihood(
  fit: FitLike,
  options: BridgeOptions = {},
): Promise<MarginalLikelihood> {
  const r = fitHandle(fit, "marginalLikelihood()");
  const w = await ready(options);
  const out = await w.call("brmsts_x_bridge", [r, bridgeArgs(options), options.seed ?? null], {
    signal: options.signal,
    onLog: options.onLog,
  }) as Omit<MarginalLikelihood, "r"> & { handle: RObject };
  const { handle, ...rest } = out;
  return { ...rest, r: handle };
}

/**
 * The Bayes factor of two models, brms's `bayes_factor(fit1, fit2)` (bridge sampling on both;
 * `log: true` for the log Bayes factor). Fits or {@linkcode marginalLikelihood} results.
 *
 * @example
 * ```ts
 * declare const fit1: import("../fit/fit.ts").FitResult, fit2: import("../fit/fit.ts").FitResult;
 * import { bayesFactor } from "./extras.ts";
 * const { bf } = await bayesFactor(fit1, fit2, { seed: 1 });
 * ```
 */
export async function bayesFactor(
  fit1: FitLike | MarginalLikelihood,
  fit2: FitLike | MarginalLikelihood,
  options: BridgeOptions & { log?: boolean } = {},
): Promise<{ bf: number; log: boolean }> {
  const h = (f: FitLike | MarginalLikelihood) =>
    "logml" in f ? (f as MarginalLikelihood).r : fitHandle(f as FitLike, "bayesFactor()");
  const w = await ready(options);
  return await w.call(
    "brmsts_x_bf",
    [h(fit1), h(fit2), bridgeArgs(options), options.seed ?? null],
    { signal: options.signal, onLog: options.onLog, convert: "value" },
  ) as { bf: number; log: boolean };
}

/** Options of {@linkcode exposeFunctions}. */
export interface ExposeOptions extends PostfitCallOptions {
  /** brms's `vectorize`: wrap the functions in R's `Vectorize()`. */
  vectorize?: boolean;
  /**
   * Keep the compiled functions in the cache directory and reuse them for the same Stan
   * functions, also in later sessions (default `true`; `BRMSTS_CACHE=0` changes the default).
   */
  cache?: boolean;
  /** Cache directory (default as `brm()`'s); the functions go to its `functions/` folder. */
  cacheDir?: string;
}

/**
 * Makes the Stan functions of a model (its `functions` block, e.g. a custom family's) callable
 * from R in the worker, brms's `expose_functions(fit, vectorize)`: then `callR(name, args)`
 * calls them. Compiles C++ (about a minute) the first time; the shared library is cached (see
 * `cache`), so the same functions load in seconds afterwards. Returns the names of the new R
 * functions.
 *
 * @example
 * ```ts
 * declare const fit: import("../fit/fit.ts").FitResult;
 * import { callR } from "../../worker/mod.ts";
 * import { exposeFunctions } from "./extras.ts";
 * await exposeFunctions(fit, { vectorize: true }); // ["beta_binomial2_lpmf", ...]
 * await callR("beta_binomial2_lpmf", [3, 0.2, 5, 10]);
 * ```
 */
export async function exposeFunctions(
  fit: FitLike,
  options: ExposeOptions = {},
): Promise<string[]> {
  const r = fitHandle(fit, "exposeFunctions()");
  const w = await ready(options);
  const dir = (options.cache ?? cacheEnabledByDefault())
    ? join(cacheDir(options.cacheDir), "functions")
    : null;
  const names = await w.call("brmsts_x_expose", [r, options.vectorize ?? false, dir], {
    signal: options.signal,
    onLog: options.onLog,
    convert: "value",
  });
  return names === null ? [] : arr(names as string[] | string);
}

/** Options of {@linkcode update}: brms's `update.brmsfit()` arguments. */
export interface UpdateOptions extends PostfitCallOptions {
  /**
   * Formula changes: formula text (parsed by the formula DSL, never evaluated; `"~ . + x"`,
   * `". ~ . - x"`, a full formula) or a `bf()` value.
   */
  formula?: string | Formula;
  /** New data (brms refits on it, reusing the compiled model when the Stan code is unchanged). */
  newdata?: NewData;
  /** brms's `recompile` (default: brms decides by comparing the Stan code). */
  recompile?: boolean;
  /**
   * When brms recompiles: use `brm()`'s compiled-model cache (default `true`; the same key as
   * `brm()` of the updated model, so either reuses the other's compile).
   */
  cache?: boolean;
  /** Cache directory (default as `brm()`'s). */
  cacheDir?: string;
  /** The data's name in `summary()` (default: the fit's). */
  dataName?: string;
  /** Groups of the returned InferenceData (default: all). */
  idataGroups?: readonly IdataGroup[];
  /** Everything else of `brm()`: `iter`, `chains`, `seed`, `priors`, `family`, … */
  [argument: string]: unknown;
}

/**
 * brms's `update(fit, formula., newdata, ...)`: the fit again with a changed formula, new data or
 * other `brm()` arguments. brms decides whether the Stan code changed; if it did, the model
 * comes from `brm()`'s compiled-model cache (`cache` says whether from memory, disk or a compile
 * now, `compiled` whether it compiled); the result is a {@link FitResult} like `brm()`'s.
 *
 * @example
 * ```ts
 * declare const fit: import("../fit/fit.ts").FitResult;
 * import { update } from "./extras.ts";
 * const more = await update(fit, { iter: 2000, seed: 2 }); // no compile
 * const wider = await update(fit, { formula: "~ . + zAge" }); // brms decides
 * more.compiled; // false
 * ```
 */
export async function update(fit: FitLike, options: UpdateOptions = {}): Promise<FitResult> {
  const r = fitHandle(fit, "update()");
  const w = await ready(options);
  // brms's update() may hand its brm() call to brmPrepared (brm()'s helpers must be there).
  await ensureTools(w, options.signal);
  const { formula, newdata, idataGroups, signal, onLog, worker: _w, dataName, ...rest } = options;
  let form: unknown = null;
  if (typeof formula === "string") form = rCode(String(bf(formula)));
  else if (formula !== undefined) {
    if (formula === null || typeof formula !== "object") {
      throw new SpecError("update(): 'formula' must be formula text or a bf() value");
    }
    form = rCode(String(formula));
  }
  const args = brmArgs({ ...rest, formula: "y ~ 1", data: rCode("NULL") });
  delete args.formula;
  delete args.data;
  const t0 = performance.now();
  const res = await w.callResult(
    "brmsts_x_update",
    {
      ...args,
      fit: r,
      data_name: dataName ?? null,
      formula: form,
      newdata: newdata === undefined ? null : dataArg(newdata),
    },
    { signal, onLog },
  );
  const out = res.value as
    | { recompile: false; fit: RObject; ndraws: number; mode: number | null }
    | { recompile: true; prep: PreparedCall; chains: number; iter: number; data_name: string };
  if (out.recompile) {
    // brms would recompile: the call it prepared goes through brm()'s compiled-model cache
    // (same key as brm() of the same model), then samples with brms's own arguments.
    const { prep } = out;
    const seed = typeof rest.seed === "number" ? rest.seed : undefined;
    const refit = await brmPrepared({
      ...(rest as Record<string, unknown>),
      chains: out.chains,
      iter: out.iter,
      seed,
      dataName: out.data_name,
      idataGroups,
      signal,
      worker: w,
      returnIdata: true,
    }, () => Promise.resolve(prep)) as FitResult;
    return { ...refit, warnings: [...res.warnings, ...refit.warnings] };
  }
  const compiled = res.messages.some((m) => /[Cc]ompiling|recompil/.test(m));
  const sampleMs = performance.now() - t0;
  const idata = await toInferenceData(out.fit, {
    groups: idataGroups,
    seed: typeof rest.seed === "number" ? rest.seed : undefined,
    signal,
    worker: w,
  });
  return {
    idata,
    r: out.fit,
    compiled,
    // Without a recompile brms samples the fit's own compiled model, already in this worker.
    cache: compiled ? "compiled" : "memory",
    timings: { sample: sampleMs, total: performance.now() - t0 },
    warnings: res.warnings,
  };
}
