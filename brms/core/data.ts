/**
 * The `data` argument of brms functions: R objects pass unchanged, JS data becomes a
 * {@link DataFrame} (which the worker's codec turns into a real `data.frame`).
 *
 * @module
 */
import { RCode, RObject } from "../../worker/mod.ts";
import { type DataFrameInput, toDataFrame } from "../../data/mod.ts";

/**
 * Turns a user's `data` argument into a `callR` argument: an `RObject` (e.g. a data frame made
 * in R) or an `rCode(...)` marker is passed as is; a DataFrame, an object of columns, an array
 * of row objects or an Arrow Table goes through `toDataFrame()` (validated before anything is
 * sent).
 *
 * @example
 * ```ts
 * import { rCode } from "../../worker/mod.ts";
 * dataArg(rCode("brms::epilepsy")); // the marker itself
 * dataArg({ y: [1, 2, 3], g: ["a", "b", "a"] }); // a DataFrame
 * ```
 */
export function dataArg(d: unknown): unknown {
  if (d instanceof RObject || d instanceof RCode) return d;
  return toDataFrame(d as DataFrameInput);
}
