/**
 * Main side: the wire form plus its byte region to JS values. Numeric data becomes typed-array
 * views on the region (no copy, no per-element work); see `docs/types.md` for the
 * mapping.
 *
 * @module
 */
import { Categorical } from "../../data/categorical.ts";
import type { ColumnType } from "../../data/column.ts";
import { DataFrame } from "../../data/frame.ts";
import { NA_INTEGER, NA_REAL_HIGH_WORD, NA_REAL_LOW_WORD } from "../../data/na.ts";
import { NdArray } from "../../data/ndarray.ts";
import {
  doubleBits,
  unwireDouble,
  type Wire,
  type WireAttrs,
  type WireStr,
} from "../wire/format.ts";
import { BrmstsTypeError } from "../../errors.ts";

/**
 * Builds RObject handles for `handle` leaves.
 *
 * @example
 * ```ts
 * const make: HandleFactory = (h) => ({ id: h.id });
 * ```
 */
export type HandleFactory = (w: Extract<Wire, { t: "handle" }>) => unknown;

/**
 * What decoding needs: the message region and a handle factory; counts escaping views.
 *
 * @example
 * ```ts
 * const ctx: DecodeContext = { region: null, handle: () => null, views: 0 };
 * ```
 */
export interface DecodeContext {
  /** The message's byte region (null when the message has none). */
  region: ArrayBuffer | null;
  handle: HandleFactory;
  /** Incremented for every typed array handed out that views the region. */
  views: number;
}

type Atomic = Extract<Wire, { t: "dbl" | "int" | "lgl" | "str" }>;
// ignoreBOM: a value that begins with U+FEFF keeps it (the default decoder drops it as a BOM).
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

const EMPTY = new ArrayBuffer(0);

function region(ctx: DecodeContext): ArrayBuffer {
  return ctx.region ?? EMPTY;
}

function classes(w: Wire): string[] {
  const c = "a" in w ? w.a?.class : undefined;
  return c && c.t === "str" ? (c.v ?? []).map((x) => x ?? "NA") : [];
}

/** Doubles of a leaf: a view on the region, or a fresh array for inline data. */
function doublesOf(w: Extract<Wire, { t: "dbl" }>, ctx: DecodeContext): Float64Array {
  if (w.v) {
    const out = new Float64Array(w.v.length), u = new Uint32Array(out.buffer);
    w.v.forEach((x, i) => {
      if (typeof x === "string" && x[0] === "x") {
        [u[2 * i], u[2 * i + 1]] = doubleBits(x as `x${string}`);
        return;
      }
      const d = unwireDouble(x);
      if (d === null) (u[2 * i] = NA_REAL_LOW_WORD, u[2 * i + 1] = NA_REAL_HIGH_WORD);
      else out[i] = d;
    });
    return out;
  }
  if (!w.n) return new Float64Array(0);
  ctx.views++;
  return new Float64Array(region(ctx), w.o ?? 0, w.n);
}

/** Int32 data of an int/lgl leaf (`escape`: the caller hands the view out). */
function intsOf(
  w: Extract<Wire, { t: "int" | "lgl" }>,
  ctx: DecodeContext,
  escape: boolean,
): Int32Array {
  if (w.v) {
    return Int32Array.from(
      w.v as (number | boolean | null)[],
      (x) => x === null ? NA_INTEGER : Number(x),
    );
  }
  if (!w.n) return new Int32Array(0);
  if (escape) ctx.views++;
  return new Int32Array(region(ctx), w.o ?? 0, w.n);
}

function logicalsOf(w: Extract<Wire, { t: "lgl" }>, ctx: DecodeContext): (boolean | null)[] {
  if (w.v) return w.v;
  const d = intsOf(w, ctx, false);
  const out = new Array<boolean | null>(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i] === NA_INTEGER ? null : d[i] !== 0;
  return out;
}

/**
 * Strings of a leaf (inline, dictionary + codes, or UTF-8 bytes + offsets).
 *
 * @example
 * ```ts
 * declare const ctx: DecodeContext;
 * stringsOf({ t: "str", v: ["a", null] }, ctx); // ["a", null]
 * ```
 */
export function stringsOf(w: WireStr, ctx: DecodeContext): (string | null)[] {
  if (w.v) return w.v;
  const r = region(ctx);
  if (w.d) {
    const dict = stringsOf(w.d, ctx);
    const codes = new Int32Array(r, w.o ?? 0, w.n ?? 0);
    const out = new Array<string | null>(codes.length);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      out[i] = c === NA_INTEGER ? null : dict[c - 1] ?? null;
    }
    return out;
  }
  const n = w.n ?? 0;
  const offs = new Int32Array(r, w.f ?? 0, n + 1);
  const bytes = new Uint8Array(r, w.b ?? 0, n > 0 ? offs[n] : 0);
  const mask = w.m === undefined ? null : new Uint8Array(r, w.m, n);
  const out = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    out[i] = i === w.na || mask?.[i]
      ? null
      : offs[i] === offs[i + 1]
      ? ""
      : utf8.decode(bytes.subarray(offs[i], offs[i + 1]));
  }
  return out;
}

function dates(w: Atomic, ctx: DecodeContext, days: boolean): (Date | null)[] {
  const d = doublesOf(w as Extract<Wire, { t: "dbl" }>, ctx);
  if (!w.v && w.n) ctx.views--; // read here, not handed out
  const scale = days ? 86400000 : 1000;
  return Array.from(d, (x) => (Number.isFinite(x) ? new Date(Math.round(x * scale)) : null));
}

function factor(w: Atomic, ctx: DecodeContext): Categorical {
  const lv = w.a?.levels;
  const levels = lv && lv.t === "str" ? stringsOf(lv, ctx).map((s) => s ?? "NA") : [];
  const ordered = classes(w).includes("ordered");
  let codes = intsOf(w as Extract<Wire, { t: "int" }>, ctx, true);
  if (!(w as { z?: 1 }).z) codes = codes.map((c) => (c === NA_INTEGER ? -1 : c - 1));
  return new Categorical(levels, codes, ordered);
}

/** The column form of an atomic leaf: typed arrays for numbers, arrays otherwise. */
function vectorOf(w: Atomic, ctx: DecodeContext): { value: unknown; type: ColumnType } {
  const cls = classes(w);
  if (w.t === "int" && (cls.includes("factor") || (w as { z?: 1 }).z)) {
    return { value: factor(w, ctx), type: "factor" };
  }
  if (w.t === "dbl" && cls.includes("Date")) return { value: dates(w, ctx, true), type: "date" };
  if (w.t === "dbl" && cls.includes("POSIXct")) {
    return { value: dates(w, ctx, false), type: "datetime" };
  }
  switch (w.t) {
    case "dbl":
      return { value: doublesOf(w, ctx), type: "double" };
    case "int":
      return { value: intsOf(w, ctx, true), type: "integer" };
    case "lgl":
      return { value: logicalsOf(w, ctx), type: "logical" };
    default:
      return { value: stringsOf(w, ctx), type: "character" };
  }
}

function dimsOf(a: WireAttrs | undefined, ctx: DecodeContext): number[] | null {
  const d = a?.dim;
  if (!d || (d.t !== "int" && d.t !== "dbl")) return null;
  return Array.from(d.t === "int" ? intsOf(d, ctx, false) : doublesOf(d, ctx), Number);
}

function ndarray(w: Atomic, dims: number[], ctx: DecodeContext): NdArray {
  const { value } = vectorOf(w, ctx);
  const dn = w.a?.dimnames;
  const dimnames = dn && dn.t === "list"
    ? dn.v.map((x) => (x.t === "str" ? stringsOf(x, ctx).map((s) => s ?? "NA") : null))
    : null;
  const order = w.co || dims.length < 2 ? "C" : "F";
  return new NdArray(value as Float64Array, dims, { dimnames, order });
}

function frame(w: Extract<Wire, { t: "list" }>, ctx: DecodeContext): DataFrame {
  const a = w.a ?? {};
  const names = a.names && a.names.t === "str" ? stringsOf(a.names, ctx) : [];
  const cols: Record<string, unknown> = Object.create(null);
  const types: Record<string, ColumnType> = Object.create(null);
  w.v.forEach((c, i) => {
    let name = names[i] ?? `V${i + 1}`;
    while (name in cols) name += "_";
    if (c.t === "dbl" || c.t === "int" || c.t === "lgl" || c.t === "str") {
      const dims = dimsOf(c.a, ctx);
      if (dims && dims.length >= 2) {
        cols[name] = ndarray(c, dims, ctx);
        types[name] = "matrix";
      } else {
        const { value, type } = vectorOf(c, ctx);
        cols[name] = value;
        types[name] = type;
      }
    } else {
      cols[name] = c.t === "list" ? c.v.map((x) => decode(x, ctx)) : decode(c, ctx);
      types[name] = "list";
    }
  });
  const rn = a["row.names"];
  let nrow = 0, rowNames: string[] | null = null;
  if (rn && rn.t === "int") {
    const v = intsOf(rn, ctx, false);
    if (v.length === 2 && v[0] === NA_INTEGER) nrow = Math.abs(v[1]);
    else (nrow = v.length, rowNames = Array.from(v, String));
  } else if (rn && rn.t === "str") {
    rowNames = stringsOf(rn, ctx).map((s) => s ?? "NA");
    nrow = rowNames.length;
  }
  return new DataFrame(cols, { types, rowNames: rowNames?.length ? rowNames : null, nrow });
}

function scalar(w: Atomic, ctx: DecodeContext): unknown {
  if (w.t === "dbl") {
    if (w.v) return unwireDouble(w.v[0]);
    const u = new Uint32Array(region(ctx), w.o ?? 0, 2);
    if (u[0] === NA_REAL_LOW_WORD && (u[1] & 0x7ff00000) === 0x7ff00000) return null;
    return new Float64Array(region(ctx), w.o ?? 0, 1)[0];
  }
  if (w.t === "int") {
    const v = intsOf(w, ctx, false)[0];
    return v === NA_INTEGER ? null : v;
  }
  if (w.t === "lgl") return logicalsOf(w, ctx)[0];
  return stringsOf(w, ctx)[0];
}

/**
 * Converts a wire value to JS (see `docs/types.md`): a length-one plain vector becomes a
 * scalar (NA → null), longer ones typed arrays (double, integer) or arrays (logical,
 * character); factors Categorical, Date/POSIXct Date, arrays with `dim` NdArray, data frames
 * DataFrame, named vectors and lists objects, unnamed lists arrays.
 *
 * @example
 * ```ts
 * decode({ t: "dbl", v: [1, "NA"] }, { region: null, handle: () => null, views: 0 });
 * // Float64Array [1, NA]
 * ```
 */
export function decode(w: Wire, ctx: DecodeContext): unknown {
  switch (w.t) {
    case "null":
      return null;
    case "handle":
      return ctx.handle(w);
    case "code":
      throw new BrmstsTypeError("R code leaves only travel to the worker");
    case "list": {
      if (classes(w).includes("data.frame")) return frame(w, ctx);
      const items = w.v.map((x) => decode(x, ctx));
      const nm = w.a?.names;
      if (!nm || nm.t !== "str") return items;
      const keys = stringsOf(nm, ctx);
      return Object.fromEntries(keys.map((k, i) => [k ?? "NA", items[i]]));
    }
  }
  const dims = dimsOf(w.a, ctx);
  const cls = classes(w);
  if (dims && !cls.includes("factor")) return ndarray(w, dims, ctx);
  const nm = w.a?.names;
  const n = w.n ?? w.v?.length ?? 0;
  if (nm && nm.t === "str") {
    const keys = stringsOf(nm, ctx);
    const { value } = vectorOf(w, ctx);
    // The values are read out below; the view itself is not handed out.
    const view = value instanceof Categorical ? value.codes : value;
    if (ArrayBuffer.isView(view) && view.byteLength > 0 && view.buffer === ctx.region) ctx.views--;
    const vals = value instanceof Categorical ? value.values() : value as ArrayLike<unknown>;
    return Object.fromEntries(keys.map((k, i) => [k ?? "NA", element(vals, i)]));
  }
  const special = cls.some((c) => c === "factor" || c === "Date" || c === "POSIXct");
  if (n === 1 && !special) return scalar(w, ctx);
  const { value } = vectorOf(w, ctx);
  if (n === 1 && !(value instanceof Categorical)) return (value as unknown[])[0];
  return value;
}

function element(vals: ArrayLike<unknown>, i: number): unknown {
  if (vals instanceof Float64Array) {
    const u = new Uint32Array(vals.buffer, vals.byteOffset + 8 * i, 2);
    return u[0] === NA_REAL_LOW_WORD && (u[1] & 0x7ff00000) === 0x7ff00000 ? null : vals[i];
  }
  if (vals instanceof Int32Array) return vals[i] === NA_INTEGER ? null : vals[i];
  return vals[i];
}
