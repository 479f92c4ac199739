/**
 * The scorer: brms's `posterior_linpred` / `posterior_epred` for new data, from an artifact
 * written by `exportScorer()`, in plain TypeScript (no R, no runtime APIs).
 *
 * @module
 */
import { ScorerFormatError, ScorerInputError } from "./errors.ts";
import { decodeScorer } from "./format.ts";
import { evalExpr, nums } from "./_expr.ts";
import { designNames, Frame } from "./_design.ts";
import { type ScoreData, Table } from "./data.ts";
import { invLink } from "./_math.ts";
import { checkDpar, type Draws, linearPredictor, selectRe } from "./_predict.ts";
import { epredBlock } from "./_epred.ts";
import type { Block } from "./types.ts";
export type { Block };
import type { DparSpec, ScorerHeader, VariableSpec } from "./types.ts";

/** Options of {@linkcode Scorer.linpred} and {@linkcode Scorer.epred}. */
export interface ScoreOptions {
  /** A distributional parameter (`"sigma"`, `"mu2"`) instead of the expected response. */
  dpar?: string;
  /**
   * brms's `re_formula`: `undefined` all group-level effects, `null` none (brms's `NA`),
   * or a formula of some of the model's group-level terms as written in it (`"~ (1 | g)"`).
   */
  reFormula?: string | null;
  /**
   * brms's `allow_new_levels`: new levels need random draws in brms (`sample_new_levels`),
   * which the scorer does not make; `true` is refused with a ScorerInputError.
   */
  allowNewLevels?: boolean;
}

/** Draws × rows (× categories) in row-major order: `data[(d * rows + i) * ncat + c]`. */
export interface ScoreDraws {
  /** The values. */
  data: Float64Array;
  /** `[ndraws, rows]` or `[ndraws, rows, categories]`. */
  shape: number[];
  /** `["draw", "row"]` or `["draw", "row", "category"]`. */
  dims: string[];
  /** Category labels (ordinal / categorical). */
  categories?: string[];
}

/** Options of {@linkcode Scorer.summary}. */
export interface SummaryOptions extends ScoreOptions {
  /** Quantile probabilities (default `[0.025, 0.975]`); type-7 quantiles as R's `quantile()`. */
  probs?: number[];
  /** Rows per chunk (default 1000): memory is ndraws × chunkRows × categories doubles. */
  chunkRows?: number;
  /** `"epred"` (default) or `"linpred"`. */
  type?: "epred" | "linpred";
}

/** Per row (× category): mean, sd and quantiles of the draws. */
export interface ScoreSummary {
  /** Rows. */
  rows: number;
  /** Category labels, when there is a category dimension (index `i * ncat + c`). */
  categories?: string[];
  /** Posterior means. */
  mean: Float64Array;
  /** Posterior SDs (n - 1 denominator, as R's `sd`). */
  sd: Float64Array;
  /** Quantiles per probability, keyed `Q2.5`, `Q97.5` as brms names them. */
  quantiles: Record<string, Float64Array>;
}

/**
 * A loaded scorer. Make one with {@linkcode loadScorer}.
 *
 * @example
 * ```ts ignore
 * const s = loadScorer(bytes);
 * const { data, shape } = s.epred({ x: [0, 1], g: ["a", "b"] });
 * ```
 */
export class Scorer {
  /** The artifact's header (family, formula, variables, draw ids). */
  readonly header: ScorerHeader;
  readonly #draws: Draws;
  readonly #vars: Map<string, VariableSpec>;

  /** Use {@linkcode loadScorer}. */
  constructor(header: ScorerHeader, draws: Draws) {
    this.header = header;
    this.#draws = draws;
    this.#vars = new Map(header.variables.map((v) => [v.name, v]));
    for (const dp of Object.values(header.dpars)) {
      const designs = [dp.fe, ...dp.re.map((r) => r.design)];
      for (const d of designs) {
        if (!d) continue;
        const got = designNames(d, this.#vars);
        if (got.join("\u0000") !== d.rawColumns.join("\u0000")) {
          throw new ScorerFormatError(
            "bad-header",
            `design of '${dp.name}' does not rebuild R's columns: ${got.join(", ")} vs ${
              d.rawColumns.join(", ")
            }`,
          );
        }
      }
      invLink(dp.link);
    }
    for (const p of header.params) {
      if (!draws.has(p)) throw new ScorerFormatError("bad-header", `draws of ${p} missing`);
    }
  }

  /** Number of draws. */
  get ndraws(): number {
    return this.header.ndraws;
  }

  /** The brms family. */
  get family(): string {
    return this.header.family;
  }

  /** Distributional parameters with their own formula. */
  get dpars(): string[] {
    return Object.keys(this.header.dpars);
  }

  /**
   * brms's `posterior_linpred(fit, newdata, re_formula, dpar)`: draws × rows (× categories
   * for categorical models), the linear predictor without the inverse link.
   *
   * @example
   * ```ts ignore
   * scorer.linpred({ x: [0.5] }, { reFormula: null }).data;
   * ```
   */
  linpred(data: ScoreData, opts: ScoreOptions = {}): ScoreDraws {
    return this.#full(data, opts, "linpred");
  }

  /**
   * brms's `posterior_epred(fit, newdata, re_formula, dpar)`: draws × rows (× categories for
   * cumulative and categorical models: category probabilities).
   *
   * @example
   * ```ts ignore
   * scorer.epred([{ x: 0.5, g: "a" }]).data;
   * ```
   */
  epred(data: ScoreData, opts: ScoreOptions = {}): ScoreDraws {
    return this.#full(data, opts, "epred");
  }

  /**
   * Mean, SD and quantiles of `epred` (or `linpred`) per row, computed chunk by chunk: never
   * more than ndraws × chunkRows values at once.
   *
   * @example
   * ```ts ignore
   * const { mean, quantiles } = scorer.summary(rows, { probs: [0.05, 0.95] });
   * ```
   */
  summary(data: ScoreData, opts: SummaryOptions = {}): ScoreSummary {
    const probs = opts.probs ?? [0.025, 0.975];
    for (const p of probs) {
      if (!(p >= 0 && p <= 1)) {
        throw new ScorerInputError("option", undefined, `probs must be in [0, 1]: ${p}`);
      }
    }
    const chunk = Math.max(1, Math.floor(opts.chunkRows ?? 1000));
    const ctx = this.#prepare(data, opts);
    const n = ctx.frame.table.n, nd = this.ndraws;
    let mean: Float64Array | null = null, sd: Float64Array | null = null;
    let qs: Float64Array[] = [];
    let cats: string[] | undefined;
    const sorted = new Float64Array(nd);
    for (let s = 0; s < n; s += chunk) {
      const e = Math.min(n, s + chunk);
      const blk = this.#block(ctx, opts.type ?? "epred", s, e);
      if (!mean) {
        cats = blk.categories;
        mean = new Float64Array(n * blk.ncat);
        sd = new Float64Array(n * blk.ncat);
        qs = probs.map(() => new Float64Array(n * blk.ncat));
      }
      const cells = (e - s) * blk.ncat;
      for (let q = 0; q < cells; q++) {
        const v = blk.buf.subarray(q * nd, (q + 1) * nd), at = s * blk.ncat + q;
        let m = 0;
        for (let d = 0; d < nd; d++) m += v[d];
        m /= nd;
        let ss = 0;
        for (let d = 0; d < nd; d++) ss += (v[d] - m) * (v[d] - m);
        mean[at] = m;
        sd![at] = Math.sqrt(ss / (nd - 1));
        sorted.set(v);
        probs.forEach((p, k) => {
          if (Number.isNaN(m)) {
            qs[k][at] = NaN;
            return;
          }
          const h = (nd - 1) * p, lo = Math.floor(h);
          const a = select(sorted, lo);
          let b = a;
          if (lo + 1 < nd) {
            b = sorted[lo + 1];
            for (let j = lo + 2; j < nd; j++) if (sorted[j] < b) b = sorted[j];
          }
          const w = h - lo;
          qs[k][at] = w > 0 && b !== a ? (1 - w) * a + w * b : a;
        });
      }
    }
    const quantiles: Record<string, Float64Array> = {};
    probs.forEach((p, k) => quantiles[`Q${+(p * 100).toPrecision(12)}`] = qs[k]);
    return { rows: n, categories: cats, mean: mean!, sd: sd!, quantiles };
  }

  #prepare(data: ScoreData, opts: ScoreOptions): Ctx {
    if (opts.allowNewLevels) {
      throw new ScorerInputError(
        "option",
        undefined,
        "allowNewLevels: brms draws new levels' effects at random (sample_new_levels); the " +
          "scorer makes no random numbers: score with reFormula null or without those groups",
      );
    }
    const frame = new Frame(new Table(data), this.#vars);
    const res = new Map<string, ReturnType<typeof selectRe>>();
    for (const [name, dp] of Object.entries(this.header.dpars)) {
      const re = selectRe(dp.re, opts.reFormula);
      res.set(name, re);
    }
    if (
      opts.dpar !== undefined && !(opts.dpar in this.header.dpars) &&
      !(opts.dpar in this.header.fixed)
    ) {
      throw new ScorerInputError(
        "option",
        undefined,
        "Invalid argument 'dpar'. Valid distributional parameters are: " +
          [...Object.keys(this.header.dpars), ...Object.keys(this.header.fixed)].join(", "),
      );
    }
    // brms validates the whole of newdata for every variable of the model.
    for (const [name, dp] of Object.entries(this.header.dpars)) {
      checkDpar(frame, dp, res.get(name)!);
    }
    if (this.header.trials) this.#trials(frame);
    return { frame, res, dpar: opts.dpar };
  }

  #trials(frame: Frame): Float64Array {
    return evalExpr(
      this.header.trials!,
      frame.table.n,
      (c) => frame.table.numeric(c),
    ) as Float64Array;
  }

  #eta(ctx: Ctx, dp: DparSpec, s: number, e: number): Float64Array {
    return linearPredictor(ctx.frame, dp, ctx.res.get(dp.name)!, this.#draws, this.ndraws, s, e);
  }

  /** A dpar on the response scale, or its fixed draws / constant broadcast. */
  #dparValue(ctx: Ctx, name: string, s: number, e: number, link: boolean): Float64Array {
    const nd = this.ndraws, nr = e - s;
    const dp = this.header.dpars[name];
    if (dp) {
      const eta = this.#eta(ctx, dp, s, e);
      if (!link) return eta;
      const f = invLink(dp.link);
      for (let q = 0; q < eta.length; q++) eta[q] = f(eta[q]);
      return eta;
    }
    const fx = this.header.fixed[name];
    if (!fx) throw new ScorerFormatError("bad-header", `distributional parameter ${name} missing`);
    const out = new Float64Array(nr * nd);
    if (fx.draws) {
      const col = this.#draws.get(fx.draws)!;
      for (let i = 0; i < nr; i++) out.set(col, i * nd);
    } else out.fill(nums(fx.value)[0]);
    return out;
  }

  #block(ctx: Ctx, kind: "linpred" | "epred", s: number, e: number): Block {
    const h = this.header;
    const get = (name: string, link: boolean) => this.#dparValue(ctx, name, s, e, link);
    if (ctx.dpar !== undefined) {
      const link = kind === "epred"; // brms applies the inverse link to any dpar asked for
      return { buf: get(ctx.dpar, link), ncat: 1 };
    }
    if (kind === "linpred") {
      if (h.family === "categorical") {
        const parts = h.mu!.map((m) => get(m, false));
        return interleave(parts, this.ndraws, e - s, h.mu!);
      }
      return { buf: get("mu", false), ncat: 1 };
    }
    const trials = h.trials ? this.#trials(ctx.frame).subarray(s, e) : undefined;
    return epredBlock(h, get, this.#draws, this.ndraws, e - s, trials);
  }

  #full(data: ScoreData, opts: ScoreOptions, kind: "linpred" | "epred"): ScoreDraws {
    const ctx = this.#prepare(data, opts);
    const n = ctx.frame.table.n, nd = this.ndraws;
    const blk = this.#block(ctx, kind, 0, n);
    const K = blk.ncat, out = new Float64Array(nd * n * K);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < K; c++) {
        const src = (i * K + c) * nd;
        for (let d = 0; d < nd; d++) out[(d * n + i) * K + c] = blk.buf[src + d];
      }
    }
    return K === 1 && !blk.categories ? { data: out, shape: [nd, n], dims: ["draw", "row"] } : {
      data: out,
      shape: [nd, n, K],
      dims: ["draw", "row", "category"],
      categories: blk.categories,
    };
  }
}

interface Ctx {
  frame: Frame;
  res: Map<string, ReturnType<typeof selectRe>>;
  dpar: string | undefined;
}

/** Moves the k-th smallest value of `a` to `a[k]` (smaller before, larger after); returns it. */
function select(a: Float64Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // median of three as the pivot
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** A block of rows: `buf[((i * ncat) + c) * ndraws + d]`. */

/** Interleaves per-category [i][d] buffers into [i][c][d]. */
export function interleave(parts: Float64Array[], nd: number, nr: number, cats: string[]): Block {
  const K = parts.length, buf = new Float64Array(nr * K * nd);
  for (let i = 0; i < nr; i++) {
    for (let c = 0; c < K; c++) buf.set(parts[c].subarray(i * nd, (i + 1) * nd), (i * K + c) * nd);
  }
  return { buf, ncat: K, categories: cats };
}

/**
 * Loads a scorer from an artifact's bytes (checked: magic, version, checksum).
 *
 * @example
 * ```ts ignore
 * import { loadScorer } from "./mod.ts";
 * const scorer = loadScorer(bytes);
 * scorer.summary({ x: [0, 1] }).mean;
 * ```
 */
export function loadScorer(bytes: Uint8Array): Scorer {
  const { header, draws } = decodeScorer(bytes);
  return new Scorer(header, draws);
}
