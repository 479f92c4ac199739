/**
 * The brms API over the R worker: `brm()` with the compiled-model cache and progress, the
 * InferenceData of a fit, example data sets, and brms's Stan code / data generators.
 *
 * The folder is split by stage, each stage importing only the ones below it:
 * `postfit/` (everything called on a fit: predictions, summaries, criteria, priors, Stan code,
 * files, update, R², bridge sampling, exposed functions) → `fit/` (`brm()`, `brmMultiple()`,
 * options, progress, the prior check, draws → InferenceData) → `compile/` (the compiled-model
 * cache, compiler flags and header, cache administration, preload) → `core/` (data and value
 * decoding, the R helper blocks). Each stage's R code lives in `.R` files beside it.
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
} from "./fit/fit.ts";
export { BrmsBackendError, BrmsSamplingError } from "./fit/errors.ts";
export { getData, type GetDataOptions } from "./datasets.ts";
export { parseProgressLine } from "./fit/progress.ts";
export { cacheDir } from "./compile/store.ts";
export { preloadModel, type PreloadOptions } from "./compile/preload.ts";
export {
  type CacheAdminOptions,
  type CacheEntryInfo,
  type CacheInfo,
  cacheInfo,
  clearCache,
} from "./compile/cache_admin.ts";
export type { CompilerCacheStatus } from "./compile/compiler.ts";
export { makeStancode, makeStandata, type StancodeOptions } from "./postfit/stancode.ts";
export * from "./postfit/mod.ts";
// More of brms after fitting (update, R², bridge sampling, exposed Stan functions): issue 18.
export { bayesR2, looR2, type R2Options, type R2Result, type R2Summary } from "./postfit/r2.ts";
export {
  bayesFactor,
  type BridgeOptions,
  type MarginalLikelihood,
  marginalLikelihood,
} from "./postfit/bridge.ts";
export { exposeFunctions, type ExposeOptions } from "./postfit/expose.ts";
export { update, type UpdateOptions } from "./postfit/update.ts";
// brms's brm_multiple (multiple imputation): issue 18.
export { brmMultiple, type MultipleFitResult, type MultipleOptions } from "./fit/multiple.ts";
