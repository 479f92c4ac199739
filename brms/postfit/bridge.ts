/**
 * Bridge sampling after fitting: `marginalLikelihood()` and `bayesFactor()`, computed by brms
 * (bridgesampling) in the worker.
 *
 * @module
 */
import type { RObject } from "../../worker/mod.ts";
import { fitHandle, type FitLike, type PostfitCallOptions } from "./args.ts";

import { ready } from "./_extras.ts";
import { callRHelperValue } from "../../rhelpers.ts";
import { EXTRAS_HELPERS } from "../core/r_helpers.ts";

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
 * import { marginalLikelihood } from "./bridge.ts";
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
  const out = await callRHelperValue(w, EXTRAS_HELPERS, "brmsts_x_bridge", [
    r,
    bridgeArgs(options),
    options.seed ?? null,
  ], {
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
 * import { bayesFactor } from "./bridge.ts";
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
  return await callRHelperValue(w, EXTRAS_HELPERS, "brmsts_x_bf", [
    h(fit1),
    h(fit2),
    bridgeArgs(options),
    options.seed ?? null,
  ], { signal: options.signal, onLog: options.onLog, convert: "value" }) as {
    bf: number;
    log: boolean;
  };
}
