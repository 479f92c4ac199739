/**
 * `toDataFrame()`: every accepted input form to one {@link DataFrame}.
 *
 * @module
 */
import { DataFrame, type DataFrameOptions } from "./frame.ts";
import { fromArrow, isArrowTable } from "./from_arrow.ts";
import { BrmstsTypeError } from "../errors.ts";

/**
 * What {@link toDataFrame} accepts: a DataFrame, an object of columns, an array of row objects
 * or an `apache-arrow` Table.
 *
 * @example
 * ```ts
 * const input: DataFrameInput = [{ y: 1 }, { y: 2 }];
 * ```
 */
export type DataFrameInput =
  | DataFrame
  | Record<string, unknown>
  | readonly Record<string, unknown>[]
  | { readonly numRows: number; getChild(name: string): unknown };

/**
 * Normalises user data to a {@link DataFrame}, validating it before anything is sent to R.
 *
 * - a DataFrame is returned as is;
 * - an object of columns: each column an array or typed array, all of one length;
 * - an array of row objects: the first row's keys are the columns, every row has the same keys;
 * - an `apache-arrow` Table: converted column by column (see `fromArrow`).
 *
 * @throws {TypeError} for ragged columns, mixed-type columns, rows with different keys, values
 * with no column form (objects, functions …) or any other input.
 * @example
 * ```ts
 * toDataFrame({ y: [1, 2, 3], g: ["a", "b", "a"] }).nrow; // 3
 * toDataFrame([{ y: 1, g: "a" }, { y: 2, g: "b" }]).names; // ["y", "g"]
 * ```
 */
export function toDataFrame(input: DataFrameInput, opts: DataFrameOptions = {}): DataFrame {
  if (input instanceof DataFrame) return input;
  if (isArrowTable(input)) return fromArrow(input);
  if (Array.isArray(input)) return DataFrame.fromRecords(input, opts);
  if (input !== null && typeof input === "object") {
    const proto = Object.getPrototypeOf(input);
    if (proto === Object.prototype || proto === null) {
      return new DataFrame(input as Record<string, unknown>, opts);
    }
  }
  const what = input === null ? "null" : (input as object)?.constructor?.name ?? typeof input;
  throw new BrmstsTypeError(
    `toDataFrame: expected a DataFrame, an object of columns, an array of row objects or an Arrow Table, got ${what}`,
  );
}
