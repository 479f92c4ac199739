/**
 * Arrow Table → DataFrame without loading `apache-arrow` at run time: only the Table's own
 * methods and fields are used, so the codec can accept Tables without paying Arrow's import.
 *
 * @module
 */
import { Categorical } from "./categorical.ts";
import type { ColumnType } from "./column.ts";
import { DataFrame } from "./frame.ts";
import { NA_INTEGER, setNA } from "./na.ts";
import { BrmstsRangeError, BrmstsTypeError } from "../errors.ts";

// Arrow's Type enum (stable across Arrow versions).
const T = {
  Null: 1,
  Int: 2,
  Float: 3,
  Utf8: 5,
  Bool: 6,
  Date: 8,
  Timestamp: 10,
  LargeUtf8: 20,
  Utf8View: 24,
  Dictionary: -1,
};

/**
 * One chunk of an Arrow column, as `apache-arrow`'s `Data`.
 *
 * @example
 * ```ts
 * declare const chunk: DataLike;
 * chunk.values.length;
 * ```
 */
export interface DataLike {
  /**
   * Offset of the chunk's first element in its validity bitmap. apache-arrow slices `values`
   * (fixed-width types) and `valueOffsets` (strings) to the chunk, but not the bitmap.
   */
  offset: number;
  /** Number of elements. */
  length: number;
  /** Number of nulls. */
  nullCount: number;
  /** Validity bits (1 = present), or none when nothing is null. */
  nullBitmap?: Uint8Array | null;
  /** The values (codes for a dictionary column; the UTF-8 bytes of a string column). */
  values: ArrayLike<number | bigint> & ArrayBufferView;
  /** Where each string starts in `values` (string columns: `length + 1` offsets). */
  valueOffsets?: ArrayLike<number | bigint>;
  /** The dictionary of a dictionary column. */
  dictionary?: VectorLike;
}
/**
 * An Arrow data type, as `apache-arrow`'s `DataType`.
 *
 * @example
 * ```ts
 * const t: TypeLike = { typeId: 3, precision: 2 }; // Float64
 * ```
 */
export interface TypeLike {
  /** Arrow's type id. */
  typeId: number;
  /** Bits of an integer type. */
  bitWidth?: number;
  /** Whether an integer type is signed. */
  isSigned?: boolean;
  /** Precision of a floating-point type. */
  precision?: number;
  /** Unit of a date or timestamp type. */
  unit?: number;
  /** Whether a dictionary's order is meaningful (an ordered factor). */
  isOrdered?: boolean;
  /** The value type of a dictionary. */
  dictionary?: TypeLike;
}
/**
 * An Arrow column, as `apache-arrow`'s `Vector`.
 *
 * @example
 * ```ts
 * declare const v: VectorLike;
 * v.get(0);
 * ```
 */
export interface VectorLike {
  /** Number of elements. */
  length: number;
  /** Number of nulls. */
  nullCount: number;
  /** The column's type. */
  type: TypeLike;
  /** Its chunks. */
  data: DataLike[];
  /** Element `i`. */
  get(i: number): unknown;
  /** All elements. */
  toArray(): ArrayLike<unknown>;
}
/**
 * The parts of an `apache-arrow` Table this module reads.
 *
 * @example
 * ```ts
 * import { tableFromArrays } from "apache-arrow";
 * const t = tableFromArrays({ x: new Float64Array(2) }) as unknown as ArrowTableLike;
 * ```
 */
export interface ArrowTableLike {
  /** Number of rows. */
  numRows: number;
  /** Column names and Arrow types. */
  /** Column names and Arrow types. */
  schema: { fields: { name: string; type: TypeLike }[] };
  /** The column called `name`, or null. */
  /** The column called `name`, or null. */
  getChild(name: string): VectorLike | null;
}

/**
 * True for objects shaped like an `apache-arrow` Table.
 *
 * @example
 * ```ts
 * import { tableFromArrays } from "apache-arrow";
 * isArrowTable(tableFromArrays({ x: new Float64Array(2) })); // true
 * ```
 */
export function isArrowTable(x: unknown): x is ArrowTableLike {
  const t = x as ArrowTableLike;
  return typeof x === "object" && x !== null && typeof t.getChild === "function" &&
    typeof t.numRows === "number" && Array.isArray(t.schema?.fields);
}

function valid(d: DataLike, i: number): boolean {
  if (!d.nullCount || !d.nullBitmap || d.nullBitmap.length === 0) return true;
  const k = d.offset + i;
  return (d.nullBitmap[k >> 3] & (1 << (k & 7))) !== 0;
}

function floats(v: VectorLike): Float64Array {
  if (v.data.length === 1 && v.nullCount === 0) {
    const d = v.data[0];
    if (d.values instanceof Float64Array) return d.values.subarray(0, d.length);
  }
  const out = new Float64Array(v.length);
  let base = 0;
  for (const d of v.data) {
    for (let i = 0; i < d.length; i++) {
      if (!valid(d, i)) setNA(out, base + i);
      else {
        const x = d.values[i];
        if (typeof x === "bigint") {
          if (x > 9007199254740991n || x < -9007199254740991n) {
            throw new BrmstsRangeError(`arrow: ${x} is too large for an R double`);
          }
          out[base + i] = Number(x);
        } else out[base + i] = x;
      }
    }
    base += d.length;
  }
  return out;
}

function ints(v: VectorLike, na: number): Int32Array {
  const out = new Int32Array(v.length);
  let base = 0;
  for (const d of v.data) {
    for (let i = 0; i < d.length; i++) {
      out[base + i] = valid(d, i) ? Number(d.values[i]) : na;
    }
    base += d.length;
  }
  return out;
}

// apache-arrow's own decoder drops a leading U+FEFF from each value; this one keeps it.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** A Utf8 / LargeUtf8 column's strings, decoded from its offsets and bytes. */
function strings(v: VectorLike): (string | null)[] {
  if (v.data.some((d) => !d.valueOffsets)) return each(v, String); // e.g. Utf8View
  const out = new Array<string | null>(v.length);
  let base = 0;
  for (const d of v.data) {
    const offs = d.valueOffsets!;
    const bytes = new Uint8Array(d.values.buffer, d.values.byteOffset, d.values.byteLength);
    for (let i = 0; i < d.length; i++) {
      if (!valid(d, i)) {
        out[base + i] = null;
        continue;
      }
      const a = Number(offs[i]), b = Number(offs[i + 1]);
      out[base + i] = a === b ? "" : utf8.decode(bytes.subarray(a, b));
    }
    base += d.length;
  }
  return out;
}

function each<T>(v: VectorLike, f: (x: unknown) => T): (T | null)[] {
  const out = new Array<T | null>(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v.get(i);
    out[i] = x === null || x === undefined ? null : f(x);
  }
  return out;
}

function dictionary(name: string, v: VectorLike): Categorical {
  const vt = v.type.dictionary?.typeId;
  if (vt !== T.Utf8 && vt !== T.LargeUtf8) {
    throw new BrmstsTypeError(
      `arrow: column ${JSON.stringify(name)} is a dictionary of non-strings`,
    );
  }
  const dicts = v.data.map((d) => d.dictionary);
  const levels = dicts[0] ? strings(dicts[0]).map((s) => s ?? "NA") : [];
  const ordered = v.type.isOrdered ?? false;
  if (dicts.every((d) => d === dicts[0])) return new Categorical(levels, ints(v, -1), ordered);
  // Chunks with their own dictionaries: each code read through its chunk's decoded dictionary.
  const labels: (string | null)[] = [];
  for (const d of v.data) {
    const dict = d.dictionary ? strings(d.dictionary) : [];
    for (let i = 0; i < d.length; i++) {
      labels.push(valid(d, i) ? dict[Number(d.values[i])] ?? null : null);
    }
  }
  const all = [...new Set([...levels, ...labels.filter((s): s is string => s !== null)])];
  return Categorical.from(labels, { levels: all, ordered });
}

function convert(name: string, v: VectorLike): { col: unknown; type: ColumnType } {
  const t = v.type;
  switch (t.typeId) {
    case T.Float:
      return { col: floats(v), type: "double" };
    case T.Int:
      if ((t.bitWidth ?? 64) <= 16 || (t.bitWidth === 32 && t.isSigned)) {
        return { col: ints(v, NA_INTEGER), type: "integer" };
      }
      return { col: floats(v), type: "double" };
    case T.Bool:
      return { col: each(v, Boolean), type: "logical" };
    case T.Utf8:
    case T.LargeUtf8:
    case T.Utf8View:
      return { col: strings(v), type: "character" };
    case T.Dictionary:
      return { col: dictionary(name, v), type: "factor" };
    case T.Date:
      return { col: each(v, (x) => new Date(Number(x))), type: "date" };
    case T.Timestamp: {
      const scale = [1000, 1, 1e-3, 1e-6][t.unit ?? 1];
      return { col: each(v, (x) => new Date(Math.round(Number(x) * scale))), type: "datetime" };
    }
    case T.Null:
      return { col: new Array(v.length).fill(null), type: "logical" };
  }
  throw new BrmstsTypeError(
    `arrow: column ${JSON.stringify(name)} has Arrow type ${String(t)} with no R column form`,
  );
}

/**
 * Converts an `apache-arrow` Table to a {@link DataFrame}, keeping column order. Float and
 * 64-bit/unsigned 32-bit integer columns become doubles, smaller integers integers, dictionary
 * columns of strings factors, Date/Timestamp columns dates/datetimes; nulls become NA.
 *
 * @throws {TypeError} for column types with no R form (lists, structs, binary …).
 * @throws {RangeError} for 64-bit integers beyond ±2^53.
 * @example
 * ```ts
 * import { tableFromArrays } from "apache-arrow";
 * const table = tableFromArrays({ x: new Float64Array([1, 2]) }) as unknown as ArrowTableLike;
 * const df = fromArrow(table);
 * ```
 */
export function fromArrow(table: ArrowTableLike): DataFrame {
  const cols: Record<string, unknown> = Object.create(null);
  const types: Record<string, ColumnType> = Object.create(null);
  for (const f of table.schema.fields) {
    const v = table.getChild(f.name);
    if (!v) continue;
    if (f.name in cols) {
      throw new BrmstsTypeError(`arrow: duplicated column name ${JSON.stringify(f.name)}`);
    }
    const { col, type } = convert(f.name, v);
    cols[f.name] = col;
    types[f.name] = type;
  }
  return new DataFrame(cols, { types, nrow: table.numRows });
}
