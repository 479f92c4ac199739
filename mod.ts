/**
 * brmsts: the real R package brms from TypeScript (Deno and Bun).
 *
 * R runs jailed in a worker subprocess that loads libR over FFI; this module is the main-process
 * API and never touches libR itself. Results arrive as typed-array views on shared memory.
 *
 * @example
 * ```ts
 * import { evalR, status, shutdown } from "./mod.ts";
 * console.log(await evalR("R.version.string"));
 * console.log((await status()).brms);
 * await shutdown();
 * ```
 *
 * @module
 */
export {
  BrmstsError,
  type BrmstsErrorOptions,
  BrmstsInputError,
  BrmstsInternalError,
  BrmstsRangeError,
  BrmstsSystemError,
  BrmstsTypeError,
} from "./errors.ts";
export * from "./worker/mod.ts";
export * from "./data/mod.ts";
export * from "./formula/mod.ts";
export * from "./env/mod.ts";
export { type EnvironmentStatus, status } from "./status.ts";
export * from "./brms/mod.ts";
// Export a fit to a scorer for brmsts/score (predictions without R): issue 26.
export { exportScorer, type ExportScorerOptions } from "./brms/postfit/export_scorer.ts";
export * from "./idata/mod.ts";
export * from "./stats/mod.ts";
// One name per concept: `loo` and `looCompare` here are brms's (R's loo package on a fit, in the
// worker); the same names from `brmsts/stats` are the pure-TypeScript PSIS-LOO on draws.
export { loo, looCompare } from "./brms/mod.ts";
// Plots (Vega-Lite v5 specs rendered to SVG/PNG), notebook display and the fit report (issue 14).
export * from "./plot/mod.ts";
// The R-backed plots (they call R in the worker), outside the pure `brmsts/plot` subpath.
export { fitReport, type FitReportOptions, type FitReportResult } from "./plot/report.ts";
export { bayesplot, type BayesplotOptions } from "./plot/bayesplot.ts";
export {
  datasetBundle,
  type DatasetLike,
  inferenceDataBundle,
  JUPYTER_DISPLAY,
  rowsBundle,
  type RowsBundleOptions,
  withDisplay,
} from "./display/mod.ts";
// Interpreting a fit (issue 16): hypothesis, datagrid, predictions, comparisons, slopes.
export * from "./interpret/mod.ts";
export {
  explore,
  type ExploreFitLike,
  type ExploreInput,
  type ExploreOptions,
  type Explorer,
  type RequestLogEntry,
} from "./explore/mod.ts";
