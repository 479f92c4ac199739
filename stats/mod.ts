/**
 * Posterior analysis on InferenceData, following the R packages posterior and loo.
 *
 * @module
 */
export { quantileName, summarizeDraws } from "./summarize.ts";
export type { SummarizeOptions, SummaryRow } from "./summarize.ts";
export {
  autocovariance,
  essBasic,
  essBulk,
  essMean,
  essQuantile,
  essSd,
  essTail,
  mcseMean,
  mcseSd,
  rhat,
  rhatBasic,
} from "./rhat_ess.ts";
export { psis } from "./psis.ts";
export type { PsisResult } from "./psis.ts";
export { loo, relativeEff } from "./loo.ts";
export type { LogLikMatrix, LooPointwise, PsisLoo, PsisLooOptions } from "./loo.ts";
export { looCompare } from "./loo_compare.ts";
export type { LooCompareRow } from "./loo_compare.ts";
export { divergences, hdi, treeDepthHits } from "./hdi.ts";
export type { HdiOptions } from "./hdi.ts";
// R's type-7 quantile and median of sorted draws (shared by plot/ and interpret/).
export { sortedMedian, sortedQuantile } from "./quantile.ts";
