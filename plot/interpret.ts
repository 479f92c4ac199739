/**
 * Plots of {@link predictions}, {@link comparisons} and {@link slopes} results, as
 * marginaleffects's `plot_predictions()`, `plot_comparisons()` and `plot_slopes()` draw them:
 * the estimate with its interval against a condition variable, a line and a ribbon for a
 * numeric variable, points and error bars for a factor.
 *
 * @module
 */
import type { InterpretResult } from "../interpret/mod.ts";
import { PlotInputError } from "./errors.ts";
import { Plot, type VegaLiteSpec } from "./plot.ts";
import { SCHEME } from "./mcmc.ts";
import { columnValues } from "./effects.ts";

/**
 * Options of {@link plotPredictions}, {@link plotComparisons} and {@link plotSlopes}.
 *
 * @example
 * ```ts
 * import type { InterpretPlotOptions } from "./interpret.ts";
 * const o: InterpretPlotOptions = { condition: "zAge", width: 400 };
 * ```
 */
export interface InterpretPlotOptions {
  /**
   * The variable on the x axis: a `by` variable of group rows or a column of the evaluated data
   * (default: the first `by` variable, else the first column whose value varies across rows).
   */
  condition?: string;
  /** Panel width in pixels (default 300). */
  width?: number;
  /** Panel height in pixels (default 220). */
  height?: number;
}

function interpretPlot(res: InterpretResult, what: string, options: InterpretPlotOptions): Plot {
  if (res.rows.length === 0) throw new PlotInputError(`no ${what} rows to plot`);
  const byKeys = Object.keys(res.rows[0].by);
  const cols = new Map<string, ReturnType<typeof columnValues>>();
  const colOf = (n: string) => {
    let v = cols.get(n);
    if (!v) cols.set(n, v = columnValues(res.data.column(n)));
    return v;
  };
  const xOf = (name: string) =>
    res.rows.map((r) => r.row < 0 ? r.by[name] ?? null : colOf(name)[r.row] ?? null);
  let x = options.condition;
  if (x === undefined) {
    x = byKeys[0] ?? res.data.names.find((n) => {
      try {
        return new Set(xOf(n).map(String)).size > 1;
      } catch {
        return false;
      }
    });
  }
  if (x === undefined) {
    throw new PlotInputError(`no variable varies across the ${what} rows; pass condition`);
  }
  if (!byKeys.includes(x) && !res.data.has(x)) {
    throw new PlotInputError(
      `condition "${x}" is neither a by variable (${byKeys.join(", ") || "none"}) nor a column ` +
        `of the evaluated data (${res.data.names.join(", ")})`,
    );
  }
  const xs = xOf(x);
  const rows = res.rows.map((r, i) => ({
    x: xs[i],
    estimate: r.estimate,
    lower: r.lower,
    upper: r.upper,
    group: r.term === undefined ? "" : `${r.term} ${r.contrast ?? ""}`.trim(),
  }));
  const numeric = rows.every((r) => typeof r.x === "number");
  const groups = new Set(rows.map((r) => r.group)).size > 1;
  const color = groups ? { color: { field: "group", type: "nominal", title: "contrast" } } : {};
  const xEnc = {
    field: "x",
    type: numeric ? "quantitative" : "nominal",
    title: x,
    ...(numeric ? { scale: { zero: false } } : { sort: null }),
  };
  const yEnc = { field: "estimate", type: "quantitative", title: what, scale: { zero: false } };
  const band = { y: { field: "lower", type: "quantitative" }, y2: { field: "upper" } };
  const offset = groups && !numeric ? { xOffset: { field: "group", type: "nominal" } } : {};
  const fixed = groups ? {} : { color: SCHEME.darkHighlight };
  const layer: VegaLiteSpec[] = numeric
    ? [
      {
        mark: { type: "area", opacity: 0.3, ...(groups ? {} : { color: SCHEME.mid }) },
        encoding: { x: xEnc, ...band, ...color },
      },
      { mark: { type: "line", ...fixed }, encoding: { x: xEnc, y: yEnc, ...color } },
    ]
    : [
      { mark: { type: "rule", ...fixed }, encoding: { x: xEnc, ...band, ...color, ...offset } },
      {
        mark: { type: "point", filled: true, size: 60, ...fixed },
        encoding: { x: xEnc, y: yEnc, ...color, ...offset },
      },
    ];
  const spec: VegaLiteSpec = {
    data: { values: rows },
    width: options.width ?? 300,
    height: options.height ?? 220,
    layer,
  };
  return new Plot(spec, `${what} by ${x}`, { [what]: rows });
}

/**
 * Predictions against a condition variable (marginaleffects's `plot_predictions()`): the
 * posterior median and interval of each row of a {@link predictions} result. The plotted values
 * are exactly the result's `estimate`, `lower` and `upper`.
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { datagrid, predictions } from "../interpret/mod.ts";
 * import { plotPredictions } from "./interpret.ts";
 * declare const fit: FitResult;
 * const grid = await datagrid(fit, { zAge: [-1, 0, 1] });
 * await plotPredictions(await predictions(fit, { grid })).save("predictions.svg");
 * ```
 */
export function plotPredictions(res: InterpretResult, options: InterpretPlotOptions = {}): Plot {
  return interpretPlot(res, "predictions", options);
}

/**
 * Comparisons against a condition variable (marginaleffects's `plot_comparisons()`), one colour
 * per term and contrast when there are several.
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { comparisons } from "../interpret/mod.ts";
 * import { plotComparisons } from "./interpret.ts";
 * declare const fit: FitResult;
 * const res = await comparisons(fit, { variables: { Trt: ["0", "1"] }, by: "visit" });
 * await plotComparisons(res).save("comparisons.svg");
 * ```
 */
export function plotComparisons(res: InterpretResult, options: InterpretPlotOptions = {}): Plot {
  return interpretPlot(res, "comparisons", options);
}

/**
 * Slopes against a condition variable (marginaleffects's `plot_slopes()`).
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { slopes } from "../interpret/mod.ts";
 * import { plotSlopes } from "./interpret.ts";
 * declare const fit: FitResult;
 * await plotSlopes(await slopes(fit, { variables: "zAge", by: "Trt" })).save("slopes.svg");
 * ```
 */
export function plotSlopes(res: InterpretResult, options: InterpretPlotOptions = {}): Plot {
  return interpretPlot(res, "slopes", options);
}
