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

/** Median of an ascending array without NaN (R's `median`). */
export function sortedMedian(s: ArrayLike<number>, n = s.length): number {
  if (n === 0) return NaN;
  const half = (n + 1) >> 1;
  if (n % 2 === 1) return s[half - 1];
  return rMidpoint(s[half - 1], s[half]);
}

const W64 = new Float64Array(1);
const W32 = new Uint32Array(W64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** An exact binary number m * 2^e. */
type Exact = { m: bigint; e: number };

function exact(x: number): Exact {
  W64[0] = x;
  const hi = W32[HI];
  const lo = W32[1 - HI];
  const be = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (be !== 0) m |= 1n << 52n;
  const e = (be === 0 ? 1 : be) - 1075;
  return { m: hi >>> 31 ? -m : m, e };
}

function add(a: Exact, b: Exact): Exact {
  if (a.e > b.e) return { m: (a.m << BigInt(a.e - b.e)) + b.m, e: b.e };
  return { m: a.m + (b.m << BigInt(b.e - a.e)), e: a.e };
}

/** Rounds to a `p`-bit significand, ties to even. */
function round(x: Exact, p: number): Exact {
  const neg = x.m < 0n;
  const m = neg ? -x.m : x.m;
  const len = m.toString(2).length;
  if (m === 0n || len <= p) return x;
  const shift = BigInt(len - p);
  let q = m >> shift;
  const rem = m - (q << shift);
  const half = 1n << (shift - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  return { m: neg ? -q : q, e: x.e + Number(shift) };
}

function toNumber(x: Exact): number {
  const r = round(x, 53);
  return Number(r.m) * Math.pow(2, r.e);
}

/**
 * R's `mean(c(a, b))` bit for bit. R accumulates in x87 long double (64-bit significand): the
 * sum, the halving and one refinement pass `s + ((a - s) + (b - s)) / 2`, then rounds to double;
 * emulated here with exact integers. (A one-ulp difference in a median reorders near-tied
 * folded draws and moves R-hat.)
 */
export function rMidpoint(a: number, b: number): number {
  if (a === b) return a;
  if (!Number.isFinite(a) || !Number.isFinite(b) || Math.abs(a) + Math.abs(b) < 1e-290) {
    return a * 0.5 + b * 0.5;
  }
  const ea = exact(a);
  const eb = exact(b);
  let s = round(add(ea, eb), 64);
  s = { m: s.m, e: s.e - 1 }; // / 2
  const neg = (x: Exact): Exact => ({ m: -x.m, e: x.e });
  const t1 = round(add(ea, neg(s)), 64);
  const t2 = round(add(eb, neg(s)), 64);
  const t = round(add(t1, t2), 64);
  s = round(add(s, { m: t.m, e: t.e - 1 }), 64);
  return toNumber(s);
}

/** Type-7 quantile (R's default) of an ascending array without NaN. */
export function sortedQuantile(s: ArrayLike<number>, p: number, n = s.length): number {
  if (n === 0 || Number.isNaN(p)) return NaN;
  const pp = Math.max(0, Math.min(1, p));
  const index = 1 + Math.max(n - 1, 0) * pp;
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  let qs = s[lo - 1];
  const xhi = s[hi - 1];
  if (index > lo && xhi !== qs) {
    const h = index - lo;
    qs = (1 - h) * qs + h * xhi;
  }
  return qs;
}

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
