/**
 * Plots of the posterior draws, as bayesplot draws them: densities, histograms, intervals and
 * areas (`mcmc_dens`, `mcmc_hist`, `mcmc_intervals`, `mcmc_areas`), and a forest plot of several
 * fits.
 *
 * @module
 */
import type { InferenceData } from "../idata/mod.ts";
import { PlotInputError } from "./errors.ts";
import { type IdataLike, Plot, type VegaLiteSpec } from "./plot.ts";
import { merged, paramDraws, short } from "./_draws.ts";
import { binWidth, density, extent, mean, median, quantile7, sorted } from "./_stats.ts";
import { type McmcOptions, SCHEME } from "./mcmc.ts";

/**
 * Options of {@link plotPosterior} and {@link plotForest}.
 *
 * @example
 * ```ts
 * import type { PosteriorOptions } from "./posterior.ts";
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
 * import { intervalsData } from "./posterior.ts";
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
 * import { plotPosterior } from "./posterior.ts";
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
 * import { plotForest } from "./posterior.ts";
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
