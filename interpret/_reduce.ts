/**
 * Reductions of draws: R's `median()` and `quantile(type = 7)` (the same arithmetic, so that
 * results agree with R to the last bits or nearly), on a sorted copy.
 *
 * @module
 */

/** Quantile `p` of sorted values, as R's `quantile(x, p, type = 7)` computes it. */
export function quantileSorted(s: Float64Array, p: number): number {
  const n = s.length;
  if (n === 0) return NaN;
  const index = 1 + (n - 1) * p;
  const lo = Math.floor(index), hi = Math.ceil(index);
  const q = s[lo - 1];
  const h = index - lo;
  if (index > lo && s[hi - 1] !== q) return (1 - h) * q + h * s[hi - 1];
  return q;
}

/** R's `median()` of sorted values. */
export function medianSorted(s: Float64Array): number {
  const n = s.length;
  if (n === 0) return NaN;
  const half = (n + 1) >> 1;
  if (n % 2 === 1) return s[half - 1];
  return (s[half - 1] + s[half]) / 2;
}

/** Median and equal-tailed interval of draws (NaN when any draw is NaN). */
export function summarize(
  draws: Float64Array,
  prob: number,
): { estimate: number; lower: number; upper: number } {
  const s = draws.slice().sort();
  if (s.length && Number.isNaN(s[s.length - 1])) return { estimate: NaN, lower: NaN, upper: NaN };
  const a = (1 - prob) / 2;
  return {
    estimate: medianSorted(s),
    lower: quantileSorted(s, a),
    upper: quantileSorted(s, 1 - a),
  };
}
