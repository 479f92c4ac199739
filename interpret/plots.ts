/**
 * `plotPredictions()`, `plotComparisons()`, `plotSlopes()`: marginaleffects's
 * `plot_predictions()`, `plot_comparisons()` and `plot_slopes()` as {@link Plot}s. The estimate
 * and its interval are drawn against a `by` or `condition` variable: a line and a ribbon for a
 * numeric variable, points and error bars for a categorical one, a second variable as colour.
 *
 * @module
 */
import { Categorical, type Column, type DataFrame } from "../data/mod.ts";
import type { FitLike } from "../brms/mod.ts";
import { Plot, type VegaLiteSpec } from "../plot/plot.ts";
import { columnValues, intervalLayers } from "../plot/effects.ts";
import { datagrid, type DatagridSpec } from "./datagrid.ts";
import {
  comparisons,
  type ComparisonsOptions,
  predictions,
  slopes,
  type SlopesOptions,
} from "./effects.ts";
import { fitHandle, modelInfo, prepare } from "./r_call.ts";
import { type Cell, columnOf, isNumeric, numericValues } from "./_frame.ts";
import { InterpretError } from "./errors.ts";
import type { EffectOptions, InterpretResult } from "./types.ts";

/**
 * What the plot functions add to the options of {@link predictions}, {@link comparisons} and
 * {@link slopes}.
 *
 * @example
 * ```ts
 * const o: EffectPlotOptions = { condition: ["zAge", "Trt"], width: 400 };
 * ```
 */
export interface EffectPlotOptions {
  /**
   * marginaleffects's `condition`: the x variable and an optional second one drawn as colour.
   * The rows are a {@link datagrid} with 50 equally spaced values over the model data's range
   * of a numeric x (every level of a categorical one), every level of a categorical second
   * variable (Tukey's five numbers of a numeric one) and typical values for the rest. Pass
   * `condition` or `by`, not both.
   */
  condition?: string | readonly [string] | readonly [string, string];
  /** Panel width in pixels (default 300). */
  width?: number;
  /** Panel height in pixels (default 220). */
  height?: number;
}

/**
 * Options of {@link plotPredictions}.
 *
 * @example
 * ```ts
 * const o: PlotPredictionsOptions = { by: "Trt", type: "link" };
 * ```
 */
export type PlotPredictionsOptions = EffectOptions & EffectPlotOptions;

/**
 * Options of {@link plotComparisons}.
 *
 * @example
 * ```ts
 * const o: PlotComparisonsOptions = { variables: { Trt: ["0", "1"] }, condition: "zBase" };
 * ```
 */
export type PlotComparisonsOptions = ComparisonsOptions & EffectPlotOptions;

/**
 * Options of {@link plotSlopes}.
 *
 * @example
 * ```ts
 * const o: PlotSlopesOptions = { variables: "zAge", condition: "zBase" };
 * ```
 */
export type PlotSlopesOptions = SlopesOptions & EffectPlotOptions;

/** The number of values of a numeric x in a condition grid (marginaleffects's default). */
const CONDITION_POINTS = 50;

/** Tukey's five numbers (R's `fivenum`). */
function fivenum(v: Float64Array): number[] {
  const s = v.filter((x) => !Number.isNaN(x)).sort();
  const n = s.length;
  const n4 = Math.floor((n + 3) / 2) / 2;
  return [1, n4, (n + 1) / 2, n + 1 - n4, n].map((d) =>
    0.5 * (s[Math.floor(d) - 1] + s[Math.ceil(d) - 1])
  );
}

function names(o: EffectPlotOptions & EffectOptions, where: string): [string, string?] {
  if (o.condition !== undefined && o.by !== undefined) {
    throw new InterpretError(`${where}: pass condition or by, not both`);
  }
  const v = o.condition ?? o.by;
  const list = typeof v === "string" ? [v] : [...(v ?? [])];
  if (list.length === 0 || list.length > 2) {
    throw new InterpretError(
      `${where}: name the x variable (and at most one more) in condition or by`,
    );
  }
  return list as [string, string?];
}

/** The condition grid: marginaleffects's values for x and the colour variable. */
async function conditionGrid(
  fit: FitLike,
  vars: [string, string?],
  o: EffectOptions,
  where: string,
): Promise<DataFrame> {
  const { w, call } = await prepare(o);
  const { data } = await modelInfo(fitHandle(fit, where), w, call);
  const spec: DatagridSpec = {};
  vars.forEach((name, k) => {
    if (name === undefined) return;
    const c = columnOf(where, data, name);
    if (!isNumeric(c)) {
      spec[name] = "all";
      return;
    }
    const v = numericValues(c);
    if (k === 1) {
      spec[name] = [...new Set(fivenum(v))];
      return;
    }
    let lo = Infinity, hi = -Infinity;
    for (const x of v) if (!Number.isNaN(x)) (lo = Math.min(lo, x), hi = Math.max(hi, x));
    // As R's seq(lo, hi, length.out = n): lo + i * by, the last value hi itself.
    const by = (hi - lo) / (CONDITION_POINTS - 1);
    spec[name] = Array.from(
      { length: CONDITION_POINTS },
      (_, i) => i === CONDITION_POINTS - 1 ? hi : lo + i * by,
    );
  });
  return await datagrid(fit, spec, o);
}

/** The options of the underlying call, without the plot's own. */
function callOptions<T extends EffectOptions & EffectPlotOptions>(
  o: T,
  grid: DataFrame | undefined,
): Omit<T, keyof EffectPlotOptions> {
  const { condition: _c, width: _w, height: _h, ...rest } = o;
  return (grid ? { ...rest, grid, newdata: undefined } : rest) as Omit<T, keyof EffectPlotOptions>;
}

function isResult(x: unknown): x is InterpretResult {
  return typeof x === "object" && x !== null && "rows" in x && "ndraws" in x && "data" in x;
}

/** The value of variable `name` for result row `r` (its `by` value or the evaluated row's). */
function valueOf(res: InterpretResult, cols: Map<string, Cell[]>, name: string, k: number): Cell {
  const r = res.rows[k];
  if (r.row < 0) {
    if (!(name in r.by)) {
      throw new InterpretError(`a group average has no ${name} (its by is ${Object.keys(r.by)})`);
    }
    return r.by[name];
  }
  let c = cols.get(name);
  if (!c) {
    if (!res.data.has(name)) {
      throw new InterpretError(
        `the evaluated data has no ${name} (it has ${res.data.names.join(", ")})`,
      );
    }
    c = columnValues(res.data.column(name)) as Cell[];
    cols.set(name, c);
  }
  return c[r.row];
}

function isNumericVar(res: InterpretResult, name: string, xs: Cell[]): boolean {
  if (res.data.has(name)) {
    const c: Column = res.data.column(name);
    if (c instanceof Categorical || !isNumeric(c)) return false;
  }
  return xs.every((x) => typeof x === "number");
}

/** The plot of a result: its rows as data, x and an optional colour group. */
function resultPlot(
  res: InterpretResult,
  [xName, gName]: [string, string?],
  yTitle: string,
  o: EffectPlotOptions,
  what: string,
): Plot {
  if (res.rows.length === 0) throw new InterpretError(`${what}: no rows to plot`);
  const cols = new Map<string, Cell[]>();
  const xs = res.rows.map((_, k) => valueOf(res, cols, xName, k));
  const numeric = isNumericVar(res, xName, xs);
  const rows = res.rows.map((r, k) => ({
    x: xs[k],
    ...(gName !== undefined ? { group: valueOf(res, cols, gName, k) } : {}),
    ...(r.term !== undefined ? { term: r.term, contrast: r.contrast ?? "" } : {}),
    ...(r.term !== undefined ? { panel: `${r.term}: ${r.contrast ?? ""}` } : {}),
    estimate: r.estimate,
    lower: r.lower,
    upper: r.upper,
  }));
  const x = {
    field: "x",
    type: numeric ? "quantitative" : "nominal",
    title: xName,
    ...(numeric ? { scale: { zero: false } } : { sort: null }),
  };
  const y = { field: "estimate", type: "quantitative", title: yTitle, scale: { zero: false } };
  const layer = intervalLayers({
    x,
    y,
    lower: "lower",
    upper: "upper",
    group: gName !== undefined ? { field: "group", title: gName } : undefined,
    numeric,
  });
  const size = { width: o.width ?? 300, height: o.height ?? 220 };
  const panels = new Set(rows.map((r) => (r as { panel?: string }).panel));
  const spec: VegaLiteSpec = panels.size > 1
    ? {
      title: what,
      data: { values: rows },
      facet: { field: "panel", type: "nominal", title: null, sort: null },
      spec: { ...size, layer },
      resolve: { scale: { y: "independent" } },
    }
    : { title: what, data: { values: rows }, ...size, layer };
  return new Plot(spec, `${what} against ${xName}${gName ? ` by ${gName}` : ""}`, {
    estimates: rows,
  });
}

async function evaluate<T extends EffectOptions & EffectPlotOptions>(
  fit: FitLike | InterpretResult,
  o: T,
  where: string,
  run: (fit: FitLike, o: Omit<T, keyof EffectPlotOptions>) => Promise<InterpretResult>,
): Promise<{ res: InterpretResult; vars: [string, string?] }> {
  const vars = names(o, where);
  if (isResult(fit)) return { res: fit, vars };
  const grid = o.condition !== undefined ? await conditionGrid(fit, vars, o, where) : undefined;
  return { res: await run(fit, callOptions(o, grid)), vars };
}

/**
 * marginaleffects's `plot_predictions()`: the predictions of {@link predictions} (posterior
 * median and equal-tailed interval) against `by` (averaged over the evaluated data per group)
 * or `condition` (on a condition grid, see {@link EffectPlotOptions.condition}). The plot's
 * `data.estimates` are the rows, in the result's order (`x`, `group`, `estimate`, `lower`,
 * `upper`). Pass a result of {@link predictions} instead of a fit to plot it as it is (its
 * rows must have the named variables).
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { plotPredictions } from "./mod.ts";
 * declare const fit: FitResult;
 * await (await plotPredictions(fit, { condition: ["zBase", "Trt"] })).save("pred.svg");
 * const p = await plotPredictions(fit, { by: "Trt" }); // points and error bars
 * p.data.estimates.length; // 2
 * ```
 */
export async function plotPredictions(
  fit: FitLike | InterpretResult,
  options: PlotPredictionsOptions,
): Promise<Plot> {
  const where = "plotPredictions()";
  const { res, vars } = await evaluate(fit, options ?? {}, where, predictions);
  const y = options.type === "link" ? "linear predictor" : "prediction";
  return resultPlot(res, vars, y, options, "predictions");
}

/**
 * marginaleffects's `plot_comparisons()`: the comparisons of {@link comparisons} against `by`
 * (averaged per group) or `condition` (one comparison per condition-grid row); several
 * compared variables or contrasts go to panels side by side. The plot's `data.estimates` are
 * the result rows (`x`, `group`, `term`, `contrast`, `estimate`, `lower`, `upper`).
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { plotComparisons } from "./mod.ts";
 * declare const fit: FitResult;
 * const p = await plotComparisons(fit, { variables: { Trt: ["0", "1"] }, condition: "zBase" });
 * await p.save("trt.svg");
 * ```
 */
export async function plotComparisons(
  fit: FitLike | InterpretResult,
  options: PlotComparisonsOptions,
): Promise<Plot> {
  const where = "plotComparisons()";
  const { res, vars } = await evaluate(fit, options ?? {}, where, comparisons);
  return resultPlot(res, vars, options.comparison ?? "difference", options, "comparisons");
}

/**
 * marginaleffects's `plot_slopes()`: the slopes of {@link slopes} against `by` (averaged per
 * group) or `condition` (one slope per condition-grid row); several variables go to panels.
 * The plot's `data.estimates` are the result rows.
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { plotSlopes } from "./mod.ts";
 * declare const fit: FitResult;
 * const p = await plotSlopes(fit, { variables: "zAge", condition: "zBase" });
 * await p.save("slope.png");
 * ```
 */
export async function plotSlopes(
  fit: FitLike | InterpretResult,
  options: PlotSlopesOptions,
): Promise<Plot> {
  const where = "plotSlopes()";
  const { res, vars } = await evaluate(fit, options ?? {}, where, slopes);
  return resultPlot(res, vars, options.slope ?? "dydx", options, "slopes");
}
