// The numbers behind the plots, computed as R (stats, ggplot2, bayesplot) computes them, so that
// a plot's data equals bayesplot's on the same draws. Pure functions on arrays.

/** Sorted copy (ascending, NaN last). */
export function sorted(x: ArrayLike<number>): Float64Array {
  const s = Float64Array.from(x as ArrayLike<number>);
  s.sort();
  return s;
}

// R's `quantile(x, p, type = 7)` and `median()` on sorted draws: index `h = (n - 1) p`, value
// `s[floor(h)] + (h - floor(h)) (s[ceil(h)] - s[floor(h)])`, computed as R does (stats/ holds them).
import { sortedMedian as median, sortedQuantile as quantile7 } from "../stats/mod.ts";
export { median, quantile7 };

/** `range()` of all values of all arrays: `[min, max]` (`[Infinity, -Infinity]` when empty). */
export function extent(...arrays: ArrayLike<number>[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) lo = Math.min(lo, a[i]), hi = Math.max(hi, a[i]);
  }
  return [lo, hi];
}

/** R's `mean()` (two passes, as R refines the mean of doubles). */
export function mean(x: ArrayLike<number>): number {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  const m = s / n;
  let t = 0;
  for (let i = 0; i < n; i++) t += x[i] - m;
  return m + t / n;
}

/** R's `sd()` (n - 1 denominator). */
export function sd(x: ArrayLike<number>): number {
  const n = x.length;
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
  return Math.sqrt(s / (n - 1));
}

/**
 * R's `bw.nrd0(x)`: `0.9 min(sd, IQR / 1.34) n^(-1/5)` (falling back to sd, |x[1]|, 1 when the
 * minimum is 0), IQR by quantile type 7.
 */
export function bwNrd0(x: ArrayLike<number>): number {
  const s = sorted(x);
  const hi = sd(x);
  let lo = Math.min(hi, (quantile7(s, 0.75) - quantile7(s, 0.25)) / 1.34);
  if (!lo) lo = hi || Math.abs(x[0]) || 1;
  return 0.9 * lo * Math.pow(x.length, -0.2);
}

// R's seq.int(from, to, length.out = n): ends exact, the first half from `from`, the second
// half back from `to`.
function seqLen(from: number, to: number, n: number): Float64Array {
  const out = new Float64Array(n);
  if (n > 0) out[0] = from;
  if (n > 1) out[n - 1] = to;
  if (n > 2) {
    const by = (to - from) / (n - 1);
    for (let i = 1; i < n - 1; i++) out[i] = i < n / 2 ? from + i * by : to - (n - 1 - i) * by;
  }
  return out;
}

const M_1_SQRT_2PI = 0.398942280401432677939946059934;
const DNORM_CUT = Math.sqrt(-2 * Math.LN2 * (-1021 + 1 - 53));

// R's dnorm(x, 0, sigma) (nmath/dnorm.c, including its accurate branch for x >= 5).
function dnorm(x0: number, sigma: number): number {
  const x = Math.abs(x0 / sigma);
  if (x >= 2 * Math.sqrt(Number.MAX_VALUE)) return 0;
  if (x < 5) return M_1_SQRT_2PI * Math.exp(-0.5 * x * x) / sigma;
  if (x > DNORM_CUT) return 0;
  const x1 = Math.round(x * 65536) / 65536;
  const x2 = x - x1;
  return M_1_SQRT_2PI / sigma * (Math.exp(-0.5 * x1 * x1) * Math.exp((-0.5 * x2 - x1) * x2));
}

const twiddles = new Map<number, { cos: Float64Array; sin: Float64Array }>();

// cos and sin of 2 pi k / n, k < n / 2, computed once per size.
function twiddle(n: number): { cos: Float64Array; sin: Float64Array } {
  let t = twiddles.get(n);
  if (!t) {
    const cos = new Float64Array(n >> 1), sin = new Float64Array(n >> 1);
    for (let k = 0; k < n >> 1; k++) {
      cos[k] = Math.cos((2 * Math.PI * k) / n);
      sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    t = { cos, sin };
    twiddles.set(n, t);
  }
  return t;
}

// In-place radix-2 complex FFT; `inverse` uses the positive exponent, unscaled (R's fft).
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i];
      re[i] = re[j], re[j] = t;
      t = im[i];
      im[i] = im[j], im[j] = t;
    }
  }
  const { cos, sin } = twiddle(n);
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1, step = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step], wi = sign * sin[k * step];
        const a = i + k, b = a + half;
        const xr = re[b] * wr - im[b] * wi, xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr, im[b] = im[a] - xi;
        re[a] += xr, im[a] += xi;
      }
    }
  }
}

/** Options of {@link density}: R's `density()` arguments. */
export interface DensityOptions {
  /** Bandwidth (default `bw.nrd0(x)`), before `adjust`. */
  bw?: number;
  adjust?: number;
  /** Number of output points (R's `n`, default 512). */
  n?: number;
  from?: number;
  to?: number;
  /** Bandwidths beyond the data when from/to are not given (default 3). */
  cut?: number;
}

/**
 * R's `stats::density(x, kernel = "gaussian")`: linear binning of the data on a grid of
 * `max(n, 512)` (rounded up to a power of two) points over `[from - 4 bw, to + 4 bw]`,
 * convolution with the Gaussian kernel by FFT, negative values set to 0, and linear
 * interpolation onto `n` points from `from` to `to`.
 */
export function density(
  x: ArrayLike<number>,
  opts: DensityOptions = {},
): { x: Float64Array; y: Float64Array; bw: number } {
  const nx = x.length;
  const bw = (opts.bw ?? bwNrd0(x)) * (opts.adjust ?? 1);
  const cut = opts.cut ?? 3;
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < nx; i++) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
  }
  const from = opts.from ?? min - cut * bw;
  const to = opts.to ?? max + cut * bw;
  const nUser = opts.n ?? 512;
  let n = Math.max(nUser, 512);
  if (n > 512) n = 2 ** Math.ceil(Math.log2(n));
  const lo = from - 4 * bw, up = to + 4 * bw;
  // C_BinDist with weights 1/nx.
  const y = new Float64Array(2 * n);
  const xdelta = (up - lo) / (n - 1);
  const w = 1 / nx;
  for (let i = 0; i < nx; i++) {
    const xi = x[i];
    if (!Number.isFinite(xi)) continue;
    const xpos = (xi - lo) / xdelta;
    const ix = Math.floor(xpos);
    const fx = xpos - ix;
    if (ix >= 0 && ix <= n - 2) {
      y[ix] += w * (1 - fx);
      y[ix + 1] += w * fx;
    } else if (ix === -1) y[0] += w * fx;
    else if (ix === n - 1) y[ix] += w * (1 - fx);
  }
  const kords = seqLen(0, 2 * (up - lo), 2 * n);
  for (let i = n + 1; i < 2 * n; i++) kords[i] = -kords[2 * n - i];
  const kr = new Float64Array(2 * n), ki = new Float64Array(2 * n);
  for (let i = 0; i < 2 * n; i++) kr[i] = dnorm(kords[i], bw);
  const yr = y, yi = new Float64Array(2 * n);
  fft(yr, yi, false);
  fft(kr, ki, false);
  // fft(y) * Conj(fft(k))
  for (let i = 0; i < 2 * n; i++) {
    const r = yr[i] * kr[i] + yi[i] * ki[i];
    const im = yi[i] * kr[i] - yr[i] * ki[i];
    yr[i] = r, yi[i] = im;
  }
  fft(yr, yi, true);
  const dens = new Float64Array(n);
  for (let i = 0; i < n; i++) dens[i] = Math.max(0, yr[i] / (2 * n));
  const xords = seqLen(lo, up, n);
  const xs = seqLen(from, to, nUser);
  return { x: xs, y: approx(xords, dens, xs), bw };
}

/** R's `approx(x, y, xout)` (linear, x increasing, NA outside). */
export function approx(
  xv: Float64Array,
  yv: Float64Array,
  xout: Float64Array,
): Float64Array {
  const n = xv.length;
  const out = new Float64Array(xout.length);
  for (let k = 0; k < xout.length; k++) {
    const v = xout[k];
    if (!(v >= xv[0] && v <= xv[n - 1])) {
      out[k] = NaN;
      continue;
    }
    let i = 0, j = n - 1;
    while (i < j - 1) {
      const ij = (i + j) >> 1;
      if (v < xv[ij]) j = ij;
      else i = ij;
    }
    if (v === xv[j]) out[k] = yv[j];
    else if (v === xv[i]) out[k] = yv[i];
    else out[k] = yv[i] + (yv[j] - yv[i]) * ((v - xv[i]) / (xv[j] - xv[i]));
  }
  return out;
}

/** R's `rank(x, ties.method = "average")` (1-based). */
export function rankAverage(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && x[idx[j + 1]] === x[idx[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}

/**
 * ggplot2's `bin_breaks_width(range, width, boundary)`: edges `origin + k width` from the
 * boundary's grid point at or below `min` up to `max + (1 - 1e-8) width`.
 */
export function breaksWidth(
  min: number,
  max: number,
  width: number,
  boundary: number,
): Float64Array {
  const shift = Math.floor((min - boundary) / width);
  const origin = boundary + shift * width;
  const maxX = max + (1 - 1e-8) * width;
  // R's seq(origin, maxX, width): origin + (0:floor((maxX - origin) / width + 1e-10)) * width
  const nb = Math.floor((maxX - origin) / width + 1e-10);
  const edges: number[] = [];
  for (let i = 0; i <= nb; i++) edges.push(Math.min(origin + i * width, maxX));
  if (edges.length === 1) edges.push(origin + width);
  return Float64Array.from(edges);
}

/**
 * Counts of `x` in ggplot2's right-closed bins (`(e[k], e[k+1]]`, the first bin closed on the
 * left too), its edges fuzzed by 1e-8 of the median bin width as ggplot2's `bin_vector` does.
 */
export function countBins(x: ArrayLike<number>, edges: Float64Array): Float64Array {
  const w = edges.length > 1 ? edges[1] - edges[0] : 1;
  const fuzz = 1e-8 * w;
  const fe = Array.from(edges, (e, i) => i === 0 ? e - fuzz : e + fuzz);
  const counts = new Float64Array(edges.length - 1);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    let lo = 0, hi = fe.length - 1;
    if (!(v >= fe[0] && v <= fe[hi])) continue;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (v <= fe[mid]) hi = mid;
      else lo = mid;
    }
    counts[lo]++;
  }
  return counts;
}

/** {@link breaksWidth} over the range of `x`, and the counts of `x`. */
export function binWidth(
  x: ArrayLike<number>,
  width: number,
  boundary: number,
): { edges: Float64Array; counts: Float64Array } {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
  }
  const edges = breaksWidth(min, max, width, boundary);
  return { edges, counts: countBins(x, edges) };
}
