/**
 * `datagrid()`: a grid of predictor values for {@link predictions}, {@link comparisons} and
 * {@link slopes}, with typical values for the variables not named (marginaleffects's
 * definition).
 *
 * @module
 */
import { type Column, DataFrame } from "../data/mod.ts";
import type { FitLike } from "../brms/mod.ts";
import { fitHandle, type InterpretCallOptions, modelInfo, prepare } from "./r_call.ts";
import {
  type Cell,
  checkValue,
  columnOf,
  constantColumn,
  isNumeric,
  levelsOf,
  typical,
} from "./_frame.ts";
import { InterpretError } from "./errors.ts";

/**
 * Values of the named variables of a grid: one value, a list of values, or `"all"` (every
 * level of a categorical variable, every distinct value of a numeric one).
 *
 * @example
 * ```ts
 * const spec: DatagridSpec = { Trt: "all", zAge: [-1, 0, 1] };
 * ```
 */
export type DatagridSpec = Record<string, Cell | readonly Cell[] | "all">;

/**
 * A data grid: every combination of the values in `spec` (the first variable varies slowest),
 * and for every other variable of the model's data (`fit$data`, responses included) its
 * typical value: the mean of a numeric variable (missing values left out), the most frequent
 * value of a factor, character or logical one (ties: the value that appears first in the
 * data), as marginaleffects's `datagrid()` defines them. Factors keep all their levels.
 *
 * Throws {@link UnknownVariableError} for a variable the model does not have (the error lists
 * those it has) and {@link UnknownLevelError} for a level a categorical variable does not have.
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { datagrid, predictions } from "./mod.ts";
 * declare const fit: FitResult;
 * const grid = await datagrid(fit, { Trt: "all", zAge: [-1, 1] });
 * grid.nrow; // 4: Trt 0 with zAge -1, 1, then Trt 1 with zAge -1, 1
 * const res = await predictions(fit, { grid });
 * ```
 */
export async function datagrid(
  fit: FitLike,
  spec: DatagridSpec = {},
  options: InterpretCallOptions = {},
): Promise<DataFrame> {
  const where = "datagrid()";
  const r = fitHandle(fit, where);
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new InterpretError(`${where}: spec must be an object of variable → values`);
  }
  const { w, call } = await prepare(options);
  const { data } = await modelInfo(r, w, call);
  const named: { name: string; col: Column; values: Cell[] }[] = [];
  for (const [name, v] of Object.entries(spec)) {
    const col = columnOf(where, data, name);
    const values = v === "all" ? levelsOf(col) : (Array.isArray(v) ? v : [v]) as Cell[];
    if (values.length === 0) throw new InterpretError(`${where}: no values for ${name}`);
    named.push({ name, col, values: values.map((x) => checkValue(where, name, col, x)) });
  }
  const n = named.reduce((s, x) => s * x.values.length, 1);
  const cols: Record<string, Column> = {};
  for (const [name, c] of data.entries()) {
    const k = named.findIndex((x) => x.name === name);
    if (k < 0) {
      cols[name] = constantColumn(c, typical(c), n);
      continue;
    }
    // Cross product, the first named variable varying slowest.
    const { values } = named[k];
    let inner = 1;
    for (let j = k + 1; j < named.length; j++) inner *= named[j].values.length;
    const cells = Array.from(
      { length: n },
      (_, i) => values[Math.floor(i / inner) % values.length],
    );
    cols[name] = fromCells(c, cells);
  }
  return new DataFrame(cols);
}

function fromCells(like: Column, cells: Cell[]): Column {
  if (isNumeric(like)) return Float64Array.from(cells as number[]);
  const out = constantColumn(like, cells[0], cells.length);
  if (Array.isArray(out)) return cells as Column;
  const cat = out as { levels: readonly string[]; codes: Int32Array };
  for (let i = 0; i < cells.length; i++) cat.codes[i] = cat.levels.indexOf(String(cells[i]));
  return out;
}
