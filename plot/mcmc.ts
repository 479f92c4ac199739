/**
 * MCMC plots of the posterior draws, as bayesplot draws them: trace, rank histograms, densities,
 * histograms, intervals and areas, and a forest plot of several fits.
 *
 * @module
 */
import type { InferenceData } from "../idata/mod.ts";
import { PlotInputError } from "./errors.ts";
import { Plot, type VegaLiteSpec } from "./plot.ts";
import { merged, type ParamDraws, paramDraws } from "./_draws.ts";
import type { IdataLike } from "./_draws.ts";
import {
  binWidth,
  breaksWidth,
  countBins,
  density,
  extent,
  mean,
  median,
  quantile7,
  rankAverage,
  sorted,
} from "./_stats.ts";

/** bayesplot's default blue scheme (`color_scheme_get("blue")`). */
export const SCHEME = {
  light: "#d1e1ec",
  lightHighlight: "#b3cde0",
  mid: "#6497b1",
  midHighlight: "#005b96",
  dark: "#03396c",
  darkHighlight: "#011f4b",
} as const;

/**
 * Options shared by the MCMC plots.
 *
 * @example
 * ```ts
 * import type { McmcOptions } from "./mcmc.ts";
 * const o: McmcOptions = { varNames: ["b_Intercept", "sigma"] };
 * ```
 */
export interface McmcOptions {
  /** Variables of the posterior (default: all but `lp__`); vector variables are flattened. */
  varNames?: readonly string[];
  /** The group to read (default `"posterior"`). */
  group?: string;
  /** Width of one facet in pixels (default 260). */
  width?: number;
  /** Height of one facet in pixels (default 140). */
  height?: number;
}

// bayesplot's chain_colors(): the scheme's shades, spread over the chains.
function chainColors(n: number): string[] {
  const all = [
    SCHEME.light,
    SCHEME.lightHighlight,
    SCHEME.mid,
    SCHEME.midHighlight,
    SCHEME.dark,
    SCHEME.darkHighlight,
  ];
  if (n === 1) return [SCHEME.darkHighlight];
  if (n === 2) return [SCHEME.mid, SCHEME.darkHighlight];
  if (n === 3) return [SCHEME.lightHighlight, SCHEME.mid, SCHEME.darkHighlight];
  if (n <= 6) return all.slice(6 - n);
  return all;
}

const names = (ps: ParamDraws[]) => ps.map((p) => p.name).join(", ");
const short = (ps: ParamDraws[]) => ps.length > 4 ? `${ps.length} parameters` : names(ps);

/**
 * Trace plot (bayesplot's `mcmc_trace`): the draws of every chain against the iteration, one
 * panel per parameter (free y scales), one line per chain.
 *
 * @example
 * ```ts
 * import { InferenceData } from "../idata/mod.ts";
 * import { plotTrace } from "./mcmc.ts";
 * const idata = InferenceData.fromObject({ posterior: { mu: new Float64Array(400).map(Math.random) } }, { chains: 4 });
 * const svg = await plotTrace(idata).toSVG();
 * ```
 */
export function plotTrace(
  idata: IdataLike,
  options: McmcOptions = {},
): Plot {
  const ps = paramDraws(idata, options.varNames, options.group);
  const rows: Record<string, unknown>[] = [];
  for (const p of ps) {
    p.chains.forEach((c, ci) => {
      for (let d = 0; d < c.length; d++) {
        rows.push({ parameter: p.name, chain: ci + 1, iteration: d + 1, value: c[d] });
      }
    });
  }
  const spec: VegaLiteSpec = {
    title: "Trace",
    data: { values: rows },
    facet: { field: "parameter", type: "nominal", title: null, sort: ps.map((p) => p.name) },
    columns: Math.min(ps.length, 3),
    resolve: { scale: { y: "independent" } },
    spec: {
      width: options.width ?? 260,
      height: options.height ?? 140,
      mark: { type: "line", strokeWidth: 0.5, clip: true },
      encoding: {
        x: { field: "iteration", type: "quantitative", title: null },
        y: { field: "value", type: "quantitative", title: null, scale: { zero: false } },
        color: {
          field: "chain",
          type: "nominal",
          title: "Chain",
          scale: { range: chainColors(ps[0]?.chains.length ?? 1) },
        },
      },
    },
  };
  return new Plot(spec, `trace plot of ${short(ps)}`, { trace: rows });
}

/**
 * Options of {@link plotRank}.
 *
 * @example
 * ```ts
 * import type { RankOptions } from "./mcmc.ts";
 * const o: RankOptions = { bins: 20 };
 * ```
 */
export interface RankOptions extends McmcOptions {
  /** Number of bins (bayesplot's `n_bins`, default 20). */
  bins?: number;
}

/**
 * Rank histograms (bayesplot's `mcmc_rank_hist`): each parameter's draws of all chains are
 * ranked together (`rank(ties.method = "average")`), and each chain's ranks are counted in
 * `bins` bins of width `max(rank) / bins` with a boundary at `max(rank)` (ggplot2's
 * right-closed bins); one panel per parameter (rows) and chain (columns). Uniform histograms
 * mean the chains mix.
 *
 * @example
 * ```ts
 * import { InferenceData } from "../idata/mod.ts";
 * import { plotRank } from "./mcmc.ts";
 * const idata = InferenceData.fromObject({ posterior: { mu: new Float64Array(400).map(Math.random) } }, { chains: 4 });
 * plotRank(idata).data.rank.length; // 4 chains x 20 bins
 * ```
 */
export function plotRank(
  idata: IdataLike,
  options: RankOptions = {},
): Plot {
  const ps = paramDraws(idata, options.varNames, options.group);
  const bins = options.bins ?? 20;
  if (!(bins >= 1) || !Number.isInteger(bins)) {
    throw new PlotInputError("bins must be a positive integer");
  }
  const rows: Record<string, unknown>[] = [];
  for (const p of ps) {
    const ranks = rankAverage(merged(p));
    let lo = Infinity, right = -Infinity;
    for (const r of ranks) lo = Math.min(lo, r), right = Math.max(right, r);
    // The bins span all chains' ranks (bayesplot's geom_blank of the rank range).
    const edges = breaksWidth(lo, right, right / bins, right);
    let o = 0;
    p.chains.forEach((c, ci) => {
      const counts = countBins(ranks.subarray(o, o + c.length), edges);
      o += c.length;
      for (let k = 0; k < counts.length; k++) {
        rows.push({
          parameter: p.name,
          chain: ci + 1,
          start: edges[k],
          end: edges[k + 1],
          count: counts[k],
        });
      }
    });
  }
  const spec: VegaLiteSpec = {
    title: "Rank histograms",
    data: { values: rows },
    facet: {
      row: { field: "parameter", type: "nominal", title: null, sort: ps.map((p) => p.name) },
      column: { field: "chain", type: "ordinal", title: "Chain" },
    },
    spec: {
      width: options.width ?? 120,
      height: options.height ?? 80,
      mark: { type: "rect", fill: SCHEME.mid, stroke: SCHEME.midHighlight, strokeWidth: 0.25 },
      encoding: {
        x: { field: "start", type: "quantitative", title: "Rank" },
        x2: { field: "end" },
        y: { field: "count", type: "quantitative", title: null, axis: null },
      },
    },
  };
  return new Plot(spec, `rank histograms of ${short(ps)}`, { rank: rows });
}

/**
 * Options of {@link plotPosterior} and {@link plotForest}.
 *
 * @example
 * ```ts
 * import type { PosteriorOptions } from "./mcmc.ts";
 * const o: PosteriorOptions = { kind: "intervals", prob: 0.5, probOuter: 0.9 };
 * ```
 */
export interface PosteriorOptions extends McmcOptions {
  /** `"density"` (default), `"histogram"`, `"intervals"` or `"areas"`. */
  kind?: "density" | "histogram" | "intervals" | "areas";
  /** Inner interval width (default 0.5). */
  prob?: number;
  /** Outer interval width (default 0.9 for intervals, 1 for areas, as bayesplot). */
  probOuter?: number;
  /** Point estimate: `"median"` (default) or `"mean"`. */
  pointEst?: "median" | "mean";
  /** Histogram bins (default 30, ggplot2's default). */
  bins?: number;
}

/** One row of interval data, bayesplot's `mcmc_intervals_data` columns. */
export interface IntervalRow {
  /** The parameter (`name[label]` for elements of vector variables). */
  parameter: string;
  /** `probOuter`. */
  outer_width: number;
  /** `prob`. */
  inner_width: number;
  /** `"median"` or `"mean"`. */
  point_est: string;
  /** Lower end of the outer interval: quantile `0.5 - probOuter / 2`. */
  ll: number;
  /** Lower end of the inner interval: quantile `0.5 - prob / 2`. */
  l: number;
  /** The point estimate. */
  m: number;
  /** Upper end of the inner interval: quantile `0.5 + prob / 2`. */
  h: number;
  /** Upper end of the outer interval: quantile `0.5 + probOuter / 2`. */
  hh: number;
  /** Extra columns (`model` in {@link plotForest}). */
  [column: string]: unknown;
}

/**
 * bayesplot's `mcmc_intervals_data`: chains merged, `ll`, `l`, `h`, `hh` the type-7 quantiles at
 * `0.5 -+ probOuter / 2` and `0.5 -+ prob / 2`, `m` the median (or mean).
 *
 * @example
 * ```ts
 * import { InferenceData } from "../idata/mod.ts";
 * import { intervalsData } from "./mcmc.ts";
 * const idata = InferenceData.fromObject({ posterior: { mu: Float64Array.from({ length: 101 }, (_, i) => i) } });
 * intervalsData(idata)[0].m; // 50
 * ```
 */
export function intervalsData(
  idata: IdataLike,
  options: PosteriorOptions = {},
): IntervalRow[] {
  const prob = options.prob ?? 0.5, probOuter = options.probOuter ?? 0.9;
  checkProbs(prob, probOuter);
  const pe = options.pointEst ?? "median";
  return paramDraws(idata, options.varNames, options.group).map((p) => {
    const x = merged(p), s = sorted(x);
    return {
      parameter: p.name,
      outer_width: probOuter,
      inner_width: prob,
      point_est: pe,
      ll: quantile7(s, 0.5 - probOuter / 2),
      l: quantile7(s, 0.5 - prob / 2),
      m: pe === "mean" ? mean(x) : median(s),
      h: quantile7(s, 0.5 + prob / 2),
      hh: quantile7(s, 0.5 + probOuter / 2),
    };
  });
}

function checkProbs(prob: number, probOuter: number): void {
  if (!(prob > 0 && prob <= 1) || !(probOuter > 0 && probOuter <= 1) || prob > probOuter) {
    throw new PlotInputError(
      `need 0 < prob <= probOuter <= 1, got prob ${prob}, probOuter ${probOuter}`,
    );
  }
}

function intervalsSpec(rows: IntervalRow[], title: string, color?: string): VegaLiteSpec {
  const y = { field: "parameter", type: "nominal", title: null, sort: null };
  const enc = color
    ? {
      yOffset: { field: color, type: "nominal" },
      color: { field: color, type: "nominal", title: null },
    }
    : {};
  return {
    title,
    data: { values: rows },
    width: 360,
    height: { step: color ? 28 : 22 },
    encoding: { y, ...enc },
    layer: [
      {
        mark: { type: "rule", strokeWidth: 1, color: SCHEME.midHighlight },
        encoding: {
          x: { field: "ll", type: "quantitative", title: null, scale: { zero: false } },
          x2: { field: "hh" },
        },
      },
      {
        mark: { type: "rule", strokeWidth: 3, color: SCHEME.darkHighlight },
        encoding: { x: { field: "l", type: "quantitative" }, x2: { field: "h" } },
      },
      {
        mark: {
          type: "point",
          filled: true,
          size: 50,
          stroke: SCHEME.darkHighlight,
          fill: SCHEME.lightHighlight,
          strokeWidth: 1.5,
        },
        encoding: { x: { field: "m", type: "quantitative" } },
      },
    ],
  };
}

/**
 * Posterior distributions, as bayesplot's `mcmc_dens` / `mcmc_hist` / `mcmc_intervals` /
 * `mcmc_areas` compute them (chains merged):
 * - `"density"`: `stats::density(x, bw = "nrd0", n = 1024)` over the draws' range (ggplot2's
 *   `stat_density` with `trim = FALSE` and free facet scales), one panel per parameter;
 * - `"histogram"`: ggplot2's 30 bins (width `range / 29`, boundary `width / 2`, right-closed);
 * - `"intervals"`: {@link intervalsData} (`prob` 0.5, `probOuter` 0.9, median);
 * - `"areas"`: the density (`n = 1024`) between the `probOuter` quantiles (default 1: the
 *   whole range), the `prob` interval shaded, the median as a line, one row per parameter.
 *
 * @example
 * ```ts
 * import { InferenceData } from "../idata/mod.ts";
 * import { plotPosterior } from "./mcmc.ts";
 * const idata = InferenceData.fromObject({ posterior: { mu: new Float64Array(400).map(Math.random) } });
 * const p = plotPosterior(idata, { kind: "intervals" });
 * p.data.intervals[0].m;
 * ```
 */
export function plotPosterior(
  idata: IdataLike,
  options: PosteriorOptions = {},
): Plot {
  const kind = options.kind ?? "density";
  if (kind === "intervals") {
    const rows = intervalsData(idata, options);
    return new Plot(
      intervalsSpec(rows, "Posterior intervals"),
      `posterior intervals of ${rows.length} parameters`,
      { intervals: rows },
    );
  }
  const ps = paramDraws(idata, options.varNames, options.group);
  const facet = { field: "parameter", type: "nominal", title: null, sort: ps.map((p) => p.name) };
  const size = { width: options.width ?? 220, height: options.height ?? 120 };
  if (kind === "density") {
    const rows: Record<string, unknown>[] = [];
    for (const p of ps) {
      const x = merged(p);
      const [lo, hi] = extent(x);
      const d = density(x, { n: 1024, from: lo, to: hi });
      for (let i = 0; i < d.x.length; i++) {
        rows.push({ parameter: p.name, x: d.x[i], density: d.y[i] });
      }
    }
    const spec: VegaLiteSpec = {
      title: "Posterior densities",
      data: { values: rows },
      facet,
      columns: Math.min(ps.length, 3),
      resolve: { scale: { x: "independent", y: "independent" } },
      spec: {
        ...size,
        mark: {
          type: "area",
          line: { color: SCHEME.midHighlight },
          color: SCHEME.mid,
          opacity: 0.9,
        },
        encoding: {
          x: { field: "x", type: "quantitative", title: null, scale: { zero: false, nice: false } },
          y: { field: "density", type: "quantitative", title: null, axis: null },
        },
      },
    };
    return new Plot(spec, `posterior densities of ${short(ps)}`, { density: rows });
  }
  if (kind === "histogram") {
    const bins = options.bins ?? 30;
    const rows: Record<string, unknown>[] = [];
    for (const p of ps) {
      const x = merged(p);
      const [lo, hi] = extent(x);
      const width = hi > lo ? (hi - lo) / (bins - 1) : 0.1;
      const { edges, counts } = binWidth(x, width, width / 2);
      for (let k = 0; k < counts.length; k++) {
        rows.push({ parameter: p.name, start: edges[k], end: edges[k + 1], count: counts[k] });
      }
    }
    const spec: VegaLiteSpec = {
      title: "Posterior histograms",
      data: { values: rows },
      facet,
      columns: Math.min(ps.length, 3),
      resolve: { scale: { x: "independent", y: "independent" } },
      spec: {
        ...size,
        mark: { type: "rect", fill: SCHEME.mid, stroke: SCHEME.midHighlight, strokeWidth: 0.25 },
        encoding: {
          x: { field: "start", type: "quantitative", title: null, scale: { zero: false } },
          x2: { field: "end" },
          y: { field: "count", type: "quantitative", title: null, axis: null },
        },
      },
    };
    return new Plot(spec, `posterior histograms of ${short(ps)}`, { histogram: rows });
  }
  if (kind === "areas") {
    const prob = options.prob ?? 0.5, probOuter = options.probOuter ?? 1;
    checkProbs(prob, probOuter);
    const ivs = intervalsData(idata, { ...options, prob, probOuter });
    const rows: Record<string, unknown>[] = [];
    ps.forEach((p, i) => {
      const x = merged(p), s = sorted(x);
      const tail = (1 - probOuter) / 2;
      const d = density(x, { n: 1024, from: quantile7(s, tail), to: quantile7(s, 1 - tail) });
      for (let k = 0; k < d.x.length; k++) {
        const inner = d.x[k] >= ivs[i].l && d.x[k] <= ivs[i].h;
        rows.push({ parameter: p.name, x: d.x[k], density: d.y[k], inner });
      }
    });
    const spec: VegaLiteSpec = {
      title: "Posterior areas",
      data: { values: rows },
      facet: { row: { ...facet, header: { labelAngle: 0, labelAlign: "left" } } },
      spacing: 0,
      resolve: { scale: { y: "independent" } },
      spec: {
        width: options.width ?? 360,
        height: options.height ?? 40,
        layer: [
          {
            mark: {
              type: "area",
              color: SCHEME.light,
              line: { color: SCHEME.darkHighlight, strokeWidth: 0.5 },
            },
            encoding: {
              x: { field: "x", type: "quantitative", title: null, scale: { zero: false } },
              y: { field: "density", type: "quantitative", axis: null, title: null },
            },
          },
          {
            transform: [{ filter: "datum.inner" }],
            mark: { type: "area", color: SCHEME.lightHighlight },
            encoding: {
              x: { field: "x", type: "quantitative" },
              y: { field: "density", type: "quantitative" },
            },
          },
        ],
      },
    };
    return new Plot(spec, `posterior areas of ${short(ps)}`, { areas: rows, intervals: ivs });
  }
  throw new PlotInputError(
    `kind must be "density", "histogram", "intervals" or "areas", got "${kind}"`,
  );
}

/**
 * Forest plot: {@link intervalsData} of one or several fits, one row per parameter, fits side
 * by side (offset within the row, coloured by fit). Pass a record `{ name: idata }` to compare
 * models.
 *
 * @example
 * ```ts
 * import { InferenceData } from "../idata/mod.ts";
 * import { plotForest } from "./mcmc.ts";
 * const a = InferenceData.fromObject({ posterior: { mu: new Float64Array(400).map(Math.random) } });
 * const b = InferenceData.fromObject({ posterior: { mu: new Float64Array(400).map(Math.random) } });
 * const p = plotForest({ a, b }, { varNames: ["mu"] });
 * ```
 */
export function plotForest(
  fits: IdataLike | Readonly<Record<string, IdataLike>>,
  options: PosteriorOptions = {},
): Plot {
  const single = typeof (fits as InferenceData).groups === "function" ||
    ("idata" in fits && typeof (fits as { idata: InferenceData }).idata?.groups === "function");
  const many = !single;
  const entries: [string, IdataLike][] = many
    ? Object.entries(fits as Record<string, IdataLike>)
    : [["model", fits as IdataLike]];
  if (entries.length === 0) throw new PlotInputError("plotForest needs at least one fit");
  const rows: IntervalRow[] = [];
  for (const [model, idata] of entries) {
    for (const r of intervalsData(idata, options)) rows.push({ ...r, model });
  }
  const spec = intervalsSpec(rows, "Forest plot", many ? "model" : undefined);
  return new Plot(spec, `forest plot of ${entries.length} fit(s)`, { intervals: rows });
}
