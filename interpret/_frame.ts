/**
 * Column helpers of the interpret functions: typical values, levels, constant columns, row
 * slices and the concatenation of counterfactual copies of a chunk of rows.
 *
 * @module
 */
import { Categorical, type Column, DataFrame, isNA, NA_INTEGER } from "../data/mod.ts";
import { InterpretError, UnknownLevelError, UnknownVariableError } from "./errors.ts";
import { sortedQuantile } from "../stats/mod.ts";

import type { Cell } from "./types.ts";
export type { Cell };

/** Whether a column is numeric (double or integer). */
export function isNumeric(c: Column): c is Float64Array | Int32Array {
  return c instanceof Float64Array || c instanceof Int32Array;
}

/** The non-missing values of a numeric column, as doubles. */
export function numericValues(c: Float64Array | Int32Array): Float64Array {
  const out = new Float64Array(c.length);
  let k = 0;
  for (let i = 0; i < c.length; i++) {
    if (c instanceof Int32Array ? c[i] === NA_INTEGER : Number.isNaN(c[i])) continue;
    out[k++] = c[i];
  }
  return out.subarray(0, k);
}

/** The value of row `i` (null for NA). */
export function cellAt(c: Column, i: number): Cell {
  if (c instanceof Float64Array) return isNA(c, i) ? null : c[i];
  if (c instanceof Int32Array) return c[i] === NA_INTEGER ? null : c[i];
  if (c instanceof Categorical) return c.at(i);
  if (Array.isArray(c)) {
    const v = c[i];
    return typeof v === "string" || typeof v === "boolean" || typeof v === "number" ? v : null;
  }
  throw new InterpretError("matrix, date and list columns are not supported here");
}

/** The levels of a categorical column (factor levels, sorted strings, or false/true). */
export function levelsOf(c: Column): Cell[] {
  if (c instanceof Categorical) return [...c.levels];
  if (Array.isArray(c)) {
    const vals = [...new Set(c.filter((v) => v !== null && v !== undefined))] as Cell[];
    if (vals.every((v) => typeof v === "boolean")) return [false, true];
    return (vals as string[]).sort();
  }
  const s = numericValues(c as Float64Array).slice().sort();
  return [...new Set(s)];
}

/**
 * The typical value: the mean of a numeric column (missing values left out), else the most
 * frequent value (ties: the one that appears first), as marginaleffects's `datagrid()`.
 */
export function typical(c: Column): Cell {
  if (isNumeric(c)) {
    const v = numericValues(c);
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i];
    return s / v.length;
  }
  const counts = new Map<Cell, number>();
  let best: Cell = null, bestN = 0;
  for (let i = 0; i < lengthOf(c); i++) {
    const v = cellAt(c, i);
    if (v === null) continue;
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (n > bestN) best = v, bestN = n;
  }
  // Ties go to the value that appears first: recount in order of first appearance.
  for (const [v, n] of counts) {
    if (n === bestN) return v;
  }
  return best;
}

/** The number of rows of a column. */
export function lengthOf(c: Column): number {
  return (c as { length: number }).length;
}

/** Summary statistics of a numeric column of the model's data. */
export function numericStats(c: Float64Array | Int32Array): {
  mean: number;
  sd: number;
  q25: number;
  q75: number;
  min: number;
  max: number;
} {
  const v = numericValues(c);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  const mean = s / v.length;
  let ss = 0;
  for (let i = 0; i < v.length; i++) ss += (v[i] - mean) ** 2;
  const sorted = v.slice().sort();
  return {
    mean,
    sd: Math.sqrt(ss / (v.length - 1)),
    q25: sortedQuantile(sorted, 0.25),
    q75: sortedQuantile(sorted, 0.75),
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}

/** Checks a value against a model column and returns it in the column's terms. */
export function checkValue(where: string, name: string, c: Column, v: unknown): Cell {
  if (isNumeric(c)) {
    if (typeof v !== "number") {
      throw new InterpretError(
        `${where}: ${JSON.stringify(name)} is numeric; got ${JSON.stringify(v)}`,
      );
    }
    return v;
  }
  const levels = levelsOf(c);
  if (levels.every((l) => typeof l === "boolean")) {
    if (typeof v !== "boolean") {
      throw new InterpretError(
        `${where}: ${JSON.stringify(name)} is logical; got ${JSON.stringify(v)}`,
      );
    }
    return v;
  }
  const s = typeof v === "number" || typeof v === "boolean" ? String(v) : v;
  if (typeof s !== "string" || !levels.includes(s)) {
    throw new UnknownLevelError(where, name, String(v), levels.map(String));
  }
  return s;
}

/** The column of `df` called `name`, or an UnknownVariableError listing the columns. */
export function columnOf(where: string, df: DataFrame, name: string): Column {
  if (typeof name !== "string" || !df.has(name)) {
    throw new UnknownVariableError(where, String(name), df.names);
  }
  return df.column(name);
}

/** A column of `n` copies of `v`, of the type of the model column `like`. */
export function constantColumn(like: Column, v: Cell, n: number): Column {
  if (isNumeric(like)) return new Float64Array(n).fill(v as number);
  if (like instanceof Categorical) {
    const k = like.levels.indexOf(String(v));
    return new Categorical(like.levels, new Int32Array(n).fill(k), like.ordered);
  }
  return new Array(n).fill(v);
}

/** Rows `start`..`end` of a column (a copy for arrays, a view for typed arrays). */
export function sliceColumn(c: Column, start: number, end: number): Column {
  if (c instanceof Float64Array || c instanceof Int32Array) return c.subarray(start, end);
  if (c instanceof Categorical) {
    return new Categorical(c.levels, c.codes.subarray(start, end), c.ordered);
  }
  if (Array.isArray(c)) return c.slice(start, end);
  throw new InterpretError("matrix, date and list columns are not supported here");
}

/** Columns of one type, one after the other. */
export function concatColumns(parts: Column[]): Column {
  if (parts.length === 1) return parts[0];
  const n = parts.reduce((s, p) => s + lengthOf(p), 0);
  if (parts.some((p) => p instanceof Float64Array)) {
    const out = new Float64Array(n);
    let k = 0;
    for (const p of parts) {
      const src = p as Float64Array | Int32Array;
      if (src instanceof Int32Array) {
        for (let i = 0; i < src.length; i++) {
          out[k + i] = src[i] === NA_INTEGER ? NaN : src[i];
        }
      } else out.set(src, k);
      k += src.length;
    }
    return out;
  }
  if (parts[0] instanceof Int32Array) {
    const out = new Int32Array(n);
    let k = 0;
    for (const p of parts) out.set(p as Int32Array, k), k += (p as Int32Array).length;
    return out;
  }
  if (parts[0] instanceof Categorical) {
    const first = parts[0];
    const codes = new Int32Array(n);
    let k = 0;
    for (const p of parts) {
      codes.set((p as Categorical).codes, k);
      k += (p as Categorical).codes.length;
    }
    return new Categorical(first.levels, codes, first.ordered);
  }
  return (parts as unknown[][]).flat() as Column;
}

/** A counterfactual column for rows `start`..`end` of the original column `c`. */
export type Counterfactual = (c: Column, start: number, end: number) => Column;

/**
 * Rows `start`..`end` of `df`, once per counterfactual (each setting one variable), stacked:
 * the newdata of one chunk.
 */
export function chunkFrame(
  df: DataFrame,
  start: number,
  end: number,
  parts: { name: string; make: Counterfactual }[] | null,
): DataFrame {
  const cols: Record<string, Column> = {};
  for (const [name, c] of df.entries()) {
    if (!parts) {
      cols[name] = sliceColumn(c, start, end);
      continue;
    }
    cols[name] = concatColumns(
      parts.map((p) => p.name === name ? p.make(c, start, end) : sliceColumn(c, start, end)),
    );
  }
  return new DataFrame(cols);
}
