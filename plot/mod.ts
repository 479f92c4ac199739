/**
 * Plots of fits and draws as Vega-Lite v5 specs ({@link Plot}), rendered headless to SVG and
 * PNG, displayed in Deno's Jupyter kernel, and a self-contained HTML fit report. The numbers are
 * computed as bayesplot computes them.
 *
 * @example
 * ```ts
 * import { InferenceData } from "../idata/mod.ts";
 * import { plotPosterior, plotTrace } from "./mod.ts";
 * const idata = InferenceData.fromObject({ posterior: { mu: new Float64Array(400).map(Math.random) } }, { chains: 4 });
 * await plotTrace(idata).save("trace.png");
 * await plotPosterior(idata, { kind: "intervals" }).save("intervals.svg");
 * ```
 *
 * @module
 */
export { type IdataLike, Plot, type PngOptions, type VegaLiteSpec } from "./plot.ts";
export type { MimeBundle } from "../display/mod.ts";
export { PlotInputError, PlotRenderError } from "./errors.ts";
export { type McmcOptions, plotRank, plotTrace, type RankOptions } from "./mcmc.ts";
export {
  type IntervalRow,
  intervalsData,
  plotForest,
  plotPosterior,
  type PosteriorOptions,
} from "./posterior.ts";
export { type LooPitOptions, looPitValues, plotLooPit } from "./loo_pit.ts";
export { ppCheck, type PpCheckOptions, type PpCheckType, STATS } from "./ppc.ts";
export {
  type ConditionalEffectsPlotOptions,
  plotConditionalEffects,
  plotParetoK,
} from "./effects.ts";
