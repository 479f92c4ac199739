/**
 * The wire form of R values: a JSON tree (the control message) whose leaves point into one
 * byte region per message (the bulk data). The region travels through shared memory, or inline
 * as base64 when it is tiny; leaves carry only metadata: type, length, byte offset (64-byte
 * aligned), order. Small string vectors and values built by {@link wireInline} keep their data
 * inline (`v`).
 *
 * Leaf data in the region:
 * - `dbl`: float64 little-endian, bit-exact (NA_real_, NaN, ±Inf, -0 survive);
 * - `int`, `lgl`: int32 (NA = -2147483648); `z: 1` marks 0-based factor codes (-1 = NA);
 * - `str`: either a dictionary `d` (itself a `str` leaf) plus int32 1-based codes at `o`, or
 *   UTF-8 bytes at `b`: with `n + 1` int32 offsets at `f` (worker → main; entry `na` is NA), or
 *   `zb` bytes of NUL-terminated strings (main → worker; the byte mask at `m` marks NAs);
 * - `co: 1`: the data is in C (row-major) order for the dims in `a.dim`; otherwise R's order.
 *
 * @module
 */
import { BrmstsTypeError } from "../../errors.ts";

/**
 * A double inside an inline leaf: a number, or one of the strings that JSON cannot carry.
 *
 * @example
 * ```ts
 * const d: WireDouble[] = [1.5, "NA", "NaN", "-0"];
 * ```
 */
export type WireDouble = number | "NA" | "NaN" | "Inf" | "-Inf" | "-0" | `x${string}`;

/**
 * Attributes that matter for conversion (names, dim, dimnames, class, levels, row.names …).
 *
 * @example
 * ```ts
 * const a: WireAttrs = { names: { t: "str", v: ["x", "y"] } };
 * ```
 */
export type WireAttrs = Record<string, Wire>;

/** Fields shared by atomic leaves. */
interface Leaf {
  /** Number of elements. */
  n?: number;
  /** Byte offset of the data in the message region. */
  o?: number;
  /** Data in C order (see module docs). */
  co?: 1;
  a?: WireAttrs;
}

/**
 * A string leaf.
 *
 * @example
 * ```ts
 * const s: WireStr = { t: "str", v: ["a", null] };
 * ```
 */
export interface WireStr extends Leaf {
  t: "str";
  v?: (string | null)[];
  /** Dictionary (distinct values); `o` then holds 1-based int32 codes. */
  d?: WireStr;
  /** UTF-8 bytes offset. */
  b?: number;
  /** Int32 offsets (n + 1 entries) offset. */
  f?: number;
  /** Index of the (single) NA entry in a UTF-8 leaf. */
  na?: number;
  /** Bytes of NUL-terminated UTF-8 strings at `b` (main → worker; replaces offsets). */
  zb?: number;
  /** Offset of a byte mask (1 = NA, n entries) in a UTF-8 leaf. */
  m?: number;
}

/**
 * An R value on the wire.
 *
 * @example
 * ```ts
 * const w: Wire = { t: "dbl", n: 1000, o: 64 }; // 1000 doubles at byte 64 of the region
 * ```
 */
export type Wire =
  | { t: "null" }
  | Leaf & { t: "lgl"; v?: (boolean | null)[] }
  | Leaf & { t: "int"; v?: (number | null)[]; z?: 1 }
  | Leaf & { t: "dbl"; v?: WireDouble[] }
  | WireStr
  | { t: "list"; v: Wire[]; a?: WireAttrs }
  /** An R object kept alive in the worker. `type` is R's typeof(). */
  | { t: "handle"; id: number; cls?: string[]; type?: string; repr?: string }
  /** R source evaluated in the worker to produce an argument (main → worker only). */
  | { t: "code"; src: string };

/**
 * Where a message's region is: inline (base64) or `len` bytes at `off` of shared-memory
 * segment `seg` (capacity `cap`). `lease` identifies a worker-owned region the main process
 * must release.
 *
 * @example
 * ```ts
 * const b: BufDesc = { seg: "/brmsts-w42-1", cap: 1 << 20, off: 0, len: 8000, lease: 7 };
 * ```
 */
export type BufDesc =
  | { inline: string }
  | { seg: string; cap: number; off: number; len: number; lease?: number };

/**
 * Regions up to this size travel inline (base64) instead of through shared memory.
 *
 * @example
 * ```ts
 * declare const size: any;
 * const inline = size <= INLINE_MAX;
 * ```
 */
export const INLINE_MAX = 4096;

/**
 * Alignment of every leaf's data in a region.
 *
 * @example
 * ```ts
 * declare const size: any;
 * const o = Math.ceil(size / ALIGN) * ALIGN;
 * ```
 */
export const ALIGN = 64;

/**
 * Encodes one double so that NA, NaN, ±Inf and -0 survive JSON.
 *
 * @example
 * ```ts
 * wireDouble(-0, false); // "-0"
 * ```
 */
export function wireDouble(x: number, isNA: boolean, lo?: number, hi?: number): WireDouble {
  if (Number.isNaN(x) && lo !== undefined && hi !== undefined) {
    // Any NaN other than R's NA_real_ and the default quiet NaN keeps its exact bits (sign and
    // payload) as "x" + 16 hex digits, high word first.
    if (lo === 1954 && hi === 0x7ff00000) return "NA";
    if (lo === 0 && hi === 0x7ff80000) return "NaN";
    return `x${hex8(hi)}${hex8(lo)}`;
  }
  if (isNA) return "NA";
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Inf";
  if (x === -Infinity) return "-Inf";
  if (x === 0 && 1 / x < 0) return "-0";
  return x;
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

/**
 * The [low, high] 32-bit words of an exact-bits wire double (`"x"` + 16 hex digits).
 *
 * @example
 * ```ts
 * doubleBits("xfff8000000000005"); // [5, 0xfff80000]
 * ```
 */
export function doubleBits(w: `x${string}`): [number, number] {
  return [parseInt(w.slice(9, 17), 16) >>> 0, parseInt(w.slice(1, 9), 16) >>> 0];
}

/**
 * Decodes a wire double; NA becomes `null`.
 *
 * @example
 * ```ts
 * unwireDouble("NA"); // null
 * ```
 */
export function unwireDouble(w: WireDouble): number | null {
  if (typeof w === "string" && w[0] === "x") {
    const [lo, hi] = doubleBits(w as `x${string}`);
    if (lo === 1954) return null; // R's NA test looks at the low word only
    const u = new Uint32Array([lo, hi]);
    return new Float64Array(u.buffer)[0];
  }
  switch (w) {
    case "NA":
      return null;
    case "NaN":
      return NaN;
    case "Inf":
      return Infinity;
    case "-Inf":
      return -Infinity;
    case "-0":
      return -0;
    default:
      return w as number;
  }
}

/**
 * An inline wire value for small JSON-like data (numbers, strings, booleans, arrays, plain
 * objects, null). Used for control values such as `status()`; user data goes through the
 * region encoder.
 *
 * @example
 * ```ts
 * wireInline({ a: 1, b: ["x"] });
 * ```
 */
export function wireInline(value: unknown): Wire {
  if (value === null || value === undefined) return { t: "null" };
  switch (typeof value) {
    case "number":
      return { t: "dbl", v: [wireDouble(value, false)] };
    case "boolean":
      return { t: "lgl", v: [value] };
    case "string":
      return { t: "str", v: [value] };
  }
  if (Array.isArray(value)) {
    if (value.length && value.every((x) => typeof x === "string" || x === null)) {
      return { t: "str", v: value };
    }
    return { t: "list", v: value.map(wireInline) };
  }
  if (typeof value === "object") {
    const keys = Object.keys(value);
    return {
      t: "list",
      v: keys.map((k) => wireInline((value as Record<string, unknown>)[k])),
      a: { names: { t: "str", v: keys } },
    };
  }
  throw new BrmstsTypeError(`wireInline: ${typeof value} has no inline wire form`);
}
