// posterior's `.ess()` and `.rhat()` on a matrix stored column-major (column j of length n
// at j * n), with the autocovariances computed lazily: lag by lag while Geyer's initial
// sequence needs few lags, by FFT for all lags once it needs many.
import { autocorrSums, pow2AtLeast } from "./_fft.ts";
import { mean, sum, variance } from "./_basic.ts";
import { BrmstsRangeError } from "../errors.ts";

const EPS = 2.220446049250313e-16;

/** Reusable buffers for one matrix size. */
export class EssWorkspace {
  yc = new Float64Array(0);
  acov = new Float64Array(0);
  rho = new Float64Array(0);
  acf = new Float64Array(0);
  acf2 = new Float64Array(0);
  s0 = new Float64Array(0);
  scale = new Float64Array(0);
  colMean = new Float64Array(0);
  zero = new Uint8Array(0);
  ensure(n: number, m: number): void {
    if (this.yc.length < n * m) this.yc = new Float64Array(n * m);
    if (this.acov.length < n) {
      this.acov = new Float64Array(n);
      this.rho = new Float64Array(n);
      this.acf = new Float64Array(n);
      this.acf2 = new Float64Array(n);
    }
    if (this.s0.length < m) {
      this.s0 = new Float64Array(m);
      this.scale = new Float64Array(m);
      this.colMean = new Float64Array(m);
      this.zero = new Uint8Array(m);
    }
  }
}

const shared = new EssWorkspace();

/** posterior's `should_return_NA()`: any NaN or infinite value, or (near) constant. */
export function shouldReturnNA(x: ArrayLike<number>, from = 0, to = x.length): boolean {
  let min = Infinity;
  let max = -Infinity;
  for (let i = from; i < to; i++) {
    const v = x[i];
    if (v !== v || v === Infinity || v === -Infinity) return true;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return Math.abs(max - min) < EPS;
}

/** posterior's `.rhat()` of an n x m column-major matrix. */
export function rhatMatrix(x: Float64Array, n: number, m: number): number {
  if (shouldReturnNA(x, 0, n * m)) return NaN;
  const means = new Float64Array(m);
  const vars = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const off = j * n;
    const mu = sum(x, off, off + n) / n;
    let s = 0;
    for (let t = 0; t < n; t++) {
      const d = x[off + t] - mu;
      s += d * d;
    }
    means[j] = mu;
    vars[j] = s / (n - 1);
  }
  const varBetween = n * variance(means);
  const varWithin = mean(vars);
  return Math.sqrt((varBetween / varWithin + n - 1) / n);
}

/** loo's `fft_next_good_size()`: the smallest 2,3,5-smooth integer >= n (2 for n <= 2). */
export function nextGoodSize(n: number): number {
  if (n <= 2) return 2;
  for (;; n++) {
    let m = n;
    while (m % 2 === 0) m /= 2;
    while (m % 3 === 0) m /= 3;
    while (m % 5 === 0) m /= 5;
    if (m <= 1) return n;
  }
}

/**
 * posterior's `.ess()` of an n x m column-major matrix; with `loo` set, loo's `ess_rfun()`
 * instead (no NA checks, and loo's autocovariance normalisation `M * sum / n^2` with M the
 * FFT size it pads to).
 */
export function essMatrix(
  x: Float64Array,
  n: number,
  m: number,
  ws = shared,
  loo = false,
): number {
  if (!loo && n < 3) return NaN;
  const M = loo ? nextGoodSize(n) : 0;
  ws.ensure(n, m);
  const { yc, acov, rho, s0, scale, colMean, zero } = ws;
  let live = 0;
  let min = Infinity;
  let max = -Infinity;
  let bad = false;
  for (let j = 0; j < m; j++) {
    const off = j * n;
    // Pass 1: compensated sum, range, NaN/Inf and whether the column is constant.
    const first = x[off];
    let same = true;
    let sm = 0;
    let c = 0;
    for (let t = off, e = off + n; t < e; t++) {
      const v = x[t];
      if (v !== first) same = false;
      if (v < min) min = v;
      if (v > max) max = v;
      if (v !== v || v === Infinity || v === -Infinity) bad = true;
      const u = sm + v;
      c += Math.abs(sm) >= Math.abs(v) ? (sm - u) + v : (v - u) + sm;
      sm = u;
    }
    colMean[j] = (sm + c) / n;
    zero[j] = same ? 1 : 0;
    if (same || bad) continue;
    live++;
    // Pass 2: R's mean() refinement; pass 3: centred values and their sum of squares.
    const mu0 = colMean[j];
    let r = 0;
    let rc = 0;
    for (let t = off, e = off + n; t < e; t++) {
      const v = x[t] - mu0;
      const u = r + v;
      rc += Math.abs(r) >= Math.abs(v) ? (r - u) + v : (v - u) + r;
      r = u;
    }
    const mu = mu0 + (r + rc) / n;
    let ss = 0;
    let sc = 0;
    for (let t = off, e = off + n; t < e; t++) {
      const d = x[t] - mu;
      yc[t] = d;
      const v = d * d;
      const u = ss + v;
      sc += ss >= v ? (ss - u) + v : (v - u) + ss;
      ss = u;
    }
    ss += sc;
    s0[j] = ss;
    scale[j] = ss / (n - 1); // var(x) of the column
  }
  if (!loo && (bad || Math.abs(max - min) < EPS)) return NaN;
  // acov[k]: row mean over columns of ac_j[k] / ac_j[0] * var_j * (n - 1) / n.
  let computed = 0;
  const lagOne = (k: number): number => {
    let tot = 0;
    for (let j = 0; j < m; j++) {
      if (zero[j]) continue;
      const off = j * n;
      const e = off + n - k;
      let s0_ = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let t = off;
      for (; t + 3 < e; t += 4) {
        s0_ += yc[t] * yc[t + k];
        s1 += yc[t + 1] * yc[t + k + 1];
        s2 += yc[t + 2] * yc[t + k + 2];
        s3 += yc[t + 3] * yc[t + k + 3];
      }
      for (; t < e; t++) s0_ += yc[t] * yc[t + k];
      const s = (s0_ + s1) + (s2 + s3);
      tot += loo ? (2 * M * s) / (n * n * 2) : s / s0[j] * scale[j] * (n - 1) / n;
    }
    return tot / m;
  };
  const allLags = (): void => {
    acov.fill(0, 0, n);
    const { acf, acf2 } = ws;
    const live: number[] = [];
    for (let j = 0; j < m; j++) if (!zero[j]) live.push(j);
    const add = (j: number, ac: Float64Array) => {
      const v = scale[j];
      const a0 = ac[0];
      if (loo) { for (let k = 0; k < n; k++) acov[k] += (2 * M * ac[k]) / (n * n * 2); }
      else for (let k = 0; k < n; k++) acov[k] += ac[k] / a0 * v * (n - 1) / n;
    };
    for (let i = 0; i < live.length; i += 2) {
      const j1 = live[i];
      const j2 = i + 1 < live.length ? live[i + 1] : -1;
      autocorrSums(yc, j1 * n, acf, n, j2 >= 0 ? yc : undefined, j2 * n, acf2);
      add(j1, acf);
      if (j2 >= 0) add(j2, acf2);
    }
    for (let k = 0; k < n; k++) acov[k] /= m;
    computed = n;
  };
  const lagLimit = live === 0 ? n : 2 * Math.log2(pow2AtLeast(2 * n)) + 12;
  const acm = (k: number): number => {
    while (computed <= k) {
      if (computed >= lagLimit) allLags();
      else {
        acov[computed] = lagOne(computed);
        computed++;
      }
    }
    return acov[k];
  };
  if (loo && n < 2) {
    throw new BrmstsRangeError("relative efficiency needs 2 or more draws per chain");
  }
  const meanVar = acm(0) * n / (n - 1);
  let varPlus = meanVar * (n - 1) / n;
  if (m > 1) varPlus += variance(colMean.subarray(0, m));
  rho.fill(0, 0, n);
  let t = 0;
  let rhoEven = 1;
  rho[0] = rhoEven;
  let rhoOdd = 1 - (meanVar - acm(1)) / varPlus;
  rho[1] = rhoOdd;
  while (t < n - 5 && !Number.isNaN(rhoEven + rhoOdd) && rhoEven + rhoOdd > 0) {
    t += 2;
    rhoEven = 1 - (meanVar - acm(t)) / varPlus;
    rhoOdd = 1 - (meanVar - acm(t + 1)) / varPlus;
    if (rhoEven + rhoOdd >= 0) {
      rho[t] = rhoEven;
      rho[t + 1] = rhoOdd;
    }
  }
  const maxT = t;
  if (rhoEven > 0) rho[maxT] = rhoEven;
  t = 0;
  while (t <= maxT - 4) {
    t += 2;
    if (rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1]) {
      rho[t] = (rho[t - 2] + rho[t - 1]) / 2;
      rho[t + 1] = rho[t];
    }
  }
  const total = m * n;
  // R's rho_hat_t[1:max_t] is rho_hat_t[1] alone when max_t is 0.
  const head = maxT === 0 ? rho[0] : sum(rho, 0, maxT);
  let tauHat = -1 + 2 * head + rho[maxT];
  // loo's ess_rfun() caps the same way, without a warning.
  const tauBound = 1 / Math.log10(total);
  if (tauHat < tauBound) tauHat = tauBound;
  return total / tauHat;
}

/**
 * posterior's `.split_chains()`: a chain-major `chains x draws` series (chain c's draws at
 * c * draws) to a column-major matrix whose columns are the first halves of all chains, then
 * the second halves (the middle draw of an odd-length chain is dropped). One draw: no split.
 */
export function splitChains(
  x: ArrayLike<number>,
  chains: number,
  draws: number,
  out?: Float64Array,
): { data: Float64Array; n: number; m: number } {
  if (draws === 1) {
    const o = out ?? new Float64Array(chains);
    for (let c = 0; c < chains; c++) o[c] = x[c];
    return { data: o, n: 1, m: chains };
  }
  const h = Math.floor(draws / 2);
  const second = Math.ceil(draws / 2);
  const o = out ?? new Float64Array(2 * chains * h);
  for (let c = 0; c < chains; c++) {
    const base = c * draws;
    for (let t = 0; t < h; t++) {
      o[c * h + t] = x[base + t];
      o[(chains + c) * h + t] = x[base + second + t];
    }
  }
  return { data: o, n: h, m: 2 * chains };
}
