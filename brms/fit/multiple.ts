/**
 * `brmMultiple()`: brms's `brm_multiple()` over several data sets (multiple imputation), one
 * combined fit with brms's parameter names and the per-data-set R-hats.
 *
 * @module
 */
import { defaultWorker, rCode, RObject } from "../../worker/mod.ts";
import type { DataFrame } from "../../data/mod.ts";
import { brmArgs } from "./options.ts";
import { dataArg } from "../core/data.ts";
import { EXTRAS_HELPERS } from "../core/r_helpers.ts";
import { brm, type BrmOptions, type FitResult, toInferenceData } from "./fit.ts";
import { callRHelper, callRHelperValue } from "../../rhelpers.ts";

/** What {@linkcode brmMultiple} returns: a fit like brm()'s, plus brms's `rhats`. */
export interface MultipleFitResult extends FitResult {
  /** R-hat of every parameter per data set (one row per data set), brms's `fit$rhats`. */
  rhats: DataFrame | null;
  /** The number of data sets. */
  ndata: number;
}

/** Options of {@linkcode brmMultiple}: `brm()`'s, without `data`. */
export type MultipleOptions =
  { [K in keyof BrmOptions as string extends K ? never : K]: BrmOptions[K] } extends infer T
    ? Omit<T, "data"> & { readonly [argument: string]: unknown }
    : never;

/**
 * brms's `brm_multiple(formula, data = list(...), ...)`: the model fitted to each data set
 * (an array of data frames, or an `RObject` of a `mids` from mice), the draws combined into one
 * fit. The model is compiled (or taken from the cache) once, as `brm()` does.
 *
 * @example
 * ```ts
 * declare const imputed1: { x: number[] }, imputed2: { x: number[] };
 * import { brmMultiple } from "./multiple.ts";
 * const fit = await brmMultiple([imputed1, imputed2], {
 *   formula: "bmi ~ age * chl", chains: 2, iter: 1000, seed: 1,
 * });
 * fit.idata.get("posterior", "b_age").shape; // [4, 500]: chains of both data sets
 * fit.rhats; // one row per data set
 * ```
 */
export async function brmMultiple(
  datasets: readonly unknown[] | RObject,
  options: MultipleOptions,
): Promise<MultipleFitResult> {
  const w = options.worker ?? defaultWorker();
  await EXTRAS_HELPERS.ensure(w, options.signal);
  const data = datasets instanceof RObject ? datasets : datasets.map((d) => dataArg(d));
  const first = datasets instanceof RObject
    ? await callRHelperValue(w, EXTRAS_HELPERS, "brmsts_x_first", [datasets], {
      convert: "handle",
      signal: options.signal,
    })
    : (data as unknown[])[0];
  // The compiled model (cached like any brm() model), from a tiny run on the first data set.
  const t0 = performance.now();
  const base = await brm({
    ...options,
    data: first,
    chains: 1,
    iter: 4,
    warmup: 2,
    refresh: 0,
    returnIdata: false,
    progress: false,
  } as unknown as BrmOptions);
  const { idataGroups: _g, ...rest } = options as Record<string, unknown>;
  const args = brmArgs({ ...rest, data: rCode("NULL"), formula: "y ~ 1" });
  for (const k of ["formula", "data", "family", "prior", "stanvars", "threads"]) delete args[k];
  try {
    const res = await callRHelper(w, EXTRAS_HELPERS, "brmsts_x_multiple", {
      ...args,
      fit: base.r,
      data,
      seed: typeof options.seed === "number" ? options.seed : null,
    }, { signal: options.signal });
    const out = res.value as { fit: RObject; rhats: DataFrame | null; ndata: number };
    const idata = await toInferenceData(out.fit, {
      groups: options.idataGroups,
      seed: typeof options.seed === "number" ? options.seed : undefined,
      signal: options.signal,
      worker: w,
    });
    return {
      idata,
      r: out.fit,
      rhats: out.rhats,
      ndata: out.ndata,
      compiled: base.compiled,
      cache: base.cache,
      ...(base.cacheKey ? { cacheKey: base.cacheKey } : {}),
      timings: { total: performance.now() - t0 },
      warnings: [...base.warnings, ...res.warnings],
    };
  } finally {
    base.r.dispose();
    if (first instanceof RObject) first.dispose();
  }
}
