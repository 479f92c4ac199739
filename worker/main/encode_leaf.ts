/**
 * Main side: vector leaves of the region encoder. Each method validates its input, reserves
 * space in the region and queues one copy job; nothing is written until the request is sent.
 * Numeric typed arrays are copied as bytes (bit-exact, one copy).
 *
 * @module
 */
import type { Categorical } from "../../data/categorical.ts";
import type { NdArray } from "../../data/ndarray.ts";
import { NA_INTEGER, NA_REAL_HIGH_WORD, NA_REAL_LOW_WORD } from "../../data/na.ts";
import { RegionLayout } from "../wire/region.ts";
import type { Wire, WireAttrs, WireStr } from "../wire/format.ts";
import { BrmstsRangeError, BrmstsTypeError } from "../../errors.ts";

/**
 * Writes into the request's region (an ArrayBuffer of exactly the region's size).
 *
 * @example
 * ```ts
 * const job: Job = (r) => new Float64Array(r, 0, 1).set([1]);
 * ```
 */
export type Job = (region: ArrayBuffer) => void;

const DAY_MS = 86400000;
const INLINE_STRINGS = 256;
const utf8 = new TextEncoder();

function str(v: (string | null)[]): WireStr {
  return { t: "str", v };
}

/**
 * Throws a TypeError for strings R cannot hold.
 *
 * @example
 * ```ts
 * checkString("a\0b", "x"); // TypeError
 * ```
 */
export function checkString(s: string, path: string): string {
  if (s.includes("\0")) {
    throw new BrmstsTypeError(`${path}: R strings cannot contain NUL characters ("\\0")`);
  }
  if (!wellFormed(s)) {
    const at = s.search(LONE_SURROGATE);
    const code = s.charCodeAt(at).toString(16).padStart(4, "0");
    throw new BrmstsTypeError(
      `${path}: the string has a lone surrogate (\\u${code} at index ${at}), which is not ` +
        `Unicode text and has no UTF-8 form; R would get U+FFFD instead. Fix the data (or ` +
        `replace it with s.toWellFormed()) before sending it`,
    );
  }
  return s;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `s` has no lone surrogate (String.prototype.isWellFormed where it exists). */
function wellFormed(s: string): boolean {
  const f = (s as { isWellFormed?: () => boolean }).isWellFormed;
  return f ? f.call(s) : !LONE_SURROGATE.test(s);
}

/**
 * Reserves region space and collects copy jobs for one request.
 *
 * @example
 * ```ts
 * const L = new LeafEncoder();
 * L.f64(new Float64Array([1, 2])); // { t: "dbl", n: 2, o: 0 }
 * ```
 */
export class LeafEncoder {
  readonly layout = new RegionLayout();
  readonly jobs: Job[] = [];

  #bytes(src: ArrayBufferView, bytes: number): number {
    const o = this.layout.alloc(bytes);
    if (bytes > 0) {
      const from = new Uint8Array(src.buffer, src.byteOffset, bytes);
      this.jobs.push((r) => new Uint8Array(r, o, bytes).set(from));
    }
    return o;
  }

  /** A Float64Array, copied bit-exactly. */
  f64(x: Float64Array, a?: WireAttrs, co?: 1): Wire {
    return withA({ t: "dbl", n: x.length, o: this.#bytes(x, x.length * 8), co }, a);
  }

  /** An Int32Array (NA_INTEGER is NA). */
  i32(x: Int32Array, a?: WireAttrs, co?: 1): Wire {
    return withA({ t: "int", n: x.length, o: this.#bytes(x, x.length * 4), co }, a);
  }

  /** Numbers converted to doubles by a typed-array set (Float32Array, Uint32Array …). */
  f64Convert(x: ArrayLike<number> & ArrayBufferView, a?: WireAttrs): Wire {
    const n = x.length, o = this.layout.alloc(n * 8);
    this.jobs.push((r) => new Float64Array(r, o, n).set(x as unknown as ArrayLike<number>));
    return withA({ t: "dbl", n, o }, a);
  }

  /** Small integer typed arrays widened to int32. */
  i32Convert(x: ArrayLike<number> & ArrayBufferView, a?: WireAttrs): Wire {
    const n = x.length, o = this.layout.alloc(n * 4);
    this.jobs.push((r) => new Int32Array(r, o, n).set(x as unknown as ArrayLike<number>));
    return withA({ t: "int", n, o }, a);
  }

  /** JS numbers (`null`/`undefined` → NA_real_, written as bits). */
  numbers(x: ArrayLike<number | null | undefined>, a?: WireAttrs, scale = 1): Wire {
    const n = x.length, o = this.layout.alloc(n * 8);
    this.jobs.push((r) => {
      const f = new Float64Array(r, o, n), w = new Uint32Array(r, o, 2 * n);
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v === null || v === undefined || (scale !== 1 && Number.isNaN(v))) {
          w[2 * i] = NA_REAL_LOW_WORD;
          w[2 * i + 1] = NA_REAL_HIGH_WORD;
        } else f[i] = scale === 1 ? v : v / scale;
      }
    });
    return withA({ t: "dbl", n, o }, a);
  }

  /** BigInt64Array/BigUint64Array as doubles; values beyond ±2^53 are refused. */
  bigints(x: BigInt64Array | BigUint64Array, path: string): Wire {
    for (let i = 0; i < x.length; i++) {
      if (x[i] > 9007199254740991n || x[i] < -9007199254740991n) {
        throw new BrmstsRangeError(`${path}[${i}]: ${x[i]} is too large for an R double (±2^53)`);
      }
    }
    return this.numbers(Array.from(x, Number));
  }

  /** Booleans (`null`/`undefined` → NA). */
  logicals(x: ArrayLike<boolean | null | undefined>, a?: WireAttrs, co?: 1): Wire {
    const n = x.length, o = this.layout.alloc(n * 4);
    this.jobs.push((r) => {
      const d = new Int32Array(r, o, n);
      for (let i = 0; i < n; i++) {
        const v = x[i];
        d[i] = v === null || v === undefined ? NA_INTEGER : v ? 1 : 0;
      }
    });
    return withA({ t: "lgl", n, o, co }, a);
  }

  /** Dates: R `Date` (days) when every value is at UTC midnight or `asDate`, else POSIXct. */
  dates(
    x: readonly (Date | null | undefined)[],
    kind?: "date" | "datetime",
    a: WireAttrs = {},
  ): Wire {
    const ms = x.map((d) => (d instanceof Date ? d.getTime() : null));
    const asDate = kind ? kind === "date" : ms.every((m) => m === null || m % DAY_MS === 0);
    const attrs: WireAttrs = asDate
      ? { ...a, class: str(["Date"]) }
      : { ...a, class: str(["POSIXct", "POSIXt"]), tzone: str(["UTC"]) };
    return this.numbers(ms, attrs, asDate ? DAY_MS : 1000);
  }

  /**
   * Strings: inline when short, else every value as NUL-terminated UTF-8 in the region. R splits
   * them with `readBin` in C; its string cache dedupes repeated values, which measured faster
   * than dictionary-encoding in JS for both repeated and distinct values.
   */
  strings(x: ArrayLike<string | null | undefined>, path: string, a?: WireAttrs, co?: 1): Wire {
    const n = x.length;
    if (n > INLINE_STRINGS) {
      const leaf = this.#utf8z(x, path); // its byte count is filled in when written: no copies
      if (co) leaf.co = co;
      return withA(leaf, a);
    }
    const v = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const s = x[i];
      if (s !== null && s !== undefined && typeof s !== "string") {
        throw new BrmstsTypeError(`${path}[${i}]: not a string`);
      }
      v[i] = s === null || s === undefined ? null : checkString(s, `${path}[${i}]`);
    }
    return withA({ t: "str", n, v, co }, a);
  }

  /**
   * Every string as NUL-terminated UTF-8 plus an NA mask. The strings are joined once and
   * encoded with a single `encodeInto` straight into the region (no per-string JS work beyond
   * a type check).
   */
  #utf8z(x: ArrayLike<string | null | undefined>, path: string): WireStr {
    const n = x.length;
    let nas = 0;
    for (let i = 0; i < n; i++) {
      const s = x[i];
      if (s === null || s === undefined) nas++;
      else if (typeof s !== "string") throw new BrmstsTypeError(`${path}[${i}]: not a string`);
    }
    const joined = Array.prototype.join.call(x, "\0"); // null/undefined join as ""
    let seps = 0;
    for (let p = joined.indexOf("\0"); p >= 0; p = joined.indexOf("\0", p + 1)) seps++;
    if (seps !== n - 1 || !wellFormed(joined)) {
      for (let i = 0; i < n; i++) if (typeof x[i] === "string") checkString(x[i]!, `${path}[${i}]`);
    }
    const bound = 3 * joined.length + 1; // a UTF-16 unit is at most 3 UTF-8 bytes
    if (bound > 2147483647) throw new BrmstsRangeError(`${path}: over 2 GiB of text`);
    const b = this.layout.alloc(bound);
    const m = nas ? this.layout.alloc(n) : undefined;
    const leaf: WireStr = { t: "str", n, b, zb: 0, ...(m === undefined ? {} : { m }) };
    this.jobs.push((r) => {
      const out = new Uint8Array(r, b, bound);
      const written = utf8.encodeInto(joined, out).written;
      out[written] = 0;
      leaf.zb = written + 1;
      if (m !== undefined) {
        const mask = new Uint8Array(r, m, n); // segments are reused: write every byte
        for (let i = 0; i < n; i++) mask[i] = x[i] === null || x[i] === undefined ? 1 : 0;
      }
    });
    return leaf;
  }

  /** A factor: 0-based codes copied as bytes (the worker shifts them to R's 1-based codes). */
  factor(c: Categorical, a: WireAttrs = {}): Wire {
    c.validate();
    const levels = this.strings(c.levels, "levels") as WireStr;
    const cls = c.ordered ? ["ordered", "factor"] : ["factor"];
    const w = this.i32(c.codes, { ...a, levels, class: str(cls) });
    return { ...w, z: 1 } as Wire;
  }

  /** An n-d array: data copied as is; a C-order array is marked for transposition in R. */
  ndarray(x: NdArray, path: string): Wire {
    if (x.shape.some((d) => d > 2147483647)) {
      throw new BrmstsRangeError(`${path}: dim too large for R`);
    }
    const a: WireAttrs = { dim: { t: "int", v: [...x.shape] } };
    if (x.dimnames) {
      a.dimnames = {
        t: "list",
        v: x.dimnames.map((
          d,
          i,
        ) => (d ? this.strings(d, `${path}.dimnames[${i}]`) : { t: "null" })),
      };
    }
    const co = x.order === "C" && x.shape.length > 1 ? 1 : undefined;
    const d = x.data;
    if (d instanceof Float64Array) return this.f64(d, a, co);
    if (d instanceof Int32Array) return this.i32(d, a, co);
    const kinds = new Set<string>();
    for (const v of d) if (v !== null && v !== undefined) kinds.add(typeof v);
    if (kinds.size === 0 || (kinds.size === 1 && kinds.has("boolean"))) {
      return this.logicals(d as (boolean | null)[], a, co);
    }
    if (kinds.size === 1 && kinds.has("string")) {
      return this.strings(d as (string | null)[], path, a, co);
    }
    throw new BrmstsTypeError(`${path}: NdArray data mixes types`);
  }
}

function withA<W extends Wire>(w: W, a: WireAttrs | undefined): W {
  const out = w as W & { a?: WireAttrs; co?: 1 };
  if (a) out.a = a;
  if (out.co === undefined) delete out.co;
  return out;
}
