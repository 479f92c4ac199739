/**
 * Column types of a {@link DataFrame} and the validation that turns user input into them.
 *
 * @module
 */
import { Categorical } from "./categorical.ts";
import { NdArray } from "./ndarray.ts";
import { doubles, NA_INTEGER } from "./na.ts";
import { BrmstsRangeError, BrmstsTypeError } from "../errors.ts";

/**
 * The R type of a column:
 * `double` (Float64Array), `integer` (Int32Array), `logical` ((boolean | null)[]),
 * `character` ((string | null)[]), `factor` ({@link Categorical}), `date` (R `Date`) and
 * `datetime` (R `POSIXct`) as (Date | null)[], `matrix` ({@link NdArray} with one row per
 * frame row) and `list` (unknown[], R list columns).
 *
 * @example
 * ```ts
 * import { type DataFrame } from "../mod.ts";
 * declare const df: DataFrame;
 * const t: ColumnType = df.columnType("x"); // "double"
 * ```
 */
export type ColumnType =
  | "double"
  | "integer"
  | "logical"
  | "character"
  | "factor"
  | "date"
  | "datetime"
  | "matrix"
  | "list";

/**
 * A column as stored in a {@link DataFrame}.
 *
 * @example
 * ```ts
 * import { type DataFrame } from "../mod.ts";
 * declare const df: DataFrame;
 * const c: Column = df.column("x");
 * ```
 */
export type Column =
  | Float64Array
  | Int32Array
  | Categorical
  | NdArray
  | (boolean | null)[]
  | (string | null)[]
  | (Date | null)[]
  | unknown[];

const DAY_MS = 86400000;

/**
 * Number of rows a column holds.
 *
 * @example
 * ```ts
 * columnLength(new Float64Array(3)); // 3
 * ```
 */
export function columnLength(c: Column): number {
  return c instanceof NdArray ? c.shape[0] ?? 0 : c.length;
}

function kindOf(v: unknown): string {
  if (v instanceof Date) return "Date";
  if (Array.isArray(v)) return "array";
  return v === null ? "null" : typeof v;
}

/**
 * True when every non-missing Date is at UTC midnight.
 *
 * @example
 * ```ts
 * wholeDays([new Date("2024-01-01")]); // true
 * ```
 */
export function wholeDays(values: readonly (Date | null | undefined)[]): boolean {
  for (const d of values) if (d && d.getTime() % DAY_MS !== 0) return false;
  return true;
}

/**
 * Validates and normalises one column: typed arrays are kept (Float32/Uint32 → double and
 * small integer arrays → integer are converted), number arrays become Float64Array with NA for
 * `null`/`undefined`, other arrays must hold one kind of value.
 *
 * @throws {TypeError} for mixed kinds or values with no column form.
 * @example
 * ```ts
 * normalizeColumn("x", [1, null, 3]); // { column: Float64Array [1, NA, 3], type: "double" }
 * ```
 */
export function normalizeColumn(
  name: string,
  input: unknown,
  type?: ColumnType,
): { column: Column; type: ColumnType } {
  const where = `column ${JSON.stringify(name)}`;
  if (input instanceof Float64Array) return { column: input, type: "double" };
  if (input instanceof Int32Array) return { column: input, type: "integer" };
  if (input instanceof Categorical) return { column: input.validate(), type: "factor" };
  if (input instanceof NdArray) return { column: input, type: "matrix" };
  if (input instanceof Float32Array || input instanceof Uint32Array) {
    return { column: new Float64Array(input), type: "double" };
  }
  if (
    input instanceof Int16Array || input instanceof Int8Array || input instanceof Uint8Array ||
    input instanceof Uint16Array || input instanceof Uint8ClampedArray
  ) {
    return { column: new Int32Array(input), type: "integer" };
  }
  if (input instanceof BigInt64Array || input instanceof BigUint64Array) {
    const out = new Float64Array(input.length);
    input.forEach((v, i) => {
      if (v > 9007199254740991n || v < -9007199254740991n) {
        throw new BrmstsRangeError(`${where}: ${v} at row ${i} is too large for an R double`);
      }
      out[i] = Number(v);
    });
    return { column: out, type: "double" };
  }
  if (!Array.isArray(input)) {
    throw new BrmstsTypeError(`${where}: a ${kindOf(input)} is not a column (use an array)`);
  }
  if (type === "list") return { column: input, type };
  let kind: string | undefined;
  for (let i = 0; i < input.length; i++) {
    const v = input[i];
    if (v === null || v === undefined) continue;
    const k = kindOf(v);
    if (k !== "number" && k !== "string" && k !== "boolean" && k !== "Date") {
      throw new BrmstsTypeError(
        `${where}: row ${i} is a ${k}; columns hold numbers, strings, booleans or Dates`,
      );
    }
    if (kind === undefined) kind = k;
    else if (k !== kind) {
      throw new BrmstsTypeError(
        `${where}: row ${i} is a ${k} but earlier rows are ${kind}s (mixed types)`,
      );
    }
  }
  switch (kind) {
    case "number":
      if (type === "integer") return { column: intColumn(where, input as number[]), type };
      return { column: doubles(input as (number | null)[]), type: "double" };
    case "string":
      return { column: input.map((v) => v ?? null) as (string | null)[], type: "character" };
    case "Date": {
      const col = input.map((v) => v ?? null) as (Date | null)[];
      if (type === "date" || type === "datetime") return { column: col, type };
      return { column: col, type: wholeDays(col) ? "date" : "datetime" };
    }
    case "boolean":
    default:
      return { column: input.map((v) => v ?? null) as (boolean | null)[], type: "logical" };
  }
}

function intColumn(where: string, values: (number | null)[]): Int32Array {
  const out = new Int32Array(values.length);
  values.forEach((v, i) => {
    if (v === null || v === undefined) out[i] = NA_INTEGER;
    else if (!Number.isInteger(v) || Math.abs(v) > 2147483647) {
      throw new BrmstsRangeError(`${where}: ${v} at row ${i} is not an R integer`);
    } else out[i] = v;
  });
  return out;
}
