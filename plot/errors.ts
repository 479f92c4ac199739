/**
 * Errors of the plots: bad input and rendering failures.
 *
 * @module
 */
import { BrmstsError, BrmstsInputError } from "../errors.ts";

/**
 * A plot was asked for with input it cannot use (a missing group or variable, a bad option).
 *
 * @example
 * ```ts
 * import { PlotInputError } from "./errors.ts";
 * const e = new PlotInputError("no group \"posterior_predictive\"");
 * e instanceof Error; // true
 * ```
 */
export class PlotInputError extends BrmstsInputError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "PLOT_INPUT";
}

/**
 * Rendering failed: the npm packages `vega`, `vega-lite` or `@resvg/resvg-wasm` could not be
 * loaded, or no font file was found for PNG output.
 *
 * @example
 * ```ts
 * import { PlotRenderError } from "./errors.ts";
 * const e = new PlotRenderError("no font found");
 * e.name; // "PlotRenderError"
 * ```
 */
export class PlotRenderError extends BrmstsError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "PLOT_RENDER";
}
