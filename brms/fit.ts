/**
 * `brm()`: fit a brms model in the R worker and get an ArviZ-shaped InferenceData back.
 *
 * @module
 */
import process from "node:process";
import {
  type CallOptions,
  defaultWorker,
  type LogEntry,
  type RObject,
  type RWorker,
} from "../worker/mod.ts";
import type { InferenceData } from "../idata/inference_data.ts";
import type { Formula } from "../formula/compose.ts";
import { checkFormulaValue, type FormulaPolicy } from "../formula/policy.ts";
import type { FamilyInput } from "../formula/brmsfamily.ts";
import type { PriorInput } from "../formula/prior.ts";
import type { DataFrameInput } from "../data/mod.ts";
import type { RCode } from "../worker/mod.ts";
import { brmArgs, type PlainPrior, type SavePars } from "./_options.ts";
import { cacheDir, cacheEnabledByDefault, cacheKey, entryPaths, obtainModel } from "./_cache.ts";
import { ALL_GROUPS, buildIdata, type DrawsPayload, type IdataGroup } from "./_draws.ts";
import { defaultBar, type FitPhase, type ProgressEvent, ProgressTracker } from "./_progress.ts";
import { ensureTools } from "./_r_helpers.ts";
import { BrmsBackendError, BrmsSamplingError } from "./errors.ts";
import { checkPriors } from "./_prior_check.ts";

export type { IdataGroup } from "./_draws.ts";
export type { FitPhase, PhaseEvent, ProgressEvent, SamplingEvent } from "./_progress.ts";
export type { PlainPrior, SavePars } from "./_options.ts";

/**
 * Options of {@link brm}. The named options map to brms's arguments (camelCase → snake_case,
 * `priors` → `prior`); any other option is passed to `brms::brm()` (and from there to rstan or
 * cmdstanr) with its camelCase name converted to snake_case and its value as is.
 *
 * @example
 * ```ts
 * import type { BrmOptions } from "./fit.ts";
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
 * import type { CacheOutcome } from "./fit.ts";
 * const reused = (c: CacheOutcome) => c === "memory" || c === "disk";
 * ```
 */
export type CacheOutcome = "memory" | "disk" | "compiled" | "off";

/**
 * What {@link brm} returns.
 *
 * @example
 * ```ts
 * import type { FitResult } from "./fit.ts";
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
 * import type { FitHandle } from "./fit.ts";
 * const classes = (h: FitHandle) => h.r.classes; // ["brmsfit"]
 * ```
 */
export type FitHandle = Omit<FitResult, "idata">;

interface Sampled {
  fit: RObject;
  mode: number | null;
  ndraws: number;
  algorithm: string;
}

function consoleMode(w: RWorker): "stderr" | "silent" {
  return w.consoleOutput;
}

const FAILURE_HINT = /error|reject|exception|fail|not done|initiali[sz]/i;

/**
 * Fits a brms model with `brms::brm()` in the R worker. Reuses compiled models through the
 * disk cache, reports progress (also with `cores > 1`), turns sampler failures into
 * {@link BrmsSamplingError}, and returns an InferenceData (groups `posterior`,
 * `posterior_predictive`, `log_likelihood`, `sample_stats`, `observed_data`, `constant_data`)
 * with a handle on the brmsfit.
 *
 * @example
 * ```ts
 * import { brm, getBrmsData } from "./mod.ts";
 * const fit = await brm({
 *   formula: "count ~ zAge + zBase * Trt + (1 | patient)",
 *   data: await getBrmsData("epilepsy"),
 *   family: "poisson",
 *   priors: [{ prior: "normal(0, 1)", class: "b" }],
 *   chains: 2, iter: 1000, seed: 1,
 * });
 * fit.idata.get("posterior", "b_Intercept").shape; // [2, 500]
 * ```
 */
export async function brm(options: BrmOptions & { returnIdata: false }): Promise<FitHandle>;
/** Fits a model with brms; the result also holds the InferenceData (see the signature above). */
export async function brm(options: BrmOptions): Promise<FitResult>;
export async function brm(options: BrmOptions): Promise<FitResult | FitHandle> {
  // async: bad options reject the promise rather than throw where brm() is called.
  const fp = options.formulaPolicy;
  if (fp) checkFormulaValue(options.formula, fp === true ? {} : fp, "brm() 'formula'");
  const args = brmArgs(options as Record<string, unknown>);
  return await brmPrepared(
    options,
    (w, opts) => w.call("brmsts_prepare", args, opts) as Promise<PreparedCall>,
  );
}

/**
 * A call of `brms::brm()` prepared in the worker (`brmsts_prepare` in sampling.R): the call's
 * arguments and empty brmsfit (`spec`), its Stan code, backend and the versions the cache key
 * covers.
 *
 * @example
 * ```ts
 * import type { PreparedCall } from "./fit.ts";
 * const show = (p: PreparedCall) => `${p.backend}: ${p.code.length} characters of Stan code`;
 * ```
 */
export interface PreparedCall {
  /** An R environment with `args` (brm()'s arguments) and `x` (the empty brmsfit). */
  spec: RObject;
  /** The Stan code brms generates for the call. */
  code: string;
  /** `"rstan"` or `"cmdstanr"`. */
  backend: string;
  /** Versions of R, brms, the backend, … (part of the cache key). */
  facts: Record<string, string>;
  /** Why the backend cannot be used (`""` when it can). */
  problem: string;
}

/**
 * brm() on a call `prepare` prepares in the worker (brm() prepares its options; update()
 * prepares brms's update() of a fit): the same cache, progress, sampling and InferenceData.
 * Not public API: brms/extras.ts uses it so that update()'s recompiled models are cached as
 * brm()'s are.
 *
 * @example
 * ```ts
 * import { brmPrepared } from "./fit.ts";
 * const fit = await brmPrepared(
 *   { chains: 1, seed: 1 },
 *   (w, o) => w.call("brmsts_prepare", { formula: "y ~ 1", data: { y: [1, 2] } }, o) as any,
 * );
 * ```
 */
export async function brmPrepared(
  options: Partial<BrmOptions>,
  prepare: (w: RWorker, opts: CallOptions) => Promise<PreparedCall>,
): Promise<FitResult | FitHandle> {
  const w = options.worker ?? defaultWorker();
  const signal = options.signal;
  const chains = typeof options.chains === "number" ? options.chains : 4;
  const prevConsole = consoleMode(w);
  const bar = options.progress === true || (options.progress === undefined && defaultBar());
  const lines = options.progress === "lines" ||
    (options.progress === undefined && !bar && prevConsole === "stderr");
  const tracker = new ProgressTracker({
    chains,
    bar,
    lines,
    onProgress: options.onProgress,
    echo: prevConsole === "stderr" ? (t) => process.stderr.write(t) : () => {},
  });
  const timings: Partial<Record<FitPhase, number>> = {};
  let phase: FitPhase = "prepare", phaseT0 = performance.now();
  const enter = (p: FitPhase, detail?: string) => {
    const now = performance.now();
    timings[phase] = (timings[phase] ?? 0) + now - phaseT0;
    phase = p;
    phaseT0 = now;
    tracker.phase(p, detail);
  };
  const onLog = (e: LogEntry) => tracker.feed(e.stream, e.text);
  const opts = { signal, onLog };
  if (bar || lines) w.setConsoleOutput("silent");
  const warnings: string[] = [];
  let prep: PreparedCall | undefined;
  try {
    tracker.phase("prepare");
    await ensureTools(w, signal);
    prep = await prepare(w, opts);
    if (prep.problem) {
      throw new BrmsBackendError(
        `backend "${prep.backend}" cannot be used: ${prep.problem}. Install it in the worker's R ` +
          `(install.packages("cmdstanr", repos = c("https://stan-dev.r-universe.dev", ` +
          `getOption("repos"))); cmdstanr::install_cmdstan()) or use backend "rstan".`,
        prep.backend,
      );
    }
    // A prior Stan cannot parse is a SpecError now, not a compile failure a minute later.
    await checkPriors(w, prep.spec, opts);
    const useCache = (options.cache ?? cacheEnabledByDefault()) && options.file === undefined;
    const extra: Record<string, unknown> = { brmsts_data_name: options.dataName ?? "data" };
    if ((bar || lines || options.onProgress) && options.refresh === undefined) {
      const iter = typeof options.iter === "number" ? options.iter : 2000;
      extra.refresh = Math.max(1, Math.floor(iter / 50));
    }
    let outcome: CacheOutcome = "off";
    let compiler: FitResult["compiler"];
    let key: string | undefined;
    let sampled;
    if (useCache) {
      key = cacheKey(prep.code, prep.facts);
      const root = cacheDir(options.cacheDir);
      outcome = await obtainModel({
        worker: w,
        spec: prep.spec,
        key,
        code: prep.code,
        paths: entryPaths(root, key),
        stanDir: `${root}/cmdstanr`,
        enter,
        callOpts: opts,
        root,
        maxBytes: options.cacheMaxBytes,
        onCompiler: (cc, used, lto) => {
          const pch = !cc || used === "off" && cc.pchState !== "failed"
            ? "off"
            : used.startsWith("failed")
            ? "failed"
            : cc.pchState;
          compiler = {
            pch,
            buildMs: cc?.buildMs ?? 0,
            lto: lto === "used",
            ...(cc?.reason || used.startsWith("failed")
              ? { reason: cc?.reason ?? used.slice(8) }
              : {}),
          };
        },
      });
      enter("sample");
      sampled = await w.callResult("brmsts_sample", [prep.spec, key, extra], opts);
    } else {
      enter("sample");
      sampled = await w.callResult("brmsts_direct", [prep.spec, extra], opts);
      if (sampled.messages.some((m) => m.includes("Compiling Stan program"))) outcome = "compiled";
    }
    warnings.push(...sampled.warnings);
    const s = sampled.value as Sampled;
    if ((s.mode !== null && s.mode !== 0) || !(s.ndraws > 0)) {
      tracker.finish();
      const lines = tracker.log.filter((l) => l.trim() && !/Iteration:/.test(l));
      const reason = lines.filter((l) => FAILURE_HINT.test(l)).slice(-20).join("\n") ||
        lines.slice(-20).join("\n");
      throw new BrmsSamplingError(
        `the sampler returned no draws (rstan mode ${s.mode})${reason ? `:\n${reason}` : ""}`,
        reason,
        tracker.log.slice(),
        s.mode,
      );
    }
    const base = {
      r: s.fit,
      compiled: outcome === "compiled",
      cache: outcome,
      ...(key ? { cacheKey: key } : {}),
      ...(compiler ? { compiler } : {}),
      warnings,
    };
    if (options.returnIdata === false) {
      enter("done");
      return { ...base, timings: { ...timings, total: tracker.elapsedMs } };
    }
    enter("extract");
    const { idata, warnings: left } = await fetchIdata(w, s.fit, {
      groups: options.idataGroups ?? ALL_GROUPS,
      seed: options.seed,
      data: prep.spec,
      signal,
      version: prep.facts.brms,
      onGroup: (g) => enter("extract", g),
    });
    warnings.push(...left);
    enter("done");
    return { ...base, idata, timings: { ...timings, total: tracker.elapsedMs } };
  } finally {
    // The call's arguments (data included) and the empty brmsfit are no longer needed in R.
    prep?.spec?.dispose();
    tracker.finish();
    if (bar || lines) {
      w.setConsoleOutput(prevConsole);
      if (prevConsole === "stderr") {
        for (const wm of warnings) process.stderr.write(`Warning message:\n${wm}\n`);
      }
    }
  }
}

/**
 * Options of {@link toInferenceData}.
 *
 * @example
 * ```ts
 * import type { ToIdataOptions } from "./fit.ts";
 * const opts: ToIdataOptions = { groups: ["posterior", "log_likelihood"], seed: 1 };
 * ```
 */
export interface ToIdataOptions {
  /** Groups to build (default: all). */
  groups?: readonly IdataGroup[];
  /** Seed for `posterior_predict` (reproducible posterior_predictive). */
  seed?: number;
  /** The data the model was fitted with (for `obs_id` from row names or an `obs_id` column). */
  data?: RObject;
  /** Cancels the extraction. */
  signal?: AbortSignal;
  /** The worker holding the fit (default: the default worker). */
  worker?: RWorker;
}

/** The groups brms computes per observation, each fetched in a call of its own (slow on big fits). */
const PER_CALL_GROUPS: readonly IdataGroup[] = ["posterior_predictive", "log_likelihood"];

async function fetchIdata(
  w: RWorker,
  fit: RObject,
  o: {
    groups: readonly IdataGroup[];
    seed?: number;
    data?: RObject;
    signal?: AbortSignal;
    version?: string;
    /** Called before each slow group is computed (progress names it). */
    onGroup?: (group: IdataGroup) => void;
  },
): Promise<{ idata: InferenceData; warnings: string[] }> {
  await ensureTools(w, o.signal);
  // The quick groups in one call, then posterior_predictive and log_likelihood one call each, so
  // that progress can say which one brms is computing; the payloads have disjoint fields.
  const batches: IdataGroup[][] = [o.groups.filter((g) => !PER_CALL_GROUPS.includes(g))];
  for (const g of PER_CALL_GROUPS) if (o.groups.includes(g)) batches.push([g]);
  const payload: DrawsPayload = {};
  const warnings: string[] = [];
  for (const groups of batches) {
    if (!groups.length) continue;
    if (groups.length === 1 && PER_CALL_GROUPS.includes(groups[0])) o.onGroup?.(groups[0]);
    const res = await w.callResult("brmsts_idata", {
      fit,
      data: o.data ?? null,
      groups,
      seed: o.seed ?? null,
    }, { signal: o.signal });
    Object.assign(payload, res.value as DrawsPayload);
    warnings.push(...res.warnings);
  }
  const version = o.version ?? (await w.status({ signal: o.signal })).brms ?? "";
  return { idata: buildIdata(payload, { library: "brms", version }, o.groups), warnings };
}

/**
 * Builds the InferenceData of an existing brmsfit handle (from `brm({ returnIdata: false })`,
 * `readRDS`, `update`, …), optionally only some groups.
 *
 * @example
 * ```ts
 * declare const opts: any;
 * import { brm, toInferenceData } from "./mod.ts";
 * const { r } = await brm({ ...opts, returnIdata: false });
 * const post = await toInferenceData(r, { groups: ["posterior"] });
 * const ll = await toInferenceData(r, { groups: ["log_likelihood"] });
 * post.extend(ll).groups(); // ["posterior", "log_likelihood"]
 * ```
 */
export async function toInferenceData(
  fit: RObject,
  options: ToIdataOptions = {},
): Promise<InferenceData> {
  const { idata } = await fetchIdata(options.worker ?? defaultWorker(), fit, {
    groups: options.groups ?? ALL_GROUPS,
    seed: options.seed,
    data: options.data,
    signal: options.signal,
  });
  return idata;
}
