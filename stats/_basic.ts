// Elementary statistics computed the way R computes them (long-double accumulation emulated
// with compensated sums, two-pass means, type-7 quantiles).

/** Compensated (Neumaier) sum of `x[from..to)`, close to R's long-double accumulation. */
export function sum(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  let c = 0;
  for (let i = from; i < to; i++) {
    const v = x[i];
    const t = s + v;
    if (Math.abs(s) >= Math.abs(v)) c += (s - t) + v;
    else c += (v - t) + s;
    s = t;
  }
  return Number.isFinite(s) ? s + c : s;
}

/** R's `mean()`: sum / n, then one refinement pass `+ sum(x - mean) / n`. */
export function mean(x: ArrayLike<number>, from = 0, to = x.length): number {
  const n = to - from;
  if (n === 0) return NaN;
  let s = sum(x, from, to) / n;
  if (!Number.isFinite(s)) {
    let t = 0;
    for (let i = from; i < to; i++) t += x[i] / n;
    s = t;
  }
  if (Number.isFinite(s)) {
    let t = 0;
    let c = 0;
    for (let i = from; i < to; i++) {
      const v = x[i] - s;
      const u = t + v;
      if (Math.abs(t) >= Math.abs(v)) c += (t - u) + v;
      else c += (v - u) + t;
      t = u;
    }
    s += (t + c) / n;
  }
  return s;
}

/** R's `var()` of a vector (two-pass, denominator n - 1). */
export function variance(x: ArrayLike<number>, from = 0, to = x.length): number {
  const n = to - from;
  const m = mean(x, from, to);
  let s = 0;
  let c = 0;
  for (let i = from; i < to; i++) {
    const d = x[i] - m;
    const v = d * d;
    const t = s + v;
    if (Math.abs(s) >= Math.abs(v)) c += (s - t) + v;
    else c += (v - t) + s;
    s = t;
  }
  return (Number.isFinite(s) ? s + c : s) / (n - 1);
}

export { rMidpoint, sortedMedian, sortedQuantile } from "./quantile.ts";

/**
 * `abs(x - center)` of an ascending array, returned ascending, in O(n) by merging the two
 * monotone halves (the same floating-point values as computing and sorting them).
 */
export function sortedAbsDev(s: ArrayLike<number>, center: number, out: Float64Array): void {
  const n = s.length;
  let j = 0; // first index with s[j] >= center
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s[mid] < center) lo = mid + 1;
    else hi = mid;
  }
  j = lo;
  let a = j - 1;
  let b = j;
  for (let o = 0; o < n; o++) {
    const va = a >= 0 ? Math.abs(s[a] - center) : Infinity;
    const vb = b < n ? Math.abs(s[b] - center) : Infinity;
    if (b >= n || (a >= 0 && va <= vb)) {
      out[o] = va;
      a--;
    } else {
      out[o] = vb;
      b++;
    }
  }
}

/** Whether any value is NaN, and whether any is infinite. */
export function scan(
  x: ArrayLike<number>,
): { nan: boolean; inf: boolean; min: number; max: number } {
  let nan = false;
  let inf = false;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v !== v) nan = true;
    else {
      if (v === Infinity || v === -Infinity) inf = true;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return { nan, inf, min, max };
}

/** Formats a number like R's `as.character()` (15 significant digits). */
export function rNumber(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "NaN" : x > 0 ? "Inf" : "-Inf";
  if (x === 0) return "0";
  const v = Number(x.toPrecision(15));
  const [mant, expo] = v.toExponential().split("e");
  const e = Number(expo);
  const sci = `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  const digits = mant.replace("-", "").replace(".", "");
  let fixed: string;
  if (e >= 0) {
    fixed = digits.length > e + 1
      ? `${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`
      : digits + "0".repeat(e + 1 - digits.length);
  } else fixed = `0.${"0".repeat(-e - 1)}${digits}`;
  if (v < 0) fixed = `-${fixed}`;
  return fixed.length <= sci.length ? fixed : sci;
}
