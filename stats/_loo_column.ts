// One observation of loo::loo(): PSIS, then loo's pointwise_loo_calcs() and mcse_elpd().
// The exponentials are shared between the normalising constant, lpd, elpd and the MCSE:
// for a draw outside the smoothed tail the log weight is -ll + const, so exp(ll - max) is a
// constant divided by exp(lw - max). This matches R to ~1e-15 (not bit for bit) and needs one
// exp per draw instead of five.
import { sum, variance } from "./_basic.ts";
import { logSumExp, psisCore, PsisWorkspace } from "./psis.ts";
import { qnorm } from "./_qnorm.ts";
import { BrmstsRangeError } from "../errors.ts";

let zn1000: Float64Array | undefined;

/** loo's mcse_elpd() normal quantiles qnorm((r - 3/8) / (1000 - 2 * 3/8 + 1)), r = 1..1000. */
function zn(): Float64Array {
  if (!zn1000) {
    zn1000 = new Float64Array(1000);
    for (let r = 1; r <= 1000; r++) zn1000[r - 1] = qnorm((r - 3 / 8) / (1000 - 2 * 3 / 8 + 1));
  }
  return zn1000;
}

/** Buffers for {@link looColumn}. */
export class LooWorkspace {
  lw = new Float64Array(0);
  e1 = new Float64Array(0);
  e2 = new Float64Array(0);
  tmp = new Float64Array(0);
  mark = new Uint8Array(0);
  logz = new Float64Array(1000);
  psis = new PsisWorkspace();
  ensure(S: number): void {
    if (this.lw.length !== S) {
      this.lw = new Float64Array(S);
      this.e1 = new Float64Array(S);
      this.e2 = new Float64Array(S);
      this.tmp = new Float64Array(S);
      this.mark = new Uint8Array(S);
    }
  }
}

/** Pointwise PSIS-LOO of one log-likelihood column. */
export interface LooColumn {
  elpd: number;
  mcse: number;
  p: number;
  k: number;
  nEff: number;
}

/** PSIS-LOO of the log-likelihood draws `col` of one observation. */
export function looColumn(
  col: Float64Array,
  rEff: number,
  tailLen: number,
  ws: LooWorkspace,
): LooColumn {
  const S = col.length;
  ws.ensure(S);
  const { lw, e1, e2, mark } = ws;
  let maxll = -Infinity;
  let minll = Infinity;
  let iMaxll = 0;
  for (let s = 0; s < S; s++) {
    const v = col[s];
    if (!Number.isFinite(v)) throw new BrmstsRangeError("All input values must be finite.");
    if (v > maxll) {
      maxll = v;
      iMaxll = s;
    }
    if (v < minll) minll = v;
  }
  // log_ratios - max(log_ratios), with log_ratios = -ll.
  const maxlr = -minll;
  for (let s = 0; s < S; s++) lw[s] = -col[s] - maxlr;
  const { k, cutoff, at } = psisCore(lw, tailLen, ws.psis);
  const tail = ws.psis.tail;
  if (!tail) return literal(col, rEff, k, maxlr, ws);
  // max(lw): the cutoff is the largest value outside the smoothed tail.
  let m = cutoff;
  let im = at;
  for (const i of tail) {
    mark[i] = 1;
    if (lw[i] > m) {
      m = lw[i];
      im = i;
    }
  }
  // Normalised weights w = exp(lw - m) / (1 + sum over the others), as lw's logSumExp.
  let sum1 = 0;
  let c1 = 0;
  for (let s = 0; s < S; s++) {
    const e = Math.exp(lw[s] - m);
    e1[s] = e;
    if (s === im) continue;
    const u = sum1 + e;
    c1 += sum1 >= e ? (sum1 - u) + e : (e - u) + sum1;
    sum1 = u;
  }
  sum1 += c1;
  const denom = 1 + sum1;
  // exp(ll - max(ll)): K / e1 outside the tail.
  const K = Math.exp(-m - maxlr - maxll);
  const div = K > 1e-300 && K < 1e300;
  let ss = 0;
  let sum2 = 0;
  let c2 = 0;
  let sum3 = 0;
  let c3 = 0;
  for (let s = 0; s < S; s++) {
    const a = e1[s];
    const b = div && !mark[s] && a > 1e-300 ? K / a : Math.exp(col[s] - maxll);
    e2[s] = b;
    const w = a / denom;
    ss += w * w;
    const bw = b * w;
    let u = sum3 + bw;
    c3 += sum3 >= bw ? (sum3 - u) + bw : (bw - u) + sum3;
    sum3 = u;
    if (s === iMaxll) continue;
    u = sum2 + b;
    c2 += sum2 >= b ? (sum2 - u) + b : (b - u) + sum2;
    sum2 = u;
  }
  sum2 += c2;
  sum3 += c3;
  for (const i of tail) mark[i] = 0;
  const lpd = Math.log1p(sum2) + maxll - Math.log(S);
  let elpd: number;
  if (sum3 > 1e-290 && Number.isFinite(sum3)) elpd = Math.log(sum3) + maxll;
  else {
    const norm = Math.log1p(sum1) + m + maxlr;
    for (let s = 0; s < S; s++) ws.tmp[s] = col[s] + ((lw[s] + maxlr) - norm);
    elpd = logSumExp(ws.tmp);
  }
  // loo's mcse_elpd() from w^2 * (lik - E)^2.
  const E = Math.exp(elpd);
  const expMax = Math.exp(maxll);
  let v2 = 0;
  let cv = 0;
  for (let s = 0; s < S; s++) {
    const w = e1[s] / denom;
    const d = e2[s] * expMax - E;
    const t = (w * w) * (d * d);
    const u = v2 + t;
    cv += v2 >= t ? (v2 - u) + t : (t - u) + v2;
    v2 = u;
  }
  return { elpd, mcse: mcse(E, v2 + cv, rEff, ws), p: lpd - elpd, k, nEff: 1 / ss * rEff };
}

/** Spread of log(E + sd * z) over 1000 normal quantiles, as loo's mcse_elpd(). */
function mcse(E: number, varEpd: number, rEff: number, ws: LooWorkspace): number {
  const sd = Math.sqrt(varEpd);
  const z = zn();
  const logz = ws.logz;
  let nz = 0;
  for (let r = 0; r < 1000; r++) {
    const v = E + sd * z[r];
    if (v > 0) logz[nz++] = Math.log(v);
  }
  return Math.sqrt(variance(logz, 0, nz) / rEff);
}

/**
 * The same, operation for operation as loo (used when nothing was smoothed: short or constant
 * tails, where R's exact cancellations, e.g. p_loo = 0 for a constant column, must carry over).
 */
function literal(col: Float64Array, rEff: number, k: number, maxlr: number, ws: LooWorkspace) {
  const S = col.length;
  const { lw, tmp } = ws;
  for (let s = 0; s < S; s++) lw[s] = lw[s] + maxlr;
  const norm = logSumExp(lw);
  let ss = 0;
  for (let s = 0; s < S; s++) {
    lw[s] = lw[s] - norm;
    const w = Math.exp(lw[s]);
    ss += w * w;
    tmp[s] = col[s] + lw[s];
  }
  const elpd = logSumExp(tmp);
  const lpd = logSumExp(col) - Math.log(S);
  const E = Math.exp(elpd);
  for (let s = 0; s < S; s++) {
    const w = Math.exp(lw[s]);
    const d = Math.exp(col[s]) - E;
    tmp[s] = (w * w) * (d * d);
  }
  return { elpd, mcse: mcse(E, sum(tmp), rEff, ws), p: lpd - elpd, k, nEff: 1 / ss * rEff };
}
