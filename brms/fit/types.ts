/**
 * The option and result types of `brm()`.
 *
 * @module
 */
import type { FormulaPolicy } from "../../formula/policy.ts";
import type { RObject, RWorker } from "../../worker/mod.ts";
import type { InferenceData } from "../../idata/inference_data.ts";
import type { Formula } from "../../formula/bf.ts";
import type { FamilyInput } from "../../formula/brmsfamily.ts";
import type { PriorInput } from "../../formula/prior.ts";
import type { DataFrameInput } from "../../data/mod.ts";
import type { RCode } from "../../worker/mod.ts";
import type { PlainPrior, SavePars } from "./options.ts";
import type { IdataGroup } from "./draws.ts";
import type { FitPhase, ProgressEvent } from "./progress.ts";

/**
 * Options of {@link brm}. The named options map to brms's arguments (camelCase → snake_case,
 * `priors` → `prior`); any other option is passed to `brms::brm()` (and from there to rstan or
 * cmdstanr) with its camelCase name converted to snake_case and its value as is.
 *
 * @example
 * ```ts
 * import type { BrmOptions } from "./types.ts";
 * const opts: BrmOptions = {
 *   formula: "y ~ x + (1 | g)",
 *   data: { y: [1.2, 0.4, 2.2, 1.9], x: [0, 1, 0, 1], g: ["a", "a", "b", "b"] },
 *   priors: [{ prior: "normal(0, 1)", class: "b" }],
 *   chains: 2, iter: 1000, control: { adapt_delta: 0.95 }, refresh: 0,
 * };
 * ```
 */
export interface BrmOptions {
  /** The model: formula text, a `bf()`/`mvbf()` value or sum, or an R object / `rCode()`. */
  formula: Formula | string | RObject | RCode;
  /** The data: a DataFrame, an object of columns, row objects, an Arrow Table, or R data. */
  data: DataFrameInput | RObject | RCode;
  /** The family: a name (`"poisson"`), a family value, or R. brms's default is gaussian. */
  family?: FamilyInput | RObject | RCode;
  /** Priors: `prior()` values, plain `{ prior, class, ... }` objects, arrays of them, or R. */
  priors?: PriorInput | PlainPrior | readonly (PriorInput | PlainPrior)[] | RObject | RCode | null;
  /** Same as `priors` (brms's name). */
  prior?: BrmOptions["priors"];
  /** Number of chains (brms: 4). */
  chains?: number;
  /** Iterations per chain, warmup included (brms: 2000). */
  iter?: number;
  /** Warmup iterations per chain (brms: iter / 2). */
  warmup?: number;
  /** Thinning. */
  thin?: number;
  /** Chains run in parallel (forked processes with rstan). */
  cores?: number;
  /** Seed of the sampler (and of `posterior_predict` for the returned idata). */
  seed?: number;
  /** Sampler control, e.g. `{ adapt_delta: 0.95, max_treedepth: 12 }` (camelCase accepted). */
  control?: Record<string, unknown>;
  /** Initial values: `"random"`, `"0"`, `0`, or one object per chain. */
  init?: unknown;
  /** `"rstan"` (default) or `"cmdstanr"` (needs cmdstanr and CmdStan in the worker's R). */
  backend?: "rstan" | "cmdstanr" | "mock";
  /** `"sampling"` (NUTS), `"meanfield"`, `"fullrank"` (variational) or `"fixed_param"`. */
  algorithm?: "sampling" | "meanfield" | "fullrank" | "fixed_param";
  /** brms's `sample_prior`. */
  samplePrior?: "no" | "yes" | "only" | boolean;
  /** brms's `save_pars`: `{ all: true }`, `{ group: false }`, … or R. */
  savePars?: SavePars | RObject | RCode;
  /** Return the InferenceData (default `true`); `false` returns only the handle. */
  returnIdata?: boolean;
  /** The data's name in `summary()` ("Data: <name>"), as R shows the data's variable name. */
  dataName?: string;
  /** Groups of the InferenceData (default: all six). */
  idataGroups?: readonly IdataGroup[];
  /** Use the compiled-model cache (default `true`; `BRMSTS_CACHE=0` changes the default). */
  cache?: boolean;
  /** Cache directory (default `$BRMSTS_CACHE_DIR`, `$XDG_CACHE_HOME/brmsts`, `~/.cache/brmsts`). */
  cacheDir?: string;
  /**
   * Size cap of the compiled models on disk in bytes (default `$BRMSTS_CACHE_MAX`, else 2 GB);
   * least recently used models are evicted after a compile.
   */
  cacheMaxBytes?: number;
  /** Receives phase and sampling progress. */
  onProgress?: (e: ProgressEvent) => void;
  /**
   * Progress on stderr: `true` a bar, `"lines"` a few structured lines (phase changes, each
   * chain every 10% of sampling), `false` none. Default: the bar when stderr is a TTY, else the
   * lines (when the worker's console goes to stderr). Raw console text is always available
   * through `onLog`.
   */
  progress?: boolean | "lines";
  /** Cancels the fit (R is interrupted). */
  signal?: AbortSignal;
  /** The R worker to use (default: the shared default worker). */
  worker?: RWorker;
  /**
   * Fit in a fresh copy of the worker's warm R, thrown away afterwards (`RWorker.isolated`):
   * nothing the fit does to R stays in the worker. The result's `r` handle ends with the copy:
   * use the InferenceData, or fit without `isolate` to keep the brmsfit.
   */
  isolate?: boolean;
  /**
   * Check the formula against the formula policy before R sees it (`checkFormula`: terms call
   * only allowed functions, names only `columns` when given), for formulas your users write.
   * Default off: R's semantics, where a term may call any R function.
   */
  formulaPolicy?: boolean | FormulaPolicy;
  /** Any other argument of `brms::brm()` / rstan / cmdstanr. */
  [argument: string]: unknown;
}

/**
 * Where the compiled model came from: this worker's memory (also: `update()` reusing the fit's
 * own compiled model), the disk cache, a compile now, or the cache was off.
 *
 * @example
 * ```ts
 * import type { CacheOutcome } from "./types.ts";
 * const reused = (c: CacheOutcome) => c === "memory" || c === "disk";
 * ```
 */
export type CacheOutcome = "memory" | "disk" | "compiled" | "off";

/**
 * What {@link brm} returns.
 *
 * @example
 * ```ts
 * import type { FitResult } from "./types.ts";
 * const report = (f: FitResult) =>
 *   `${f.idata.groups().join(", ")}; compiled: ${f.compiled}; ${f.timings.total.toFixed(0)} ms`;
 * ```
 */
export interface FitResult {
  /** The draws and data, ArviZ's groups (absent with `returnIdata: false`). */
  idata: InferenceData;
  /** The brmsfit in the worker; pass it to later calls. */
  r: RObject;
  /** Whether a Stan model was compiled for this fit. */
  compiled: boolean;
  /** Where the compiled model came from. */
  cache: CacheOutcome;
  /** The cache key (hash of Stan code and versions), when the cache was used. */
  cacheKey?: string;
  /** Milliseconds per phase, and `total`. */
  timings: Partial<Record<FitPhase, number>> & { total: number };
  /**
   * When this fit compiled a model (rstan): whether the precompiled header was `used` (already
   * `ready`, or `built` by this fit, in `buildMs` ms, part of the compile time), `off`, or
   * `failed` (the model was compiled without it).
   */
  compiler?: {
    pch: "ready" | "built" | "off" | "failed";
    buildMs: number;
    /** Whether the model was compiled with link-time optimisation (see `BRMSTS_LTO`). */
    lto: boolean;
    reason?: string;
  };
  /** Warnings R raised (divergences, low ESS, InferenceData groups brms could not compute, …). */
  warnings: string[];
}

/**
 * {@link FitResult} without the InferenceData (`returnIdata: false`).
 *
 * @example
 * ```ts
 * import type { FitHandle } from "./types.ts";
 * const classes = (h: FitHandle) => h.r.classes; // ["brmsfit"]
 * ```
 */
export type FitHandle = Omit<FitResult, "idata">;
