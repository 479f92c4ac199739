/**
 * MCMC diagnostics plots of the posterior draws, as bayesplot draws them: trace plots and rank
 * histograms (the posterior's densities, intervals and forest plots are in posterior.ts).
 *
 * @module
 */
import { PlotInputError } from "./errors.ts";
import { Plot, type VegaLiteSpec } from "./plot.ts";
import { merged, paramDraws, short } from "./_draws.ts";
import type { IdataLike } from "./_draws.ts";
import { breaksWidth, countBins, rankAverage } from "./_stats.ts";

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
      // Horizontal row labels: rotated ones overlap their neighbours for long names.
      row: {
        field: "parameter",
        type: "nominal",
        title: null,
        sort: ps.map((p) => p.name),
        header: { labelAngle: 0, labelAlign: "left", labelOrient: "left", labelLimit: 0 },
      },
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
