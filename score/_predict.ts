/**
 * Linear predictors of one distributional parameter on a block of rows, as brms's
 * `predictor()`: `0 + X b + Z r + mo() terms + offset`, laid out row after row with the draws
 * of a row contiguous (`out[i * ndraws + d]`).
 *
 * @module
 */
import { ScorerInputError } from "./errors.ts";
import { evalExpr, nums } from "./_expr.ts";
import { factorCodes } from "./data.ts";
import type { Frame } from "./_design.ts";
import type { DparSpec, RanefSpec } from "./types.ts";

/** Draws by parameter name. */
export type Draws = Map<string, Float64Array>;

/**
 * The group-level terms of `re` that `reFormula` keeps: `undefined` all, `null`/`"NA"` none,
 * a formula: its `(lhs | g)` terms, each written as in the model (nested `a/b` expands).
 */
export function selectRe(re: RanefSpec[], reFormula: string | null | undefined): RanefSpec[] {
  if (reFormula === undefined) return re;
  if (reFormula === null || /^\s*(~\s*)?(NA|0|1)\s*$/.test(reFormula)) return [];
  if (typeof reFormula !== "string") {
    throw new ScorerInputError(
      "option",
      undefined,
      "reFormula must be a string, null or undefined",
    );
  }
  const wanted = parseRe(reFormula);
  return re.filter((r) => {
    const form = r.form.replace(/^~/, "").replace(/\s+/g, "");
    return wanted.some((w) => w.group === r.group && w.lhs === form);
  });
}

/**
 * The `(lhs | g)` terms of a formula, checked to be group-level terms only.
 *
 * @example
 * ```ts
 * import { parseRe } from "./_predict.ts";
 * parseRe("~ (1 + x | g)"); // [{ lhs: "1+x", group: "g" }]
 * ```
 */
export function parseRe(f: string): { lhs: string; group: string }[] {
  const out: { lhs: string; group: string }[] = [];
  const re = /\(([^()|]*(?:\([^()]*\)[^()|]*)*)\|\|?([^()]+)\)/g;
  for (const m of f.matchAll(re)) {
    const lhs = m[1].replace(/\s+/g, "");
    const g = m[2].replace(/\s+/g, "");
    const parts = g.split("/");
    for (let k = 1; k <= parts.length; k++) out.push({ lhs, group: parts.slice(0, k).join(":") });
  }
  if (!out.length) {
    throw new ScorerInputError(
      "option",
      undefined,
      `reFormula '${f}' has no group-level terms: use null (brms's NA) for none`,
    );
  }
  return out;
}

/** Level indices of a grouping factor (nested groups pasted with "_"), brms's error if new. */
function groupCodes(frame: Frame, r: RanefSpec): Int32Array {
  const t = frame.table;
  t.need(r.vars);
  const labs = r.vars.map((v) => t.labels(v));
  const idx = new Map(r.levels.map((l, i) => [l, i]));
  const out = new Int32Array(t.n);
  const unknown = new Set<string>();
  for (let i = 0; i < t.n; i++) {
    const l = labs.map((c) => c[i] ?? "NA").join("_");
    const k = idx.get(l);
    if (k === undefined) unknown.add(l);
    out[i] = k ?? -1;
  }
  if (unknown.size) {
    throw new ScorerInputError(
      "new-group-level",
      r.group,
      `Levels ${[...unknown].join(", ")} of grouping factor '${r.group}' cannot be found in ` +
        "the fitted model. Consider setting argument 'allow_new_levels' to TRUE.",
    );
  }
  return out;
}

/** Checks new data for everything a parameter needs (whole table, before any block). */
export function checkDpar(frame: Frame, dp: DparSpec, re: RanefSpec[]): void {
  if (dp.fe) frame.design(dp.fe, 0, 0);
  for (const t of dp.fe?.terms ?? []) for (const v of t.vars) frame.value(v);
  for (const r of re) {
    for (const t of r.design.terms) for (const v of t.vars) frame.value(v);
    groupCodes(frame, r);
  }
  for (const m of dp.sp ?? []) moValues(frame, m);
  for (const o of dp.offset ?? []) evalExpr(o, frame.table.n, (c) => frame.table.numeric(c));
}

const moCache = new WeakMap<Frame, Map<string, Int32Array>>();
function moValues(frame: Frame, m: NonNullable<DparSpec["sp"]>[number]): Int32Array {
  let c = moCache.get(frame);
  if (!c) moCache.set(frame, c = new Map());
  let out = c.get(m.var);
  if (out) return out;
  const t = frame.table;
  if (m.levels) out = factorCodes(t, m.var, m.levels);
  else {
    const x = t.numeric(m.var), lo = nums(m.min)[0], hi = nums(m.max)[0];
    out = new Int32Array(x.length);
    const bad: number[] = [];
    for (let i = 0; i < x.length; i++) {
      if (!(x[i] >= lo && x[i] <= hi) || !Number.isInteger(x[i])) bad.push(x[i]);
      out[i] = x[i] - lo;
    }
    if (bad.length) {
      throw new ScorerInputError(
        "wrong-type",
        m.var,
        `Invalid values in variable '${m.var}': ${bad.join(", ")}`,
      );
    }
  }
  c.set(m.var, out);
  return out;
}

/**
 * The linear predictor of `dp` on rows [s, e): `out[(i - s) * ndraws + d]`.
 *
 * @example
 * ```ts ignore
 * const eta = linearPredictor(frame, spec, res, draws, 1000, 0, 100);
 * ```
 */
export function linearPredictor(
  frame: Frame,
  dp: DparSpec,
  re: RanefSpec[],
  draws: Draws,
  nd: number,
  s: number,
  e: number,
): Float64Array {
  const nr = e - s;
  const out = new Float64Array(nr * nd);
  if (dp.fe) {
    const X = frame.design(dp.fe, s, e);
    const b = dp.fe.b!.map((n) => draws.get(n)!);
    for (let i = 0; i < nr; i++) {
      const base = i * nd;
      for (let j = 0; j < X.length; j++) {
        const x = X[j][i], bj = b[j];
        if (x === 0) continue;
        for (let d = 0; d < nd; d++) out[base + d] += x * bj[d];
      }
    }
  }
  if (re.length) {
    const reBuf = new Float64Array(nr * nd);
    for (const r of re) {
      const codes = groupCodes(frame, r);
      const Z = frame.design(r.design, s, e);
      const L = r.levels.length;
      const rc = r.r.map((n) => draws.get(n)!);
      for (let i = 0; i < nr; i++) {
        const base = i * nd, l = codes[s + i];
        for (let k = 0; k < Z.length; k++) {
          const z = Z[k][i];
          if (z === 0) continue;
          const col = rc[l + k * L];
          for (let d = 0; d < nd; d++) reBuf[base + d] += z * col[d];
        }
      }
    }
    for (let q = 0; q < out.length; q++) out[q] += reBuf[q];
  }
  for (const m of dp.sp ?? []) {
    const X = moValues(frame, m);
    const bsp = draws.get(m.bsp)!, simo = m.simo.map((n) => draws.get(n)!);
    const D = m.D, cum = new Float64Array((D + 1) * nd);
    for (let d = 0; d < nd; d++) {
      let acc = 0;
      for (let j = 0; j < D; j++) cum[(j + 1) * nd + d] = acc = acc + simo[j][d];
    }
    for (let i = 0; i < nr; i++) {
      const base = i * nd, x = X[s + i];
      for (let d = 0; d < nd; d++) out[base + d] += bsp[d] * (D * cum[x * nd + d]);
    }
  }
  for (const o of dp.offset ?? []) {
    const off = evalExpr(o, frame.table.n, (c) => frame.table.numeric(c)) as Float64Array;
    for (let i = 0; i < nr; i++) {
      const v = off[s + i], base = i * nd;
      for (let d = 0; d < nd; d++) out[base + d] += v;
    }
  }
  return out;
}
