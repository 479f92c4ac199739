/**
 * Interpreting a fit: `hypothesis()` (brms's own), `datagrid()`, and `predictions()`,
 * `comparisons()`, `slopes()` computed from brms's `posterior_epred` / `posterior_linpred` /
 * `posterior_predict` on counterfactual data and reduced draw by draw in chunks, so that an
 * averaged result never holds the draws × rows matrix (memory ≈ 8 bytes × draws × chunkSize ×
 * copies, twice: in R and on shared memory, plus 8 bytes × draws × groups).
 *
 * @example
 * ```ts
 * import { brm, getData } from "../brms/mod.ts";
 * import { comparisons, datagrid, hypothesis, predictions } from "./mod.ts";
 * const fit = await brm({
 *   formula: "count ~ zAge + zBase * Trt + (1 | patient)",
 *   data: await getData("epilepsy"),
 *   family: "poisson",
 * });
 * await hypothesis(fit, "zAge < 0");
 * await predictions(fit, { grid: await datagrid(fit, { Trt: "all" }), by: "Trt" });
 * await comparisons(fit, { variables: { Trt: ["0", "1"] }, average: true });
 * ```
 *
 * @module
 */
export { hypothesis, type HypothesisOptions, type HypothesisRow } from "./hypothesis.ts";
export { datagrid, type DatagridSpec } from "./datagrid.ts";
export {
  comparisons,
  type ComparisonsOptions,
  type ComparisonVariable,
  predictions,
  slopes,
  type SlopesOptions,
} from "./effects.ts";
export {
  type EffectPlotOptions,
  plotComparisons,
  type PlotComparisonsOptions,
  plotPredictions,
  type PlotPredictionsOptions,
  plotSlopes,
  type PlotSlopesOptions,
} from "./plots.ts";
export type { Cell, EffectOptions, InterpretResult, InterpretRow } from "./types.ts";
export type { InterpretCallOptions } from "./r_call.ts";
export {
  FactorSlopeError,
  InterpretError,
  UnknownLevelError,
  UnknownVariableError,
} from "./errors.ts";
// Types of other folders that appear in these signatures (re-exported for the docs).
export type { FitHandle, FitLike, FitResult } from "../brms/mod.ts";
export type { Column, DataFrame, DataFrameInput } from "../data/mod.ts";
export type { CallOptions, LogEntry, RObject, RWorker } from "../worker/mod.ts";
export { BrmstsError } from "../errors.ts";
