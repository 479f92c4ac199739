/**
 * DataFrame ⇄ `apache-arrow` Table. Importing this module loads Arrow; the rest of `data/`
 * does not.
 *
 * @module
 */
import {
  Bool,
  DateDay,
  Dictionary,
  Float64,
  Int32,
  makeData,
  makeVector,
  Table,
  TimestampMillisecond,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import type { Categorical } from "./categorical.ts";
import type { DataFrame } from "./frame.ts";
import { NA_INTEGER, naMask } from "./na.ts";
import { fromArrow as fromArrowLike } from "./from_arrow.ts";
import { BrmstsTypeError } from "../errors.ts";

/** Arrow's validity fields for `n` values: a null count, and a bitmap only when some are null. */
function validity(
  isNull: (i: number) => boolean,
  n: number,
): { nullCount: number; nullBitmap: Uint8Array | undefined } {
  const bits = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (isNull(i)) nulls++;
    else bits[i >> 3] |= 1 << (i & 7);
  }
  return { nullCount: nulls, nullBitmap: nulls ? bits : undefined };
}

function doubleVector(x: Float64Array): Vector {
  const mask = naMask(x);
  return makeVector(makeData({
    type: new Float64(),
    length: x.length,
    ...validity((i) => mask[i] === 1, x.length),
    data: x,
  }));
}

function intVector(x: Int32Array): Vector {
  return makeVector(makeData({
    type: new Int32(),
    length: x.length,
    ...validity((i) => x[i] === NA_INTEGER, x.length),
    data: x,
  }));
}

function factorVector(f: Categorical): Vector {
  const valid = validity((i) => f.codes[i] < 0, f.length);
  const codes = valid.nullCount ? f.codes.map((c) => (c < 0 ? 0 : c)) : f.codes;
  return makeVector(makeData({
    type: new Dictionary(new Utf8(), new Int32(), null, f.ordered),
    length: f.length,
    ...valid,
    data: codes,
    dictionary: vectorFromArray([...f.levels], new Utf8()),
  }));
}

/**
 * Converts a {@link DataFrame} to an `apache-arrow` Table with the same column order. Doubles
 * and integers are passed without copying when they hold no NA (NA becomes an Arrow null;
 * `NaN` stays a NaN value), factors become dictionary columns (ordered kept), dates `DateDay`,
 * datetimes `TimestampMillisecond`. Row names are not carried.
 *
 * @throws {TypeError} for matrix or list columns.
 * @example
 * ```ts
 * import { Categorical, DataFrame } from "../mod.ts";
 * const t = dataFrameToArrow(new DataFrame({ x: [1, 2], g: Categorical.from(["a", "b"]) }));
 * t.schema.fields.map(String); // ["x: Float64", "g: Dictionary<Int32, Utf8>"]
 * ```
 */
export function dataFrameToArrow(df: DataFrame): Table {
  const vectors: Record<string, Vector> = Object.create(null);
  for (const [name, c] of df.entries()) {
    const type = df.columnType(name);
    switch (type) {
      case "double":
        vectors[name] = doubleVector(c as Float64Array);
        break;
      case "integer":
        vectors[name] = intVector(c as Int32Array);
        break;
      case "factor":
        vectors[name] = factorVector(c as Categorical);
        break;
      case "logical":
        vectors[name] = vectorFromArray(c as (boolean | null)[], new Bool());
        break;
      case "character":
        vectors[name] = vectorFromArray(c as (string | null)[], new Utf8());
        break;
      case "date":
        vectors[name] = vectorFromArray(c as (Date | null)[], new DateDay());
        break;
      case "datetime":
        vectors[name] = vectorFromArray(c as (Date | null)[], new TimestampMillisecond());
        break;
      default:
        throw new BrmstsTypeError(
          `dataFrameToArrow: column ${JSON.stringify(name)} (${type}) has no Arrow form`,
        );
    }
  }
  if (df.ncol === 0) return new Table();
  return new Table(vectors);
}

/**
 * Converts an `apache-arrow` Table to a {@link DataFrame} (see `fromArrow` in `from_arrow.ts`
 * for the type mapping).
 *
 * @example
 * ```ts
 * import { tableFromArrays } from "apache-arrow";
 * const df = fromArrow(tableFromArrays({ x: new Float64Array([1, 2]) }));
 * df.column("x"); // Float64Array [1, 2]
 * ```
 */
export function fromArrow(table: Table): DataFrame {
  return fromArrowLike(table as unknown as Parameters<typeof fromArrowLike>[0]);
}
