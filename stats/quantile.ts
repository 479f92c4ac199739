/**
 * R's median and type-7 quantile of sorted draws, bit for bit (the midpoint of two doubles as R
 * computes it in long double). Shared by the summaries here, plot/ and interpret/.
 *
 * @example
 * ```ts
 * import { sortedQuantile } from "./quantile.ts";
 * sortedQuantile([1, 2, 3, 4], 0.5); // 2.5
 * ```
 *
 * @module
 */

/**
 * Median of an ascending array without NaN (R's `median`).
 *
 * @example
 * ```ts
 * import { sortedMedian } from "./quantile.ts";
 * sortedMedian([1, 2, 3, 4]); // 2.5
 * ```
 */
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

/**
 * Type-7 quantile (R's default) of an ascending array without NaN.
 *
 * @example
 * ```ts
 * import { sortedQuantile } from "./quantile.ts";
 * sortedQuantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.05); // 1.5
 * ```
 */
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
