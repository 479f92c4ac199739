/**
 * Option and result types of predictions, comparisons and slopes.
 *
 * @module
 */
import type { DataFrame, DataFrameInput } from "../data/mod.ts";
import type { RObject } from "../worker/mod.ts";
import type { InterpretCallOptions } from "./r_call.ts";

/**
 * A value of one cell of an interpret result.
 *
 * @example
 * ```ts
 * import type { Cell } from "./types.ts";
 * const cells: Cell[] = ["a", 1, true, null];
 * ```
 */
export type Cell = string | number | boolean | null;

/**
 * Options shared by {@link predictions}, {@link comparisons} and {@link slopes}.
 *
 * @example
 * ```ts
 * const opts: EffectOptions = { by: "Trt", type: "response", prob: 0.9, chunkSize: 500 };
 * ```
 */
export interface EffectOptions extends InterpretCallOptions {
  /** The rows to evaluate (default: the model's data). */
  newdata?: DataFrameInput | RObject;
  /** Same as `newdata`, for a {@link datagrid} (pass one of the two). */
  grid?: DataFrame;
  /** Average within the groups of these columns of the evaluated data (one row per group). */
  by?: string | readonly string[];
  /**
   * `"response"` (default): brms's `posterior_epred`; `"link"`: `posterior_linpred`;
   * `"prediction"`: `posterior_predict` (pass `seed`).
   */
  type?: "response" | "link" | "prediction";
  /** brms's `re_formula`: `null` → `NA` (no group-level effects), or a formula string. */
  reFormula?: string | null;
  /** brms's `allow_new_levels`. */
  allowNewLevels?: boolean;
  /** brms's `sample_new_levels`. */
  sampleNewLevels?: "uncertainty" | "gaussian" | "old_levels";
  /** brms's `resp`: the response of a multivariate model. */
  resp?: string;
  /** Width of the equal-tailed interval (default 0.95). */
  prob?: number;
  /** Seed of R's RNG, set once before the first chunk (R's state is restored after). */
  seed?: number;
  /**
   * Rows per brms call (default: as many as keep one chunk's matrix at 2^23 doubles, 64 MiB,
   * counting both counterfactual copies of comparisons and slopes).
   */
  chunkSize?: number;
  /**
   * Run R's garbage collector before each chunk (default false): lowers the worker's peak by
   * the garbage of earlier chunks, at some time per chunk.
   */
  gc?: boolean;
  /** Keep each result row's draws (default true; false leaves `draws` empty). */
  keepDraws?: boolean;
  /** Called after each chunk with the rows done and the rows in all. */
  onProgress?: (event: { done: number; total: number }) => void;
}

/**
 * One result row: a row of the evaluated data (`row` ≥ 0) or an average over a group (`row`
 * -1, the group's values in `by`).
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { predictions } from "./mod.ts";
 * declare const fit: FitResult;
 * const { rows } = await predictions(fit, { by: "Trt" });
 * const r: InterpretRow = rows[0]; // r.by.Trt, r.estimate, r.lower, r.upper, r.draws
 * ```
 */
export interface InterpretRow {
  /** The variable compared or differentiated (comparisons, slopes). */
  term?: string;
  /** What is compared (`"1 - 0"`, `"+1"`, `"sd"`, `"dY/dX"`, …). */
  contrast?: string;
  /** Index of the row in the evaluated data, or -1 for a group average. */
  row: number;
  /** The `by` values of a group average (empty otherwise). */
  by: Record<string, Cell>;
  /** Posterior median. */
  estimate: number;
  /** Lower end of the equal-tailed interval (R's `quantile(type = 7)`). */
  lower: number;
  /** Upper end of the interval. */
  upper: number;
  /** The draws (in brms's draw order). */
  draws: Float64Array;
}

/**
 * What predictions, comparisons and slopes return.
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { predictions } from "./mod.ts";
 * declare const fit: FitResult;
 * declare const grid: import("../data/mod.ts").DataFrame;
 * const res: InterpretResult = await predictions(fit, { grid });
 * res.rows.map((r) => r.estimate);
 * ```
 */
export interface InterpretResult {
  /** The result rows. */
  rows: InterpretRow[];
  /** The evaluated data (`row` indexes it). */
  data: DataFrame;
  /** Interval width. */
  prob: number;
  /** Draws per row. */
  ndraws: number;
}
