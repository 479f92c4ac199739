/**
 * A columnar data frame that maps one-to-one onto R's `data.frame`.
 *
 * @module
 */
import { Categorical } from "./categorical.ts";
import { type Column, columnLength, type ColumnType, normalizeColumn } from "./column.ts";
import { NdArray } from "./ndarray.ts";
import { isNA } from "./na.ts";
import { BrmstsRangeError, BrmstsTypeError } from "../errors.ts";

export type { Column, ColumnType } from "./column.ts";

/**
 * Options of the {@link DataFrame} constructor.
 *
 * @example
 * ```ts
 * new DataFrame({ n: [1, 2] }, { types: { n: "integer" }, rowNames: ["a", "b"] });
 * ```
 */
export interface DataFrameOptions {
  /** Row names (R's `row.names`); `null`/absent for R's automatic 1..n. */
  rowNames?: readonly string[] | null;
  /** Column types to use instead of inferring them (e.g. `integer` for number arrays). */
  types?: Record<string, ColumnType>;
  /** Number of rows when there are no columns. */
  nrow?: number;
}

/**
 * Columns of equal length with names, R column types and optional row names. Numeric columns
 * are typed arrays (views on shared memory when they come from R), factors are
 * {@link Categorical}s. Column order is kept. A DataFrame passed to `callR` arrives in R as a
 * real `data.frame` (factors as factors, row names kept).
 *
 * @example
 * ```ts
 * import { Categorical, callR } from "../mod.ts";
 * const df = new DataFrame({ y: [1.5, 2.5], g: Categorical.from(["a", "b"]) });
 * df.nrow; // 2
 * df.toRecords(); // [{ y: 1.5, g: "a" }, { y: 2.5, g: "b" }]
 * await callR("colnames", [df]); // ["y", "g"]
 * ```
 */
export class DataFrame {
  /** Column names in order. */
  readonly names: readonly string[];
  /** Number of rows. */
  readonly nrow: number;
  /** Row names, or `null` for automatic ones. */
  readonly rowNames: readonly string[] | null;
  readonly #cols = new Map<string, Column>();
  readonly #types = new Map<string, ColumnType>();

  /**
   * Builds a frame from an object of columns (validated, typed arrays are not copied).
   *
   * @throws {TypeError} for ragged columns, mixed-type columns or duplicated names.
   * @example
   * ```ts
   * const df = new DataFrame({ n: new Int32Array([1, 2]), ok: [true, null] });
   * ```
   */
  constructor(columns: Record<string, unknown>, opts: DataFrameOptions = {}) {
    if (columns === null || typeof columns !== "object") {
      throw new BrmstsTypeError("DataFrame: columns must be an object of columns");
    }
    const names = Object.keys(columns);
    let nrow: number | undefined = names.length === 0
      ? opts.nrow ?? opts.rowNames?.length ?? 0
      : undefined;
    for (const name of names) {
      const { column, type } = normalizeColumn(
        name,
        columns[name],
        opts.types && Object.hasOwn(opts.types, name) ? opts.types[name] : undefined,
      );
      const len = columnLength(column);
      if (nrow === undefined) nrow = len;
      else if (len !== nrow) {
        throw new BrmstsTypeError(
          `DataFrame: column ${JSON.stringify(name)} has ${len} rows, ${
            JSON.stringify(names[0])
          } has ${nrow} (ragged columns)`,
        );
      }
      this.#cols.set(name, column);
      this.#types.set(name, type);
    }
    this.names = names;
    this.nrow = nrow ?? 0;
    const rn = opts.rowNames ?? null;
    if (rn) {
      if (rn.length !== this.nrow) {
        throw new BrmstsTypeError(`DataFrame: ${rn.length} row names for ${this.nrow} rows`);
      }
      if (!rn.every((s) => typeof s === "string")) {
        throw new BrmstsTypeError("DataFrame: row names must be strings");
      }
      if (new Set(rn).size !== rn.length) {
        throw new BrmstsTypeError("DataFrame: duplicated row names");
      }
    }
    this.rowNames = rn;
  }

  /** Number of columns. */
  get ncol(): number {
    return this.names.length;
  }

  /**
   * The column called `name`.
   *
   * @throws {RangeError} when there is no such column.
   * @example
   * ```ts
   * new DataFrame({ x: [1, 2] }).column("x"); // Float64Array [1, 2]
   * ```
   */
  column(name: string): Column {
    const c = this.#cols.get(name);
    if (c === undefined) throw new BrmstsRangeError(`DataFrame: no column ${JSON.stringify(name)}`);
    return c;
  }

  /**
   * The R type of column `name`.
   *
   * @example
   * ```ts
   * new DataFrame({ x: [1, 2] }).columnType("x"); // "double"
   * ```
   */
  columnType(name: string): ColumnType {
    this.column(name);
    return this.#types.get(name)!;
  }

  /**
   * True when a column called `name` exists.
   *
   * @example
   * ```ts
   * new DataFrame({ x: [1] }).has("y"); // false
   * ```
   */
  has(name: string): boolean {
    return this.#cols.has(name);
  }

  /**
   * `[name, column]` pairs in column order.
   *
   * @example
   * ```ts
   * import { type DataFrame } from "../mod.ts";
   * declare const df: DataFrame;
   * for (const [name] of df.entries()) console.log(name, df.columnType(name));
   * ```
   */
  entries(): [string, Column][] {
    return this.names.map((n) => [n, this.#cols.get(n)!]);
  }

  /**
   * The rows as plain objects: NA becomes `null` (NaN stays NaN), factors become labels.
   * Matrix columns give one array per row.
   *
   * @example
   * ```ts
   * new DataFrame({ a: [1, null] }).toRecords(); // [{ a: 1 }, { a: null }]
   * ```
   */
  toRecords(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = Array.from({ length: this.nrow }, () => ({}));
    for (const name of this.names) {
      const c = this.#cols.get(name)!;
      for (let i = 0; i < this.nrow; i++) out[i][name] = cell(c, i);
    }
    return out;
  }

  /**
   * A text preview: dimensions, column types and the first rows (what `console.log` shows).
   *
   * @example
   * ```ts
   * console.log(String(new DataFrame({ x: [1, 2] })));
   * ```
   */
  toString(maxRows = 6): string {
    const show = (v: unknown) =>
      v === null
        ? "NA"
        : v instanceof Date
        ? v.toISOString()
        : Array.isArray(v)
        ? `[${v}]`
        : String(v);
    const head = this.names.map((n) => `${n} <${this.#types.get(n)}>`);
    const rows: string[][] = [];
    for (let i = 0; i < Math.min(this.nrow, maxRows); i++) {
      const cells = this.names.map((n) => {
        const text = show(cell(this.#cols.get(n)!, i));
        return this.#types.get(n) === "date" && text !== "NA" ? text.slice(0, 10) : text;
      });
      rows.push([this.rowNames?.[i] ?? String(i + 1), ...cells]);
    }
    const table = [["", ...head], ...rows];
    const width = table[0].map((_, j) => Math.max(...table.map((r) => r[j].length)));
    const lines = table.map((r) => r.map((c, j) => c.padStart(width[j])).join("  "));
    const more = this.nrow > maxRows ? [`… ${this.nrow - maxRows} more rows`] : [];
    return [`DataFrame ${this.nrow} × ${this.ncol}`, ...lines, ...more].join("\n");
  }

  /** console.log in Deno. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  /** console.log in Bun and Node. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /**
   * Builds a frame from row objects; the first row's keys define the columns.
   *
   * @throws {TypeError} when a row misses a key or has an extra one, or a column mixes types.
   * @example
   * ```ts
   * DataFrame.fromRecords([{ x: 1, g: "a" }, { x: 2, g: "b" }]).names; // ["x", "g"]
   * ```
   */
  static fromRecords(
    rows: readonly Record<string, unknown>[],
    opts: DataFrameOptions = {},
  ): DataFrame {
    const names = rows.length ? Object.keys(rows[0] ?? {}) : [];
    const cols: Record<string, unknown[]> = Object.create(null);
    for (const n of names) cols[n] = new Array(rows.length);
    rows.forEach((row, i) => {
      if (row === null || typeof row !== "object" || Array.isArray(row)) {
        throw new BrmstsTypeError(`DataFrame: row ${i} is not an object`);
      }
      const keys = Object.keys(row);
      if (keys.length !== names.length) {
        const extra = keys.find((k) => !(k in cols)) ?? names.find((k) => !(k in row));
        throw new BrmstsTypeError(
          `DataFrame: row ${i} has different keys than row 0 (${JSON.stringify(extra)})`,
        );
      }
      for (const k of keys) {
        const col = cols[k];
        if (!col) {
          throw new BrmstsTypeError(
            `DataFrame: row ${i} has key ${JSON.stringify(k)} that row 0 lacks`,
          );
        }
        col[i] = row[k];
      }
    });
    return new DataFrame(cols, { nrow: rows.length, ...opts });
  }
}

function cell(c: Column, i: number): unknown {
  if (c instanceof Float64Array) return isNA(c, i) ? null : c[i];
  if (c instanceof Int32Array) return isNA(c, i) ? null : c[i];
  if (c instanceof Categorical) return c.at(i);
  if (c instanceof NdArray) {
    const n = c.shape.slice(1).reduce((a, b) => a * b, 1);
    const out: unknown[] = [];
    for (let k = 0; k < n; k++) {
      const idx = [i, ...unravel(k, c.shape.slice(1))];
      const off = c.offset(...idx);
      out.push(c.data instanceof Float64Array && isNA(c.data, off) ? null : c.data[off]);
    }
    return out;
  }
  return c[i] ?? null;
}

function unravel(k: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = k % shape[d];
    k = Math.floor(k / shape[d]);
  }
  return idx;
}
