/**
 * The brms API over the R worker: `brm()` with the compiled-model cache and progress, the
 * InferenceData of a fit, example data sets, and brms's Stan code / data generators.
 *
 * @example
 * ```ts
 * import { brm, getData } from "./mod.ts";
 * const fit = await brm({
 *   formula: "count ~ zAge + zBase * Trt + (1 | patient)",
 *   data: await getData("epilepsy"),
 *   family: "poisson",
 *   chains: 2,
 *   iter: 1000,
 * });
 * console.log(fit.idata.groups());
 * ```
 *
 * @module
 */
export {
  brm,
  type BrmOptions,
  type CacheOutcome,
  type FitHandle,
  type FitPhase,
  type FitResult,
  type IdataGroup,
  type PhaseEvent,
  type PlainPrior,
  type ProgressEvent,
  type SamplingEvent,
  type SavePars,
  type ToIdataOptions,
  toInferenceData,
} from "./fit.ts";
export { BrmsBackendError, BrmsSamplingError } from "./errors.ts";
export { getData, type GetDataOptions } from "./datasets.ts";
export { parseProgressLine } from "./_progress.ts";
export { cacheDir } from "./_cache.ts";
export { preloadModel, type PreloadOptions } from "./preload.ts";
export {
  type CacheAdminOptions,
  type CacheEntryInfo,
  type CacheInfo,
  cacheInfo,
  clearCache,
} from "./cache_admin.ts";
export { type CompilerCacheStatus, compilerCacheStatus } from "./_compiler.ts";
export { makeStancode, makeStandata, type StancodeOptions } from "./stancode.ts";
export * from "./postfit.ts";
// More of brms after fitting (update, R², bridge sampling, exposed Stan functions): issue 18.
export {
  bayesFactor,
  bayesR2,
  type BridgeOptions,
  exposeFunctions,
  type ExposeOptions,
  looR2,
  type MarginalLikelihood,
  marginalLikelihood,
  type R2Options,
  type R2Result,
  type R2Summary,
  update,
  type UpdateOptions,
} from "./extras.ts";
// brms's brm_multiple (multiple imputation): issue 18.
export { brmMultiple, type MultipleFitResult, type MultipleOptions } from "./multiple.ts";
