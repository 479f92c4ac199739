/**
 * `brm()`: fit a brms model in the R worker and get an ArviZ-shaped InferenceData back.
 *
 * @module
 */
import { checkFormulaValue } from "../../formula/policy.ts";
import process from "node:process";
import {
  type CallOptions,
  defaultWorker,
  type LogEntry,
  type RObject,
  type RWorker,
} from "../../worker/mod.ts";
import { brmArgs } from "./options.ts";
import { obtainModel } from "../compile/cache.ts";
import { cacheDir, cacheEnabledByDefault, cacheKey, entryPaths } from "../compile/store.ts";
import { ALL_GROUPS } from "./draws.ts";
import { defaultBar, type FitPhase, ProgressTracker } from "./progress.ts";
import { ensureTools } from "../core/r_helpers.ts";
import { BrmsBackendError, BrmsSamplingError } from "./errors.ts";
import { checkPriors } from "./_prior_check.ts";
import type { BrmOptions, CacheOutcome, FitHandle, FitResult } from "./types.ts";
import { fetchIdata } from "./to_idata.ts";
import { callRHelper, callRHelperValue } from "../../rhelpers.ts";
import { BRM_HELPERS } from "../core/r_helpers.ts";

export type { IdataGroup } from "./draws.ts";
export type { BrmOptions, CacheOutcome, FitHandle, FitResult } from "./types.ts";
export { type ToIdataOptions, toInferenceData } from "./to_idata.ts";
export type { FitPhase, PhaseEvent, ProgressEvent, SamplingEvent } from "./progress.ts";
export type { PlainPrior, SavePars } from "./options.ts";

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
 * import { brm, getData } from "../mod.ts";
 * const fit = await brm({
 *   formula: "count ~ zAge + zBase * Trt + (1 | patient)",
 *   data: await getData("epilepsy"),
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
  const { isolate, ...rest } = options;
  if (isolate) {
    const w = options.worker ?? defaultWorker();
    await ensureTools(w, options.signal); // in the template: helper state must outlive the copy
    return await w.isolated(() => brm({ ...rest, worker: w }), { signal: options.signal });
  }
  const args = brmArgs(rest as Record<string, unknown>);
  return await brmPrepared(
    options,
    (w, opts) =>
      callRHelperValue(w, BRM_HELPERS, "brmsts_prepare", args, opts) as Promise<PreparedCall>,
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
 * Not public API: postfit/update.ts uses it so that update()'s recompiled models are cached as
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
      sampled = await callRHelper(w, BRM_HELPERS, "brmsts_sample", [prep.spec, key, extra], opts);
    } else {
      enter("sample");
      sampled = await callRHelper(w, BRM_HELPERS, "brmsts_direct", [prep.spec, extra], opts);
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
