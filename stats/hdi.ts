/**
 * Highest density intervals and sampler diagnostics from `sample_stats`.
 *
 * @module
 */
import { Dataset } from "../idata/dataset.ts";
import type { InferenceData } from "../idata/inference_data.ts";
import { elements } from "../idata/flatten.ts";
import type { Variable } from "../idata/types.ts";
import { BrmstsInputError, BrmstsRangeError } from "../errors.ts";

/**
 * Options of {@link hdi}.
 *
 * @example
 * ```ts
 * import type { HdiOptions } from "./hdi.ts";
 * const opts: HdiOptions = { method: "coda" };
 * ```
 */
export interface HdiOptions {
  /**
   * `"arviz"` (default): interval of `floor(prob * n)` gaps, as `arviz.hdi`; `"coda"`:
   * `max(1, min(n - 1, round(prob * n)))` gaps, as R's `coda::HPDinterval`.
   */
  method?: "arviz" | "coda";
}

/**
 * Highest density interval of draws: the narrowest interval between sorted draws that contains
 * the requested share of them (the first such interval on ties). Any NaN gives `[NaN, NaN]`.
 *
 * @example
 * ```ts
 * import { hdi } from "./hdi.ts";
 * const draws = Float64Array.from({ length: 4000 }, Math.random);
 * const [lo, hi] = hdi(draws, 0.9); // about [0, 0.9] for uniform draws
 * ```
 */
export function hdi(
  x: ArrayLike<number> | Variable,
  prob = 0.94,
  options: HdiOptions = {},
): [number, number] {
  if (!(prob > 0 && prob <= 1)) throw new BrmstsRangeError(`prob must be in (0, 1], got ${prob}`);
  const values = "dims" in x ? x.data : x;
  const n = values.length;
  const sorted = Float64Array.from(values);
  for (let i = 0; i < n; i++) if (sorted[i] !== sorted[i]) return [NaN, NaN];
  sorted.sort();
  let gap: number;
  if ((options.method ?? "arviz") === "coda") {
    if (n < 2) throw new BrmstsRangeError("obj must have nsamp > 1");
    gap = Math.max(1, Math.min(n - 1, roundHalfEven(n * prob)));
  } else {
    gap = Math.floor(prob * n);
    if (n - gap <= 0) throw new BrmstsRangeError("Too few elements for interval calculation.");
  }
  let best = 0;
  let width = Infinity;
  for (let i = 0; i + gap < n; i++) {
    const w = sorted[i + gap] - sorted[i];
    if (w < width) {
      width = w;
      best = i;
    }
  }
  return [sorted[best], sorted[best + gap]];
}

/** R's round(): halves go to the even neighbour. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function sampleStat(idata: InferenceData | Dataset, names: string[], what: string): Variable {
  const ds = idata instanceof Dataset ? idata : idata.group("sample_stats");
  for (const n of names) if (ds.has(n)) return ds.get(n);
  throw new BrmstsInputError(
    `sample_stats has no ${what} variable (looked for ${names.join(", ")})`,
  );
}

/** Counts per chain of draws where `test` holds. */
function countPerChain(v: Variable, name: string, test: (x: number) => boolean) {
  const el = elements(name, v);
  const perChain = new Array<number>(el.chains).fill(0);
  for (let k = 0; k < el.names.length; k++) {
    const x = el.values(k);
    for (let c = 0; c < el.chains; c++) {
      for (let d = 0; d < el.draws; d++) if (test(x[c * el.draws + d])) perChain[c]++;
    }
  }
  return { total: perChain.reduce((a, b) => a + b, 0), perChain };
}

/**
 * Number of divergent transitions, in total and per chain, from `sample_stats` (`diverging`,
 * ArviZ's name, or Stan's `divergent__`), like `rstan::get_num_divergent()`.
 *
 * @example
 * ```ts
 * import { InferenceData } from "../idata/mod.ts";
 * import { divergences } from "./hdi.ts";
 * const idata = InferenceData.fromObject({
 *   sample_stats: { diverging: { dims: ["chain", "draw"], data: new Uint8Array([0, 1, 0, 0]) } },
 * }, { chains: 2 });
 * divergences(idata); // { total: 1, perChain: [1, 0] }
 * ```
 */
export function divergences(idata: InferenceData | Dataset): { total: number; perChain: number[] } {
  const v = sampleStat(idata, ["diverging", "divergent__"], "divergence");
  return countPerChain(v, "diverging", (x) => x !== 0 && x === x);
}

/**
 * Number of transitions that hit the maximum tree depth (`tree_depth >= maxTreedepth`), in total
 * and per chain, from `sample_stats` (`tree_depth` or Stan's `treedepth__`), like
 * `rstan::get_num_max_treedepth()`.
 *
 * @example
 * ```ts
 * import { InferenceData } from "../idata/mod.ts";
 * import { treeDepthHits } from "./hdi.ts";
 * const idata = InferenceData.fromObject({
 *   sample_stats: { tree_depth: { dims: ["chain", "draw"], data: new Int32Array([3, 10, 10, 4]) } },
 * });
 * treeDepthHits(idata, 10); // { total: 2, perChain: [2] }
 * ```
 */
export function treeDepthHits(
  idata: InferenceData | Dataset,
  maxTreedepth = 10,
): { total: number; perChain: number[] } {
  const v = sampleStat(idata, ["tree_depth", "treedepth__"], "tree depth");
  return countPerChain(v, "tree_depth", (x) => x >= maxTreedepth);
}
