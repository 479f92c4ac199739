/**
 * brms's `update()` after fitting: new formula, data or sampler settings, reusing the compiled
 * model whenever brms does; the result is a `FitResult` like `brm()`'s.
 *
 * @module
 */
import type { RObject } from "../../worker/mod.ts";
import { rCode } from "../../worker/mod.ts";
import { bf, type Formula } from "../../formula/mod.ts";
import { SpecError } from "../../formula/errors.ts";
import { brmArgs } from "../fit/options.ts";
import { dataArg } from "../core/data.ts";
import { ensureTools } from "../core/r_helpers.ts";
import { fitHandle, type FitLike, type NewData, type PostfitCallOptions } from "./args.ts";
import {
  brmPrepared,
  type FitResult,
  type IdataGroup,
  type PreparedCall,
  toInferenceData,
} from "../fit/fit.ts";

import { ready } from "./_extras.ts";
import { callRHelper } from "../../rhelpers.ts";
import { EXTRAS_HELPERS } from "../core/r_helpers.ts";

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
 * import { update } from "./update.ts";
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
  const res = await callRHelper(w, EXTRAS_HELPERS, "brmsts_x_update", {
    ...args,
    fit: r,
    data_name: dataName ?? null,
    formula: form,
    newdata: newdata === undefined ? null : dataArg(newdata),
  }, { signal, onLog });
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
