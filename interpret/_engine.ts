/**
 * The chunked engine of predictions, comparisons and slopes. Rows of the evaluated data are
 * processed `chunkSize` at a time: each chunk's newdata (one or two counterfactual copies of
 * the rows, stacked) goes to brms in one call, its draws × rows matrix comes back on shared
 * memory and is reduced at once (per-row draws kept, or added to per-draw running sums of its
 * `by` group), then the shared memory is released before the next chunk.
 *
 * Memory of an averaged result: the chunk matrix (draws × chunkSize × parts doubles, in R and
 * on shared memory) plus draws × groups doubles of running sums; never draws × rows.
 *
 * @module
 */
import {
  type CallOptions,
  rCode,
  releaseShared,
  type RObject,
  type RWorker,
} from "../worker/mod.ts";

import { type DataFrame, toDataFrame } from "../data/mod.ts";
import { type Cell, cellAt, chunkFrame, columnOf, type Counterfactual } from "./_frame.ts";
import { type ModelInfo, modelInfo } from "./r_call.ts";
import { summarize } from "./_reduce.ts";
import { InterpretError } from "./errors.ts";
import type { EffectOptions, InterpretRow } from "./types.ts";
import { BrmstsTypeError } from "../errors.ts";
import { callRHelperValue } from "../rhelpers.ts";
import { INTERPRET_HELPERS } from "./r_call.ts";

/** Default number of doubles in one chunk's draws matrix (2^23: 64 MiB). */
export const CHUNK_DOUBLES = 1 << 23;

/** Everything a chunked run needs. */
export interface Run {
  w: RWorker;
  call: CallOptions;
  r: RObject;
  info: ModelInfo;
  data: DataFrame;
  where: string;
  options: EffectOptions;
}

/** The data to evaluate: newdata, grid, or the model's data. */
export async function evaluatedData(
  where: string,
  options: EffectOptions,
  w: RWorker,
  call: CallOptions,
  r: RObject,
): Promise<{ info: ModelInfo; data: DataFrame }> {
  const info = await modelInfo(r, w, call);
  if (info.mv && options.resp === undefined) {
    throw new InterpretError(`${where}: a multivariate model needs 'resp' (one response)`);
  }
  if (options.newdata !== undefined && options.grid !== undefined) {
    throw new InterpretError(`${where}: pass either newdata or grid, not both`);
  }
  const nd = options.newdata ?? options.grid;
  let data: DataFrame;
  if (nd === undefined || nd === null) data = info.data;
  else if (isRObject(nd)) {
    data = toDataFrame(await w.call("as.data.frame", [nd], call) as DataFrame);
  } else data = toDataFrame(nd);
  if (data.nrow === 0) throw new InterpretError(`${where}: the data have no rows`);
  return { info, data };
}

function isRObject(x: unknown): x is RObject {
  return x !== null && typeof x === "object" && typeof (x as RObject).assertUsable === "function";
}

/** brms arguments of the prediction function. */
function brmsArgs(o: EffectOptions): Record<string, unknown> {
  const a: Record<string, unknown> = {};
  if (o.reFormula === null) a.re_formula = rCode("NA");
  else if (typeof o.reFormula === "string") {
    a.re_formula = rCode(`stats::as.formula(${JSON.stringify(o.reFormula)})`);
  }
  if (o.allowNewLevels !== undefined) a.allow_new_levels = Boolean(o.allowNewLevels);
  if (o.sampleNewLevels !== undefined) a.sample_new_levels = String(o.sampleNewLevels);
  if (o.resp !== undefined) a.resp = String(o.resp);
  return a;
}

/** Groups of the rows by the values of the `by` columns (sorted), or one group of all rows. */
export function groupRows(
  where: string,
  data: DataFrame,
  by: string | readonly string[] | undefined,
): { index: Int32Array; keys: Record<string, Cell>[] } {
  const names = by === undefined ? [] : typeof by === "string" ? [by] : [...by];
  const cols = names.map((n) => columnOf(where, data, n));
  const map = new Map<string, number>();
  const raw: Cell[][] = [];
  const first = new Int32Array(data.nrow);
  for (let i = 0; i < data.nrow; i++) {
    const cells = cols.map((c) => cellAt(c, i));
    const k = JSON.stringify(cells);
    let g = map.get(k);
    if (g === undefined) map.set(k, g = raw.length), raw.push(cells);
    first[i] = g;
  }
  // Sort groups: factor level order, numbers ascending, strings by code point.
  const rank = (c: number, v: Cell): number | string => {
    const col = cols[c] as { levels?: readonly string[] };
    if (col.levels && typeof v === "string") return col.levels.indexOf(v);
    if (v === null) return Infinity;
    return typeof v === "boolean" ? +v : v;
  };
  const order = raw.map((_, i) => i).sort((a, b) => {
    for (let c = 0; c < cols.length; c++) {
      const x = rank(c, raw[a][c]), y = rank(c, raw[b][c]);
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  });
  const pos = new Int32Array(raw.length);
  order.forEach((g, i) => pos[g] = i);
  const index = first.map((g) => pos[g]);
  const keys = order.map((g) => Object.fromEntries(names.map((n, c) => [n, raw[g][c]])));
  return { index, keys };
}

/**
 * One pass over the data: `parts` counterfactual copies per chunk (null: the rows as they
 * are); `reduce(m, n, start)` receives the chunk's draws column-major (draw d of stacked row j at
 * `m[j * ndraws + d]`, the copies one after the other, `n` rows each).
 */
export async function pass(
  run: Run,
  parts: { name: string; make: Counterfactual }[] | null,
  reduce: (m: Float64Array, n: number, start: number) => void,
  progress: { done: number; total: number },
): Promise<void> {
  const { w, call, r, info, data, options } = run;
  const k = parts?.length ?? 1;
  const chunk = options.chunkSize ??
    Math.max(1, Math.floor(CHUNK_DOUBLES / (info.ndraws * k)));
  if (!Number.isInteger(chunk) || chunk < 1) {
    throw new InterpretError(`${run.where}: chunkSize must be a positive integer`);
  }
  const args = brmsArgs(options);
  const request = (start: number) => {
    const end = Math.min(data.nrow, start + chunk);
    const nd = chunkFrame(data, start, end, parts);
    // The chunks allocate alike: the worker's heap keeps what each frees for the next (no fresh
    // pages to fault in) and returns it to the OS after the last.
    const heap = end < data.nrow ? "reuse" : "release";
    const p = callRHelperValue(w, INTERPRET_HELPERS, "brmsts_ip_draws", {
      fit: r,
      newdata: nd,
      type: options.type ?? "response",
      args,
      gc: options.gc ?? false,
    }, { ...call, heap });
    return { start, end, p };
  };
  // One chunk ahead: R computes chunk i + 1 while TS reduces chunk i (two chunks in flight).
  let next: ReturnType<typeof request> | undefined = request(0);
  try {
    while (next) {
      options.signal?.throwIfAborted();
      const { start, end, p } = next;
      next = undefined;
      const got = await p;
      // A 1 × 1 matrix's single value arrives as a number.
      const m = typeof got === "number" ? new Float64Array([got]) : got;
      if (end < data.nrow) next = request(end);
      // The draws × rows matrix's column-major data (brmsts_ip_draws drops its dim).
      if (!(m instanceof Float64Array)) {
        throw new BrmstsTypeError(
          `${run.where}: expected the draws of a draws × rows matrix from brms`,
        );
      }
      try {
        const cols = (end - start) * k;
        if (m.length !== info.ndraws * cols) {
          throw new BrmstsTypeError(
            `${run.where}: brms returned ${m.length} draws for ${cols} rows × ${info.ndraws} draws`,
          );
        }
        reduce(m, end - start, start);
      } finally {
        releaseShared(m);
      }
      progress.done += end - start;
      options.onProgress?.({ done: progress.done, total: progress.total });
    }
  } finally {
    // A chunk still in flight after an error: release its draws when they arrive.
    if (next) {
      next.p.then((m) => {
        if (m instanceof Float64Array) releaseShared(m);
      }, () => {});
    }
  }
}

/**
 * A reducer of per-row draws: keeps each row's draws (no `by`, no `average`) or adds them to
 * per-draw running sums of the row's group.
 */
export class Reducer {
  readonly #ndraws: number;
  readonly #average: boolean;
  readonly #index: Int32Array;
  readonly #keys: Record<string, Cell>[];
  readonly #sums: Float64Array[] = [];
  readonly #counts: number[] = [];
  readonly #rows: { row: number; draws: Float64Array }[] = [];

  /**
   * @param ndraws Draws per row.
   * @param average Average within groups (else keep every row).
   * @param groups The groups of the rows.
   */
  constructor(
    ndraws: number,
    average: boolean,
    groups: { index: Int32Array; keys: Record<string, Cell>[] },
  ) {
    this.#ndraws = ndraws;
    this.#average = average;
    this.#index = groups.index;
    this.#keys = groups.keys;
    if (average) {
      for (let g = 0; g < groups.keys.length; g++) {
        this.#sums.push(new Float64Array(ndraws));
        this.#counts.push(0);
      }
    }
  }

  /** A scratch buffer of one row's draws (valid until the next `add`). */
  readonly scratch = (): Float64Array => this.#scratch ??= new Float64Array(this.#ndraws);
  #scratch?: Float64Array;

  /** Adds the draws of data row `row`. */
  add(row: number, draws: Float64Array): void {
    if (!this.#average) {
      this.#rows.push({ row, draws: draws.slice() });
      return;
    }
    const g = this.#index[row];
    const s = this.#sums[g];
    for (let d = 0; d < s.length; d++) s[d] += draws[d];
    this.#counts[g]++;
  }

  /** The summarised rows. */
  rows(prob: number, keepDraws: boolean, extra: Partial<InterpretRow> = {}): InterpretRow[] {
    if (!this.#average) {
      return this.#rows.map(({ row, draws }) => ({
        ...extra,
        row,
        by: {},
        ...summarize(draws, prob),
        draws: keepDraws ? draws : new Float64Array(0),
      }));
    }
    return this.#sums.map((s, g) => {
      const n = this.#counts[g];
      for (let d = 0; d < s.length; d++) s[d] /= n;
      return {
        ...extra,
        row: -1,
        by: this.#keys[g],
        ...summarize(s, prob),
        draws: keepDraws ? s : new Float64Array(0),
      };
    });
  }
}

/** Checks `prob`. */
export function probOf(where: string, prob: number | undefined): number {
  const p = prob ?? 0.95;
  if (!(typeof p === "number" && p > 0 && p < 1)) {
    throw new InterpretError(`${where}: prob must be a number in (0, 1), got ${p}`);
  }
  return p;
}
