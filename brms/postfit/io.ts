/**
 * Files: save a fit (or any R object, or JS data) as RDS, read a fit back with its
 * InferenceData, or read any RDS file as an R object handle.
 *
 * @module
 */
import { RObject } from "../../worker/mod.ts";
import { type FitResult, toInferenceData } from "../fit/fit.ts";
import type { IdataGroup } from "../fit/draws.ts";
import { type PostfitCallOptions, prepare, unwrapFit } from "./args.ts";
import { BrmstsTypeError } from "../../errors.ts";
import { callRHelper, callRHelperValue } from "../../rhelpers.ts";
import { POSTFIT_HELPERS } from "../core/r_helpers.ts";

/**
 * Options of {@link saveRds}.
 *
 * @example
 * ```ts
 * const opts: SaveRdsOptions = { compress: "xz" };
 * ```
 */
export interface SaveRdsOptions extends PostfitCallOptions {
  /** R's `compress` (default `true`: gzip; also `"xz"`, `"bzip2"`, `false`). */
  compress?: boolean | "gzip" | "bzip2" | "xz";
}

/**
 * Saves a fit (its brmsfit, compiled model included), any RObject, or JS data (converted to R)
 * with R's `saveRDS()`. Read it back with {@link readRdsFit} or {@link readRdsRaw}, here or in
 * R.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * await saveRds(fit, "/tmp/model.rds");
 * const again = await readRdsFit("/tmp/model.rds");
 * ```
 */
export async function saveRds(
  objOrFit: unknown,
  path: string,
  options: SaveRdsOptions = {},
): Promise<void> {
  if (typeof path !== "string" || path === "") {
    throw new BrmstsTypeError("saveRds(): the path must be a non-empty string");
  }
  const obj = unwrapFit(objOrFit);
  if (obj instanceof RObject) obj.assertUsable();
  const { w, call } = await prepare(options);
  await w.call("base::saveRDS", {
    object: obj,
    file: path,
    compress: options.compress ?? true,
  }, call);
}

/**
 * Options of {@link readRdsFit}.
 *
 * @example
 * ```ts
 * import { RWorker } from "../../mod.ts";
 * const opts: ReadRdsFitOptions = { idataGroups: ["posterior"], worker: new RWorker() };
 * ```
 */
export interface ReadRdsFitOptions extends PostfitCallOptions {
  /** Groups of the InferenceData (default: all of brm()'s). */
  idataGroups?: readonly IdataGroup[];
  /** Seed for the posterior_predictive group. */
  seed?: number;
}

/**
 * Reads a brmsfit saved as RDS (by {@link saveRds}, R's `saveRDS()` or brms's `file`
 * argument) into the worker, updates it for this brms version (`brms::restructure()`) and
 * builds its InferenceData: a {@link FitResult} like brm()'s (`compiled: false`,
 * `cache: "off"`). Other objects raise an `RError` naming their class.
 *
 * @example
 * ```ts
 * import { type DataFrame, posteriorEpred } from "../../mod.ts";
 * declare const newdata: DataFrame;
 * const fit = await readRdsFit("/tmp/model.rds");
 * fit.idata.groups(); // ["posterior", "posterior_predictive", ...]
 * await posteriorEpred(fit, { newdata });
 * ```
 */
export async function readRdsFit(
  path: string,
  options: ReadRdsFitOptions = {},
): Promise<FitResult> {
  if (typeof path !== "string" || path === "") {
    throw new BrmstsTypeError("readRdsFit(): the path must be a non-empty string");
  }
  const t0 = performance.now();
  const { w, call } = await prepare(options);
  const res = await callRHelper(w, POSTFIT_HELPERS, "brmsts_pf_read_fit", [path], {
    ...call,
    convert: "handle",
  });
  const r = res.value as RObject;
  const idata = await toInferenceData(r, {
    ...(options.idataGroups ? { groups: options.idataGroups } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    signal: options.signal,
    worker: w,
  });
  return {
    idata,
    r,
    compiled: false,
    cache: "off",
    timings: { total: performance.now() - t0 },
    warnings: res.warnings,
  };
}

/**
 * Reads any RDS file into the worker and returns a handle on the R object (`readRDS()`).
 *
 * @example
 * ```ts
 * const obj = await readRdsRaw("/tmp/model.rds");
 * obj.classes; // ["brmsfit"]
 * ```
 */
export async function readRdsRaw(path: string, options: PostfitCallOptions = {}): Promise<RObject> {
  if (typeof path !== "string" || path === "") {
    throw new BrmstsTypeError("readRdsRaw(): the path must be a non-empty string");
  }
  const { w, call } = await prepare(options);
  return await callRHelperValue(w, POSTFIT_HELPERS, "brmsts_pf_read_raw", [path], {
    ...call,
    convert: "handle",
  }) as RObject;
}
