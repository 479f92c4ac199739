// Per-variable summary engine: posterior's default summaries and convergence diagnostics for
// one chain-major series. One stable argsort per variable gives the sorted draws (median,
// quantiles), the ranks of the split draws (bulk z-scores) and, by merging around the median,
// the order of the folded draws (mad, tail z-scores).
import { mean, scan, sortedMedian, sortedQuantile, variance } from "./_basic.ts";
import { essMatrix, EssWorkspace, rhatMatrix, shouldReturnNA, splitChains } from "./_ess.ts";
import { qnorm } from "./_qnorm.ts";
import { argsort, SortWorkspace } from "./_sort.ts";

const zTables = new Map<number, Float64Array>();

/** qnorm((r - 3/8) / (S - 2 * 3/8 + 1)) for every average rank r = j / 2, indexed by j. */
function zTable(S: number): Float64Array {
  let t = zTables.get(S);
  if (t) return t;
  t = new Float64Array(2 * S + 2);
  for (let j = 2; j <= 2 * S; j++) t[j] = qnorm((j / 2 - 0.375) / (S - 0.75 + 1));
  if (zTables.size > 64) zTables.clear();
  zTables.set(S, t);
  return t;
}

/**
 * posterior's `z_scale()` with average ranks: walks `order` (indices in ascending order, with
 * `ordered[q]` the value of `order[q]`), keeps those with `pos[i] >= 0` and writes the normal
 * score of their rank at `z[pos[i]]` (at `z[i]` without `pos`). `S` is the number kept.
 */
function assignZ(
  order: ArrayLike<number>,
  ordered: Float64Array,
  pos: Int32Array | undefined,
  S: number,
  z: Float64Array,
  kept: Uint32Array,
  keptVal: Float64Array,
): void {
  let m = 0;
  for (let q = 0; q < order.length; q++) {
    const i = order[q];
    if (!pos || pos[i] >= 0) {
      kept[m] = pos ? pos[i] : i;
      keptVal[m++] = ordered[q];
    }
  }
  const table = zTable(S);
  let a = 0;
  while (a < S) {
    const v = keptVal[a];
    let b = a + 1;
    while (b < S && keptVal[b] === v) b++;
    const zz = table[a + b + 1]; // average rank (a + 1 + b) / 2, doubled
    for (let q = a; q < b; q++) z[kept[q]] = zz;
    a = b;
  }
}

/** Normal scores of the average ranks of `vals[0..S)` (no NaN), as posterior's `z_scale()`. */
export function zScale(vals: Float64Array, S: number, z: Float64Array, ws = new SortWorkspace()) {
  const order = argsort(vals, S, ws);
  const ordered = new Float64Array(S);
  for (let q = 0; q < S; q++) ordered[q] = vals[order[q]];
  assignZ(order, ordered, undefined, S, z, new Uint32Array(S), new Float64Array(S));
}

/**
 * Shape R gives the split indicator matrix of `ess_quantile()`: the comparison drops the
 * draws class, so with one draw per half (2 or 3 draws) R's `[` drops the halves to vectors and
 * `cbind` makes a chains x 2 matrix of the same values in the same order.
 */
export function indicatorShape(chains: number, draws: number, rows: number, m: number) {
  return rows === 1 && draws > 1 ? [chains, 2] : [rows, m];
}

/** Names of the fields written by {@link Engine.run}, after the quantiles. */
export const FIELDS = ["rhat", "ess_bulk", "ess_tail", "mcse_mean", "mcse_sd"] as const;

/** Summaries of chain-major draws of a fixed shape, reusing its buffers between variables. */
export class Engine {
  readonly n: number;
  readonly S: number;
  private sorted: Float64Array;
  private fold: Float64Array;
  private forder: Uint32Array;
  private pos: Int32Array;
  private split: Float64Array;
  private z: Float64Array;
  private kept: Uint32Array;
  private keptVal: Float64Array;
  private tmp: Float64Array;
  private ws = new EssWorkspace();
  private sws = new SortWorkspace();

  constructor(readonly chains: number, readonly draws: number, readonly probs: number[]) {
    const n = chains * draws;
    this.n = n;
    this.S = draws === 1 ? chains : 2 * chains * Math.floor(draws / 2);
    this.sorted = new Float64Array(n);
    this.fold = new Float64Array(n);
    this.forder = new Uint32Array(n);
    this.tmp = new Float64Array(n);
    this.kept = new Uint32Array(n);
    this.keptVal = new Float64Array(n);
    this.split = new Float64Array(this.S);
    this.z = new Float64Array(this.S);
    // Position of each draw in posterior's split-chain matrix (-1: the dropped middle draw).
    this.pos = new Int32Array(n);
    const h = Math.floor(draws / 2);
    const second = Math.ceil(draws / 2);
    for (let c = 0; c < chains; c++) {
      for (let t = 0; t < draws; t++) {
        const i = c * draws + t;
        if (draws === 1) this.pos[i] = i;
        else if (t < h) this.pos[i] = c * h + t;
        else if (t >= second) this.pos[i] = (chains + c) * h + (t - second);
        else this.pos[i] = -1;
      }
    }
  }

  /** Number of output fields: mean, median, sd, mad, quantiles, then {@link FIELDS}. */
  get width(): number {
    return 4 + this.probs.length + FIELDS.length;
  }

  /** Writes the summaries of `x` (chain-major, length chains * draws) at `out[at..]`. */
  run(x: Float64Array, out: Float64Array, at = 0): void {
    const { n, S, chains, draws, probs, sorted, fold, forder, pos, split, z, kept, keptVal } = this;
    const w = this.width;
    const info = scan(x);
    if (info.nan || n === 0) {
      out.fill(NaN, at, at + w);
      return;
    }
    const perm = argsort(x, n, this.sws);
    for (let q = 0; q < n; q++) sorted[q] = x[perm[q]];
    const mu = mean(x);
    const sd = Math.sqrt(variance(x));
    const med = sortedMedian(sorted);
    out[at] = mu;
    out[at + 1] = med;
    out[at + 2] = sd;
    const medFinite = Number.isFinite(med);
    if (medFinite) {
      // abs(x - median) in ascending order: merge the two monotone halves of the sorted draws.
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid] < med) lo = mid + 1;
        else hi = mid;
      }
      let a = lo - 1;
      let b = lo;
      for (let o = 0; o < n; o++) {
        const va = a >= 0 ? Math.abs(sorted[a] - med) : Infinity;
        const vb = b < n ? Math.abs(sorted[b] - med) : Infinity;
        if (b >= n || (a >= 0 && va <= vb)) {
          fold[o] = va;
          forder[o] = perm[a--];
        } else {
          fold[o] = vb;
          forder[o] = perm[b++];
        }
      }
      out[at + 3] = 1.4826 * sortedMedian(fold);
    } else out[at + 3] = NaN;
    for (let i = 0; i < probs.length; i++) out[at + 4 + i] = sortedQuantile(sorted, probs[i]);
    const o = at + 4 + probs.length;

    const ws = this.ws;
    const { n: rows, m } = splitChains(x, chains, draws, split);
    assignZ(perm, sorted, pos, S, z, kept, keptVal);
    const rhatBulk = rhatMatrix(z, rows, m);
    const essBulk = essMatrix(z, rows, m, ws);
    let rhatTail = NaN;
    if (medFinite) {
      assignZ(forder, fold, pos, S, z, kept, keptVal);
      rhatTail = rhatMatrix(z, rows, m);
    }
    out[o] = Math.max(rhatBulk, rhatTail);
    out[o + 1] = essBulk;

    // Tail ESS: ESS of the split indicators x <= q5 and x <= q95.
    let essTail = NaN;
    if (!shouldReturnNA(x)) {
      essTail = Infinity;
      const [ir, ic] = indicatorShape(chains, draws, rows, m);
      for (const pr of [0.05, 0.95]) {
        const q = sortedQuantile(sorted, pr);
        for (let i = 0; i < S; i++) z[i] = split[i] <= q ? 1 : 0;
        essTail = Math.min(essTail, essMatrix(z, ir, ic, ws));
      }
    }
    out[o + 2] = essTail;
    out[o + 3] = sd / Math.sqrt(essMatrix(split, rows, m, ws));

    // mcse_sd: ESS of the squared centred draws, with their moments.
    const sq = this.tmp;
    for (let i = 0; i < n; i++) {
      const d = x[i] - mu;
      sq[i] = d * d;
    }
    const essSq = essMatrix(splitChains(sq, chains, draws, z).data, rows, m, ws);
    const evar = mean(sq);
    for (let i = 0; i < n; i++) sq[i] = sq[i] * sq[i]; // (x - mean)^4
    const varvar = (mean(sq) - evar * evar) / essSq;
    out[o + 4] = Math.sqrt(varvar / evar / 4);
  }
}
