/**
 * Plots of brms results computed in R: conditional effects (`conditional_effects()`), and the
 * Pareto k diagnostics of `loo()`.
 *
 * @module
 */
import { Categorical, type Column, type DataFrame } from "../data/mod.ts";
import type { ConditionalEffect, CriterionResult } from "../brms/mod.ts";
import type { PsisLoo } from "../stats/mod.ts";
import { PlotInputError } from "./errors.ts";
import { Plot, type VegaLiteSpec } from "./plot.ts";
import { SCHEME } from "./mcmc.ts";

/** A column as plain values (factor levels as strings, NA as null). */
export function columnValues(c: Column): (number | string | boolean | null)[] {
  if (c instanceof Categorical) return Array.from(c.codes, (k) => k < 0 ? null : c.levels[k]);
  if (c instanceof Float64Array || c instanceof Int32Array) {
    return Array.from(c as ArrayLike<number>, (v) => Number.isNaN(v) ? null : v);
  }
  if (Array.isArray(c)) {
    return c.map((v) => v === null || v === undefined ? null : v as number | string | boolean);
  }
  throw new PlotInputError("matrix columns cannot be plotted");
}

function frameRows(df: DataFrame, names: readonly string[]): Record<string, unknown>[] {
  const cols = names.filter((n) => df.has(n)).map((n) => [n, columnValues(df.column(n))] as const);
  return Array.from(
    { length: df.nrow },
    (_, i) => Object.fromEntries(cols.map(([n, v]) => [n, v[i]])),
  );
}

/**
 * The layers of an estimate with its interval against x, as brms and marginaleffects draw them:
 * for a numeric x a ribbon from `lower` to `upper` under a line, for a categorical x error bars
 * (rules) under filled points; a group as colour (and, for a categorical x, side by side).
 * Shared by {@link plotConditionalEffects} and interpret/'s `plotPredictions`,
 * `plotComparisons` and `plotSlopes`.
 *
 * @example
 * ```ts
 * import { intervalLayers } from "./effects.ts";
 * const layers = intervalLayers({
 *   x: { field: "x", type: "quantitative" },
 *   y: { field: "estimate", type: "quantitative" },
 *   lower: "lower",
 *   upper: "upper",
 *   numeric: true,
 * });
 * layers.length; // 2: area and line
 * ```
 */
export function intervalLayers(o: {
  /** The x encoding. */
  x: Record<string, unknown>;
  /** The y encoding (the estimate). */
  y: Record<string, unknown>;
  /** Field of the interval's lower end. */
  lower: string;
  /** Field of the interval's upper end. */
  upper: string;
  /** The field (and legend title) of a grouping drawn as colour. */
  group?: { field: string; title?: string };
  /** Whether x is numeric (ribbon and line) or categorical (error bars and points). */
  numeric: boolean;
}): VegaLiteSpec[] {
  const { x, y, lower, upper, group, numeric } = o;
  const g = group !== undefined;
  const color = g ? { color: { field: group.field, type: "nominal", title: group.title } } : {};
  const offset = g ? { xOffset: { field: group.field, type: "nominal" } } : {};
  return numeric
    ? [
      {
        mark: { type: "area", opacity: 0.3, ...(g ? {} : { color: SCHEME.mid }) },
        encoding: {
          x,
          y: { field: lower, type: "quantitative" },
          y2: { field: upper },
          ...color,
        },
      },
      {
        mark: { type: "line", ...(g ? {} : { color: SCHEME.darkHighlight }) },
        encoding: { x, y, ...color },
      },
    ]
    : [
      {
        mark: { type: "rule", ...(g ? {} : { color: SCHEME.darkHighlight }) },
        encoding: {
          x,
          y: { field: lower, type: "quantitative" },
          y2: { field: upper },
          ...color,
          ...offset,
        },
      },
      {
        mark: {
          type: "point",
          filled: true,
          size: 60,
          ...(g ? {} : { color: SCHEME.darkHighlight }),
        },
        encoding: { x, y, ...color, ...offset },
      },
    ];
}

/**
 * Options of {@link plotConditionalEffects}.
 *
 * @example
 * ```ts
 * import type { ConditionalEffectsPlotOptions } from "./effects.ts";
 * const o: ConditionalEffectsPlotOptions = { points: true };
 * ```
 */
export interface ConditionalEffectsPlotOptions {
  /** Overlay the observed points brms returns (brms's `points = TRUE`; default false). */
  points?: boolean;
  /** Panel width in pixels (default 300). */
  width?: number;
  /** Panel height in pixels (default 220). */
  height?: number;
}

function effectSpec(
  key: string,
  ce: ConditionalEffect,
  options: ConditionalEffectsPlotOptions,
): { spec: VegaLiteSpec; rows: Record<string, unknown>[] } {
  const [e1, e2] = ce.effects;
  const cols = ["effect1__", "effect2__", "estimate__", "se__", "lower__", "upper__", "cond__"];
  const rows = frameRows(ce.data, cols);
  const numeric = !(ce.data.column("effect1__") instanceof Categorical) &&
    rows.every((r) => typeof r.effect1__ === "number");
  const x = {
    field: "effect1__",
    type: numeric ? "quantitative" : "nominal",
    title: e1,
    ...(numeric ? { scale: { zero: false } } : { sort: null }),
  };
  const y = {
    field: "estimate__",
    type: "quantitative",
    title: ce.response,
    scale: { zero: false },
  };
  const group = e2 !== undefined && ce.data.has("effect2__")
    ? { field: "effect2__", title: e2 }
    : undefined;
  const layers = intervalLayers({ x, y, lower: "lower__", upper: "upper__", group, numeric });
  let pointRows: Record<string, unknown>[] = [];
  if (options.points && ce.points) {
    pointRows = frameRows(ce.points, ["effect1__", "effect2__", "resp__", "cond__"]);
    layers.unshift({
      data: { values: pointRows },
      mark: { type: "point", opacity: 0.5, size: 12, filled: true, color: "#333" },
      encoding: {
        x: { field: "effect1__", type: numeric ? "quantitative" : "nominal" },
        y: { field: "resp__", type: "quantitative" },
      },
    });
  }
  return {
    spec: {
      title: key,
      data: { values: rows },
      width: options.width ?? 300,
      height: options.height ?? 220,
      layer: layers,
    },
    rows: [
      ...rows.map((r) => ({ ...r, effect: key })),
      ...pointRows.map((r) => ({ ...r, effect: key, point: true })),
    ],
  };
}

/**
 * Conditional effects as brms plots them (`plot(conditional_effects(fit))`): for a numeric
 * effect the estimate as a line and `lower__`..`upper__` as a ribbon, for a factor points and
 * error bars, a second effect as colour; one panel per effect, side by side. The numbers are
 * exactly those of {@link conditionalEffects} (brms computes them in R).
 *
 * @example
 * ```ts
 * import { brm, conditionalEffects } from "../brms/mod.ts";
 * import { plotConditionalEffects } from "./effects.ts";
 * const fit = await brm({ formula: "y ~ x", data: { y: [1, 2, 3, 5], x: [1, 2, 3, 4] } });
 * await plotConditionalEffects(await conditionalEffects(fit)).save("effects.png");
 * ```
 */
export function plotConditionalEffects(
  effects: Readonly<Record<string, ConditionalEffect>> | ConditionalEffect,
  options: ConditionalEffectsPlotOptions = {},
): Plot {
  const entries: [string, ConditionalEffect][] = "data" in effects && "effects" in effects
    ? [[(effects as ConditionalEffect).effects.join(":"), effects as ConditionalEffect]]
    : Object.entries(effects as Record<string, ConditionalEffect>);
  if (entries.length === 0) throw new PlotInputError("no conditional effects to plot");
  const parts = entries.map(([k, ce]) => effectSpec(k, ce, options));
  const spec: VegaLiteSpec = parts.length === 1
    ? parts[0].spec
    : { hconcat: parts.map((p) => p.spec), resolve: { scale: { color: "independent" } } };
  return new Plot(spec, `conditional effects ${entries.map(([k]) => k).join(", ")}`, {
    effects: parts.flatMap((p) => p.rows),
  });
}

/**
 * The Pareto k diagnostics of PSIS-LOO (`plot(loo(fit))`): k of every observation against its
 * index, with loo's thresholds 0.5, 0.7 and 1 as dashed lines; points above 0.7 in red. Accepts
 * a brms {@link CriterionResult} (`loo(fit)`), a {@link PsisLoo} (`loo()`) or the k values.
 *
 * @example
 * ```ts
 * import { plotParetoK } from "./effects.ts";
 * const p = plotParetoK(new Float64Array([0.1, 0.6, 0.8]));
 * p.data.paretoK.length; // 3
 * ```
 */
export function plotParetoK(loo: CriterionResult | PsisLoo | ArrayLike<number>): Plot {
  let k: ArrayLike<number>;
  if ("paretoK" in loo) {
    if (!loo.paretoK) {
      throw new PlotInputError(`this ${loo.criterion} result has no Pareto k values`);
    }
    k = loo.paretoK;
  } else if ("diagnostics" in loo) k = loo.diagnostics.pareto_k;
  else k = loo as ArrayLike<number>;
  const rows = Array.from(
    k,
    (v, i) => ({
      index: i + 1,
      k: v,
      level: v > 1 ? "very bad" : v > 0.7 ? "bad" : v > 0.5 ? "ok" : "good",
    }),
  );
  const spec: VegaLiteSpec = {
    title: "PSIS diagnostic plot",
    width: 420,
    height: 220,
    layer: [
      {
        data: { values: [{ t: 0.5 }, { t: 0.7 }, { t: 1 }] },
        mark: { type: "rule", strokeDash: [4, 3] },
        encoding: {
          y: { field: "t", type: "quantitative" },
          color: {
            field: "t",
            type: "nominal",
            scale: { domain: [0.5, 0.7, 1], range: ["#999", "#d62728", "#8b0000"] },
            legend: null,
          },
        },
      },
      {
        data: { values: rows },
        mark: { type: "point", shape: "cross", size: 30, filled: true },
        encoding: {
          x: { field: "index", type: "quantitative", title: "Data point" },
          y: { field: "k", type: "quantitative", title: "Pareto shape k" },
          color: {
            condition: { test: "datum.k > 0.7", value: "#d62728" },
            value: SCHEME.midHighlight,
          },
        },
      },
    ],
  };
  return new Plot(spec, `Pareto k of ${rows.length} observations`, { paretoK: rows });
}
