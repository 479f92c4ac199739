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
export { BrmstsError } from "./errors.ts";
export * from "./worker/mod.ts";
export * from "./data/mod.ts";
export * from "./formula/mod.ts";
export * from "./env/mod.ts";
export * from "./brms/mod.ts";
export * from "./idata/mod.ts";
export * from "./stats/mod.ts";
// brms's looCompare (R's loo_compare on fits) keeps the brms name; the pure-TS comparison of
// psisLoo results is psisLooCompare at the top level (stats/ calls it looCompare).
export { looCompare } from "./brms/mod.ts";
export { looCompare as psisLooCompare } from "./stats/mod.ts";
// Plots (Vega-Lite v5 specs rendered to SVG/PNG), notebook display and the fit report (issue 14).
export * from "./plot/mod.ts";
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
