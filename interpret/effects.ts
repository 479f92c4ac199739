/**
 * `predictions()`, `comparisons()` and `slopes()`: expected values, contrasts and finite-
 * difference slopes from brms's own `posterior_epred` / `posterior_linpred` /
 * `posterior_predict` on counterfactual data, reduced draw by draw in bounded memory (see
 * `_engine.ts`: memory is a function of draws × chunkSize, not of the number of rows).
 *
 * @module
 */
import type { FitLike } from "../brms/mod.ts";
import { Categorical, type Column } from "../data/mod.ts";
import { fitHandle, prepare } from "./r_call.ts";
import { checkValue, type Counterfactual, isNumeric, levelsOf, numericStats } from "./_frame.ts";
import { evaluatedData, groupRows, pass, probOf, Reducer, type Run } from "./_engine.ts";
import { FactorSlopeError, InterpretError, UnknownVariableError } from "./errors.ts";
import type { EffectOptions, InterpretResult, InterpretRow } from "./types.ts";
import { callRHelperValue } from "../rhelpers.ts";
import { INTERPRET_HELPERS } from "./r_call.ts";

export type { EffectOptions, InterpretResult, InterpretRow } from "./types.ts";

async function setup(fit: FitLike, options: EffectOptions, where: string): Promise<Run> {
  const r = fitHandle(fit, where);
  const type = options.type ?? "response";
  if (!["response", "link", "prediction"].includes(type)) {
    throw new InterpretError(
      `${where}: type must be "response", "link" or "prediction", got ${JSON.stringify(type)}`,
    );
  }
  const { w, call } = await prepare(options);
  const { info, data } = await evaluatedData(where, options, w, call, r);
  return { w, call, r, info, data, where, options };
}

async function seeded<T>(run: Run, body: () => Promise<T>): Promise<T> {
  const seed = run.options.seed;
  if (seed === undefined) return body();
  if (!Number.isInteger(seed)) throw new InterpretError(`${run.where}: seed must be an integer`);
  await callRHelperValue(run.w, INTERPRET_HELPERS, "brmsts_ip_seed_begin", [seed], run.call);
  try {
    return await body();
  } finally {
    await callRHelperValue(run.w, INTERPRET_HELPERS, "brmsts_ip_seed_end", [], run.call).catch(
      () => {},
    );
  }
}

/**
 * Predictions of the model for each row of `newdata` / `grid` (default: the model's data), or
 * averaged within `by` groups: expected values (`type: "response"`, brms's
 * `posterior_epred`), the linear predictor (`"link"`, `posterior_linpred`) or posterior
 * predictive draws (`"prediction"`, `posterior_predict`). Each row: the posterior median, the
 * equal-tailed `prob` interval (R's `quantile(type = 7)`) and the draws. With `by`, a group's
 * draws are the per-draw mean of its rows' draws.
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { datagrid, predictions } from "./mod.ts";
 * declare const fit: FitResult;
 * const grid = await datagrid(fit, { Trt: "all" });
 * const { rows } = await predictions(fit, { grid, by: "Trt" });
 * rows.map((r) => [r.by.Trt, r.estimate, r.lower, r.upper]);
 * ```
 */
export async function predictions(
  fit: FitLike,
  options: EffectOptions & { average?: boolean } = {},
): Promise<InterpretResult> {
  const where = "predictions()";
  const prob = probOf(where, options.prob);
  const run = await setup(fit, options, where);
  const average = options.by !== undefined || options.average === true;
  const red = new Reducer(run.info.ndraws, average, groupRows(where, run.data, options.by));
  const D = run.info.ndraws;
  await seeded(run, () =>
    pass(run, null, (m, n, start) => {
      for (let j = 0; j < n; j++) red.add(start + j, m.subarray(j * D, (j + 1) * D));
    }, { done: 0, total: run.data.nrow }));
  return { rows: red.rows(prob, options.keepDraws ?? true), data: run.data, prob, ndraws: D };
}

/**
 * What {@link comparisons} compares for one variable: for a factor, character or logical
 * variable two levels `[lo, hi]` or `"reference"` (each other level against the first); for
 * a numeric one a step `h` (centred: `x - h/2` against `x + h/2`, as marginaleffects), two
 * values `[lo, hi]`, or `"sd"` (mean ∓ sd/2 of the model's data), `"iqr"` (its 25% and 75%
 * quantiles, R's type 7) or `"minmax"` (its minimum and maximum).
 *
 * @example
 * ```ts
 * const v: ComparisonVariable = "sd";
 * ```
 */
export type ComparisonVariable =
  | number
  | "sd"
  | "iqr"
  | "minmax"
  | "reference"
  | readonly [string | number | boolean, string | number | boolean];

/**
 * Options of {@link comparisons}.
 *
 * @example
 * ```ts
 * const opts: ComparisonsOptions = { variables: { Trt: ["0", "1"] }, comparison: "ratio" };
 * ```
 */
export interface ComparisonsOptions extends EffectOptions {
  /** Variable → what to compare (see {@link ComparisonVariable}). */
  variables: Record<string, ComparisonVariable>;
  /**
   * Per row and draw: `"difference"` hi − lo (default), `"ratio"` hi / lo, `"lnratio"`
   * log(hi / lo).
   */
  comparison?: "difference" | "ratio" | "lnratio";
  /** Average the per-row contrasts over all rows (implied by `by`). */
  average?: boolean;
}

type Contrast = { term: string; contrast: string; lo: Counterfactual; hi: Counterfactual };

function constant(v: unknown): Counterfactual {
  return (c: Column, start, end) => {
    const n = end - start;
    if (isNumeric(c)) return new Float64Array(n).fill(v as number);
    if (c instanceof Categorical) {
      const k = c.levels.indexOf(String(v));
      return new Categorical(c.levels, new Int32Array(n).fill(k), c.ordered);
    }
    return new Array(n).fill(v);
  };
}

function shifted(h: number): Counterfactual {
  return (c, start, end) => {
    const x = c as Float64Array | Int32Array;
    const out = new Float64Array(end - start);
    for (let i = 0; i < out.length; i++) out[i] = x[start + i] + h;
    return out;
  };
}

function contrastsOf(run: Run, name: string, spec: ComparisonVariable): Contrast[] {
  const where = run.where;
  const model = run.info.data;
  if (!model.has(name)) throw new UnknownVariableError(where, name, model.names);
  if (!run.data.has(name)) throw new UnknownVariableError(where, name, run.data.names);
  const col = model.column(name);
  if (isNumeric(col)) {
    const fmt = (v: number) => String(v);
    if (typeof spec === "number") {
      if (!Number.isFinite(spec)) throw new InterpretError(`${where}: bad step for ${name}`);
      return [{
        term: name,
        contrast: `+${fmt(spec)}`,
        lo: shifted(-spec / 2),
        hi: shifted(spec / 2),
      }];
    }
    if (Array.isArray(spec) && spec.length === 2) {
      const [a, b] = spec.map((v) => checkValue(where, name, col, v)) as number[];
      return [{ term: name, contrast: `${b} - ${a}`, lo: constant(a), hi: constant(b) }];
    }
    const s = numericStats(col);
    const pair: Record<string, [number, number]> = {
      sd: [s.mean - s.sd / 2, s.mean + s.sd / 2],
      iqr: [s.q25, s.q75],
      minmax: [s.min, s.max],
    };
    const p = typeof spec === "string" ? pair[spec] : undefined;
    if (!p) {
      throw new InterpretError(
        `${where}: ${JSON.stringify(name)} is numeric: compare by a step (number), two values, ` +
          `"sd", "iqr" or "minmax"; got ${JSON.stringify(spec)}`,
      );
    }
    return [{ term: name, contrast: spec as string, lo: constant(p[0]), hi: constant(p[1]) }];
  }
  const levels = levelsOf(col);
  let pairs: [unknown, unknown][];
  if (spec === "reference") pairs = levels.slice(1).map((l) => [levels[0], l]);
  else if (Array.isArray(spec) && spec.length === 2) {
    pairs = [[checkValue(where, name, col, spec[0]), checkValue(where, name, col, spec[1])]];
  } else {
    throw new InterpretError(
      `${where}: ${JSON.stringify(name)} is categorical: compare two levels [lo, hi] or ` +
        `"reference"; got ${JSON.stringify(spec)}`,
    );
  }
  return pairs.map(([a, b]) => ({
    term: name,
    contrast: `${b} - ${a}`,
    lo: constant(a),
    hi: constant(b),
  }));
}

const COMPARE = {
  difference: (hi: number, lo: number) => hi - lo,
  ratio: (hi: number, lo: number) => hi / lo,
  lnratio: (hi: number, lo: number) => Math.log(hi / lo),
} as const;

/**
 * Contrasts of the model's predictions between two counterfactual versions of each row (the
 * variable set to `lo` and to `hi`, everything else as in the data): per row and draw
 * `hi − lo`, `hi / lo` or `log(hi / lo)` of brms's predictions (`type`, default
 * `posterior_epred`). With `by` or `average: true`, the per-row contrasts are averaged per
 * draw within each group (marginaleffects's `avg_comparisons()`), then summarised: posterior
 * median and equal-tailed interval. Rows are processed in chunks, so an averaged comparison
 * holds draws × chunkSize × 2 values at a time, never draws × rows.
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { comparisons } from "./mod.ts";
 * declare const fit: FitResult;
 * const res = await comparisons(fit, { variables: { Trt: ["0", "1"] }, average: true });
 * res.rows[0].estimate; // average treatment effect on the response scale
 * const per1 = await comparisons(fit, { variables: { zAge: 1 }, comparison: "ratio" });
 * ```
 */
export async function comparisons(
  fit: FitLike,
  options: ComparisonsOptions,
): Promise<InterpretResult> {
  const where = "comparisons()";
  const prob = probOf(where, options?.prob);
  const vars = options?.variables;
  if (!vars || typeof vars !== "object" || Object.keys(vars).length === 0) {
    throw new InterpretError(`${where}: variables must name at least one variable`);
  }
  const how = options.comparison ?? "difference";
  const f = COMPARE[how as keyof typeof COMPARE];
  if (!f) {
    throw new InterpretError(
      `${where}: comparison must be "difference", "ratio" or "lnratio", got ${JSON.stringify(how)}`,
    );
  }
  const run = await setup(fit, options, where);
  const contrasts = Object.entries(vars).flatMap(([n, s]) => contrastsOf(run, n, s));
  const average = options.by !== undefined || options.average === true;
  const groups = groupRows(where, run.data, options.by);
  const D = run.info.ndraws;
  const rows: InterpretRow[] = [];
  const progress = { done: 0, total: run.data.nrow * contrasts.length };
  await seeded(run, async () => {
    for (const c of contrasts) {
      const red = new Reducer(D, average, groups);
      const buf = new Float64Array(D);
      await pass(run, [{ name: c.term, make: c.lo }, { name: c.term, make: c.hi }], (m, n, s) => {
        for (let j = 0; j < n; j++) {
          const lo = j * D, hi = (n + j) * D;
          for (let d = 0; d < D; d++) buf[d] = f(m[hi + d], m[lo + d]);
          red.add(s + j, buf);
        }
      }, progress);
      rows.push(
        ...red.rows(prob, options.keepDraws ?? true, { term: c.term, contrast: c.contrast }),
      );
    }
  });
  return { rows, data: run.data, prob, ndraws: D };
}

/**
 * Options of {@link slopes}.
 *
 * @example
 * ```ts
 * const opts: SlopesOptions = { variables: "zAge", slope: "eyex", by: "Trt" };
 * ```
 */
export interface SlopesOptions extends EffectOptions {
  /** The numeric variables to differentiate. */
  variables: string | readonly string[];
  /**
   * `"dydx"` (default) dY/dX; `"eyex"` dY/dX · x / y; `"eydx"` dY/dX / y; `"dyex"` dY/dX · x,
   * with y the prediction at the row's own x (per draw), as marginaleffects defines them.
   */
  slope?: "dydx" | "eyex" | "eydx" | "dyex";
  /**
   * Step of the forward difference (default: 1e-4 × the range of the variable in the model's
   * data, marginaleffects's default): dY/dX = (f(x + eps) − f(x)) / eps.
   */
  eps?: number;
  /** Average the per-row slopes over all rows (implied by `by`). */
  average?: boolean;
}

/**
 * Slopes (partial derivatives) of brms's predictions with respect to numeric variables, by a
 * forward finite difference (f(x + eps) − f(x)) / eps per row and draw, with `eps` = 1e-4 ×
 * the variable's range in the model's data unless given (marginaleffects's definition and
 * default); `slope` chooses dY/dX, eY/eX, eY/dX or dY/eX. With `by` or `average: true`, the
 * per-row slopes are averaged per draw within groups. A factor, character or logical variable
 * throws {@link FactorSlopeError}.
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { slopes } from "./mod.ts";
 * declare const fit: FitResult;
 * const res = await slopes(fit, { variables: "zAge", average: true });
 * res.rows[0].estimate; // average dY/dX
 * ```
 */
export async function slopes(fit: FitLike, options: SlopesOptions): Promise<InterpretResult> {
  const where = "slopes()";
  const prob = probOf(where, options?.prob);
  const names = typeof options?.variables === "string"
    ? [options.variables]
    : [...(options?.variables ?? [])];
  if (names.length === 0) throw new InterpretError(`${where}: variables must name a variable`);
  const kind = options.slope ?? "dydx";
  if (!["dydx", "eyex", "eydx", "dyex"].includes(kind)) {
    throw new InterpretError(
      `${where}: slope must be "dydx", "eyex", "eydx" or "dyex", got ${JSON.stringify(kind)}`,
    );
  }
  const run = await setup(fit, options, where);
  for (const n of names) {
    if (!run.info.data.has(n)) throw new UnknownVariableError(where, n, run.info.data.names);
    if (!run.data.has(n)) throw new UnknownVariableError(where, n, run.data.names);
    const c = run.info.data.column(n);
    if (!isNumeric(c)) throw new FactorSlopeError(n, run.info.data.columnType(n));
  }
  const average = options.by !== undefined || options.average === true;
  const groups = groupRows(where, run.data, options.by);
  const D = run.info.ndraws;
  const rows: InterpretRow[] = [];
  const progress = { done: 0, total: run.data.nrow * names.length };
  const label = { dydx: "dY/dX", eyex: "eY/eX", eydx: "eY/dX", dyex: "dY/eX" }[kind];
  await seeded(run, async () => {
    for (const name of names) {
      const s = numericStats(run.info.data.column(name) as Float64Array);
      const eps = options.eps ?? 1e-4 * (s.max - s.min);
      if (!(eps > 0 && Number.isFinite(eps))) {
        throw new InterpretError(`${where}: eps for ${name} must be positive, got ${eps}`);
      }
      const x = run.data.column(name) as Float64Array | Int32Array;
      const red = new Reducer(D, average, groups);
      const buf = new Float64Array(D);
      await pass(run, [{ name, make: shifted(0) }, { name, make: shifted(eps) }], (m, n, st) => {
        for (let j = 0; j < n; j++) {
          const lo = j * D, hi = (n + j) * D, xj = x[st + j];
          for (let d = 0; d < D; d++) {
            const y = m[lo + d];
            const dydx = (m[hi + d] - y) / eps;
            buf[d] = kind === "dydx"
              ? dydx
              : kind === "eyex"
              ? dydx * (xj / y)
              : kind === "eydx"
              ? dydx / y
              : dydx * xj;
          }
          red.add(st + j, buf);
        }
      }, progress);
      rows.push(...red.rows(prob, options.keepDraws ?? true, { term: name, contrast: label }));
    }
  });
  return { rows, data: run.data, prob, ndraws: D };
}
