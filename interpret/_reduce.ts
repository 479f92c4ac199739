/**
 * Reductions of draws: R's `median()` and `quantile(type = 7)` (the same arithmetic, so that
 * results agree with R to the last bits or nearly), on a sorted copy.
 *
 * @module
 */
import { sortedMedian, sortedQuantile } from "../stats/mod.ts";

/** Median and equal-tailed interval of draws (NaN when any draw is NaN). */
export function summarize(
  draws: Float64Array,
  prob: number,
): { estimate: number; lower: number; upper: number } {
  const s = draws.slice().sort();
  if (s.length && Number.isNaN(s[s.length - 1])) return { estimate: NaN, lower: NaN, upper: NaN };
  const a = (1 - prob) / 2;
  return {
    estimate: sortedMedian(s),
    lower: sortedQuantile(s, a),
    upper: sortedQuantile(s, 1 - a),
  };
}
