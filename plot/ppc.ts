/**
 * Posterior predictive checks (bayesplot's `ppc_*`, brms's `pp_check`) on the `observed_data` and
 * `posterior_predictive` groups of an InferenceData (the LOO-PIT plot is in loo_pit.ts).
 *
 * @module
 */
import { PlotInputError } from "./errors.ts";
import { Plot, type VegaLiteSpec } from "./plot.ts";
import { predictive } from "./_draws.ts";
import type { IdataLike } from "./_draws.ts";
import {
  binWidth,
  breaksWidth,
  countBins,
  density,
  extent,
  mean,
  quantile7,
  sd,
  sorted,
} from "./_stats.ts";
import { SCHEME } from "./mcmc.ts";

/** The statistics {@link ppCheck} `"stat"` knows by name (R's functions). */
export const STATS: Readonly<Record<string, (x: Float64Array) => number>> = {
  mean: (x) => mean(x),
  sd: (x) => sd(x),
  median: (x) => quantile7(sorted(x), 0.5),
  min: (x) => x.reduce((a, b) => Math.min(a, b), Infinity),
  max: (x) => x.reduce((a, b) => Math.max(a, b), -Infinity),
  var: (x) => sd(x) ** 2,
  IQR: (x) => {
    const s = sorted(x);
    return quantile7(s, 0.75) - quantile7(s, 0.25);
  },
};

/**
 * The kinds of {@link ppCheck} (bayesplot's `ppc_<type>`).
 *
 * @example
 * ```ts
 * import type { PpCheckType } from "./ppc.ts";
 * const t: PpCheckType = "dens_overlay";
 * ```
 */
export type PpCheckType = "dens_overlay" | "hist" | "ecdf_overlay" | "stat" | "intervals" | "bars";

/**
 * Options of {@link ppCheck}.
 *
 * @example
 * ```ts
 * import type { PpCheckOptions } from "./ppc.ts";
 * const o: PpCheckOptions = { type: "stat", stat: "sd" };
 * ```
 */
export interface PpCheckOptions {
  /** The check (default `"dens_overlay"`). */
  type?: PpCheckType;
  /**
   * Number of predictive draws shown (brms's default: 10 for overlays and histograms, all for
   * `stat`, `intervals` and `bars`); the draws taken are evenly spaced over all draws
   * (`round(seq(1, S, length.out = ndraws))`), not random as in brms.
   */
  ndraws?: number;
  /** Exactly these draws (0-based positions, chains stacked) instead of `ndraws`. */
  draws?: readonly number[];
  /** Statistic of `"stat"`: a name of {@link STATS} (default `"mean"`) or a function. */
  stat?: string | ((x: Float64Array) => number);
  /** The variable (default: the first in both groups). */
  varName?: string;
  /** Inner interval of `"intervals"` (default 0.5). */
  prob?: number;
  /** Outer interval of `"intervals"` (default 0.9); the interval of `"bars"` (default 0.9). */
  probOuter?: number;
  /** Bins of `"hist"` and `"stat"` (default 30, ggplot2's). */
  bins?: number;
}

function pickDraws(S: number, options: PpCheckOptions, all: boolean): number[] {
  if (options.draws) {
    for (const d of options.draws) {
      if (!Number.isInteger(d) || d < 0 || d >= S) {
        throw new PlotInputError(`draw ${d} is not in 0..${S - 1}`);
      }
    }
    return [...options.draws];
  }
  const n = Math.min(options.ndraws ?? (all ? S : 10), S);
  if (n === S) return Array.from({ length: S }, (_, i) => i);
  if (n === 1) return [0];
  return Array.from({ length: n }, (_, i) => Math.round(1 + i * (S - 1) / (n - 1)) - 1);
}

const yColor = {
  field: "is",
  type: "nominal",
  title: null,
  scale: { domain: ["y", "yrep"], range: [SCHEME.darkHighlight, SCHEME.lightHighlight] },
};

/**
 * Posterior predictive check, as bayesplot computes it (chains stacked, draws in brms's order):
 * - `"dens_overlay"`: `stats::density(bw = "nrd0", n = 1024)` of `y` and each draw over the
 *   range of all of them (ggplot2's `stat_density`, `trim = FALSE`);
 * - `"hist"`: histograms of `y` and each draw, ggplot2's 30 bins over the common range;
 * - `"ecdf_overlay"`: empirical CDFs (steps at the sorted values, `k / n`) of `y` and each draw,
 *   padded with 0 and 1 at the common range (`stat_ecdf(pad = TRUE)`);
 * - `"stat"`: `stat(yrep)` of every draw (histogram, 30 bins) against `stat(y)`;
 * - `"intervals"`: per observation the type-7 quantiles at `(1 -+ probOuter) / 2`,
 *   `(1 -+ prob) / 2` and 0.5 (`ppc_intervals_data`), against `y`;
 * - `"bars"`: counts of each value of `y`, and per value the type-7 quantiles
 *   `(1 -+ probOuter) / 2` and median of the draws' counts (`ppc_bars_data`).
 *
 * @example
 * ```ts
 * import { InferenceData } from "../idata/mod.ts";
 * import { ppCheck } from "./ppc.ts";
 * const idata = InferenceData.fromObject({
 *   observed_data: { y: { dims: ["obs_id"], data: new Float64Array([1, 2, 3]) } },
 *   posterior_predictive: { y: { dims: ["chain", "draw", "obs_id"], data: new Float64Array(60).map(Math.random) } },
 * }, { chains: 2 });
 * const p = ppCheck(idata, { type: "stat", stat: "mean" });
 * p.data.stat.length; // 20 draws
 * ```
 */
export function ppCheck(
  idata: IdataLike,
  options: PpCheckOptions = {},
): Plot {
  const type = options.type ?? "dens_overlay";
  const { name, yrep, y } = predictive(idata, options.varName);
  const S = yrep.length;
  const all = type === "stat" || type === "intervals" || type === "bars";
  const ids = pickDraws(S, options, all);
  const title = `pp_check ${type} of ${name}`;
  switch (type) {
    case "dens_overlay": {
      const [lo, hi] = extent(y, ...ids.map((i) => yrep[i]));
      const rows: Record<string, unknown>[] = [];
      const add = (x: Float64Array, rep: number, is: string) => {
        const d = density(x, { n: 1024, from: lo, to: hi });
        for (let k = 0; k < d.x.length; k++) rows.push({ rep, is, x: d.x[k], density: d.y[k] });
      };
      for (const i of ids) add(yrep[i], i, "yrep");
      add(y, -1, "y");
      const spec: VegaLiteSpec = {
        title: `Posterior predictive check: ${name}`,
        data: { values: rows },
        width: 420,
        height: 240,
        mark: { type: "line", clip: true },
        encoding: {
          x: { field: "x", type: "quantitative", title: name, scale: { nice: false, zero: false } },
          y: { field: "density", type: "quantitative", title: null, axis: null },
          detail: { field: "rep", type: "nominal" },
          color: yColor,
          strokeWidth: { condition: { test: "datum.is === 'y'", value: 1.5 }, value: 0.6 },
          order: { field: "rep", type: "quantitative" },
        },
      };
      return new Plot(spec, title, { density: rows });
    }
    case "hist": {
      const sets = [{ rep: -1, x: y }, ...ids.map((i) => ({ rep: i, x: yrep[i] }))];
      const [lo, hi] = extent(...sets.map((s) => s.x));
      const bins = options.bins ?? 30;
      const width = hi > lo ? (hi - lo) / (bins - 1) : 0.1;
      const edges = breaksWidth(lo, hi, width, width / 2);
      const rows: Record<string, unknown>[] = [];
      for (const s of sets) {
        const c = countBins(s.x, edges);
        const panel = s.rep < 0 ? "y" : `yrep ${s.rep + 1}`;
        for (let k = 0; k < c.length; k++) {
          rows.push({
            panel,
            is: s.rep < 0 ? "y" : "yrep",
            start: edges[k],
            end: edges[k + 1],
            count: c[k],
          });
        }
      }
      const spec: VegaLiteSpec = {
        title: `Posterior predictive check: ${name}`,
        data: { values: rows },
        facet: {
          field: "panel",
          type: "nominal",
          title: null,
          sort: sets.map((s) => s.rep < 0 ? "y" : `yrep ${s.rep + 1}`),
        },
        columns: 4,
        spec: {
          width: 140,
          height: 90,
          mark: { type: "rect", strokeWidth: 0.25, stroke: "white" },
          encoding: {
            x: { field: "start", type: "quantitative", title: null },
            x2: { field: "end" },
            y: { field: "count", type: "quantitative", title: null, axis: null },
            fill: { ...yColor, legend: null },
          },
        },
      };
      return new Plot(spec, title, { hist: rows });
    }
    case "ecdf_overlay": {
      const rows: Record<string, unknown>[] = [];
      const [lo, hi] = extent(y, ...ids.map((i) => yrep[i]));
      // ggplot2's stat_ecdf(pad = TRUE): 0 before the data and 1 after, here at the common range.
      const add = (x: Float64Array, rep: number, is: string) => {
        const s = sorted(x);
        rows.push({ rep, is, x: lo, ecdf: 0 });
        for (let k = 0; k < s.length; k++) {
          rows.push({ rep, is, x: s[k], ecdf: (k + 1) / s.length });
        }
        rows.push({ rep, is, x: hi, ecdf: 1 });
      };
      for (const i of ids) add(yrep[i], i, "yrep");
      add(y, -1, "y");
      const spec: VegaLiteSpec = {
        title: `Posterior predictive check: ${name}`,
        data: { values: rows },
        width: 420,
        height: 240,
        mark: { type: "line", interpolate: "step-after" },
        encoding: {
          x: { field: "x", type: "quantitative", title: name, scale: { zero: false } },
          y: { field: "ecdf", type: "quantitative", title: null, scale: { domain: [0, 1] } },
          detail: { field: "rep", type: "nominal" },
          color: yColor,
          order: { field: "x", type: "quantitative" },
        },
      };
      return new Plot(spec, title, { ecdf: rows });
    }
    case "stat": {
      const f = typeof options.stat === "function" ? options.stat : STATS[options.stat ?? "mean"];
      if (!f) {
        throw new PlotInputError(
          `unknown stat "${options.stat}" (known: ${Object.keys(STATS).join(", ")})`,
        );
      }
      const statName = typeof options.stat === "function"
        ? (options.stat.name || "T")
        : options.stat ?? "mean";
      const values = Float64Array.from(ids, (i) => f(yrep[i]));
      const ty = f(y);
      const bins = options.bins ?? 30;
      const [lo, hi] = extent(values);
      const width = hi > lo ? (hi - lo) / (bins - 1) : 0.1;
      const { edges, counts } = binWidth(values, width, width / 2);
      const hist = Array.from(counts, (c, k) => ({ start: edges[k], end: edges[k + 1], count: c }));
      const statRows = Array.from(values, (v, k) => ({ draw: ids[k], value: v }));
      const spec: VegaLiteSpec = {
        title: `Posterior predictive check: ${statName}(${name})`,
        width: 420,
        height: 240,
        layer: [
          {
            data: { values: hist },
            mark: {
              type: "rect",
              fill: SCHEME.light,
              stroke: SCHEME.lightHighlight,
              strokeWidth: 0.5,
            },
            encoding: {
              x: {
                field: "start",
                type: "quantitative",
                title: `T = ${statName}`,
                scale: { zero: false },
              },
              x2: { field: "end" },
              y: { field: "count", type: "quantitative", title: null, axis: null },
            },
          },
          {
            data: { values: [{ value: ty, label: `T(y) = ${ty.toPrecision(4)}` }] },
            mark: { type: "rule", color: SCHEME.darkHighlight, strokeWidth: 2 },
            encoding: { x: { field: "value", type: "quantitative" } },
          },
        ],
      };
      return new Plot(spec, title, { stat: statRows, statY: [{ value: ty }], hist });
    }
    case "intervals": {
      const prob = options.prob ?? 0.5, probOuter = options.probOuter ?? 0.9;
      if (!(prob > 0 && prob < 1 && probOuter > 0 && probOuter <= 1)) {
        throw new PlotInputError("need 0 < prob < 1 and 0 < probOuter <= 1");
      }
      const [pi, po] = [Math.min(prob, probOuter), Math.max(prob, probOuter)];
      const probs = [(1 - po) / 2, (1 - pi) / 2, 0.5, 1 - (1 - pi) / 2, 1 - (1 - po) / 2].sort((
        a,
        b,
      ) => a - b);
      const rows: Record<string, unknown>[] = [];
      const col = new Float64Array(ids.length);
      for (let j = 0; j < y.length; j++) {
        ids.forEach((i, k) => col[k] = yrep[i][j]);
        const s = sorted(col);
        const [ll, l, m, h, hh] = probs.map((p) => quantile7(s, p));
        rows.push({
          y_id: j + 1,
          y_obs: y[j],
          x: j + 1,
          outer_width: po,
          inner_width: pi,
          ll,
          l,
          m,
          h,
          hh,
        });
      }
      const spec: VegaLiteSpec = {
        title: `Posterior predictive intervals: ${name}`,
        data: { values: rows },
        width: Math.min(800, Math.max(300, 6 * y.length)),
        height: 240,
        encoding: {
          x: {
            field: "x",
            type: "quantitative",
            title: "Data point (index)",
            scale: { zero: false },
          },
        },
        layer: [
          {
            mark: { type: "rule", color: SCHEME.lightHighlight, strokeWidth: 1 },
            encoding: {
              y: { field: "ll", type: "quantitative", title: name, scale: { zero: false } },
              y2: { field: "hh" },
            },
          },
          {
            mark: { type: "rule", color: SCHEME.lightHighlight, strokeWidth: 3 },
            encoding: { y: { field: "l", type: "quantitative" }, y2: { field: "h" } },
          },
          {
            mark: { type: "point", filled: true, color: SCHEME.light, size: 20 },
            encoding: { y: { field: "m", type: "quantitative" } },
          },
          {
            mark: { type: "point", filled: true, color: SCHEME.darkHighlight, size: 20 },
            encoding: { y: { field: "y_obs", type: "quantitative" } },
          },
        ],
      };
      return new Plot(spec, title, { intervals: rows });
    }
    case "bars": {
      const prob = options.probOuter ?? 0.9;
      for (const v of y) {
        if (!Number.isInteger(v)) throw new PlotInputError("ppCheck bars expects a discrete y");
      }
      const alpha = (1 - prob) / 2;
      const probs = [alpha, 0.5, 1 - alpha].sort((a, b) => a - b);
      const values = new Set<number>(y);
      for (const i of ids) for (const v of yrep[i]) values.add(v);
      const xs = [...values].sort((a, b) => a - b);
      const countsOf = (a: Float64Array) => {
        const m = new Map<number, number>();
        for (const v of a) m.set(v, (m.get(v) ?? 0) + 1);
        return m;
      };
      const yc = countsOf(y);
      const repCounts = ids.map((i) => countsOf(yrep[i]));
      const rows: Record<string, unknown>[] = [];
      for (const x of xs) {
        // dplyr::count only has rows for values a draw produced: draws without x do not count 0.
        const c = Float64Array.from(repCounts.filter((m) => m.has(x)).map((m) => m.get(x)!));
        const s = sorted(c);
        const [l, m, h] = c.length ? probs.map((p) => quantile7(s, p)) : [NaN, NaN, NaN];
        rows.push({ x, y_obs: yc.get(x) ?? null, l, m, h });
      }
      const spec: VegaLiteSpec = {
        title: `Posterior predictive check: ${name}`,
        data: { values: rows },
        width: 420,
        height: 240,
        encoding: { x: { field: "x", type: "quantitative", title: name } },
        layer: [
          {
            mark: { type: "bar", color: SCHEME.light, stroke: SCHEME.lightHighlight },
            encoding: { y: { field: "y_obs", type: "quantitative", title: "Count" } },
          },
          {
            mark: { type: "rule", color: SCHEME.darkHighlight, strokeWidth: 1.5 },
            encoding: { y: { field: "l", type: "quantitative" }, y2: { field: "h" } },
          },
          {
            mark: { type: "point", filled: true, color: SCHEME.darkHighlight, size: 25 },
            encoding: { y: { field: "m", type: "quantitative" } },
          },
        ],
      };
      return new Plot(spec, title, { bars: rows });
    }
    default:
      throw new PlotInputError(`unknown ppCheck type "${type}"`);
  }
}
