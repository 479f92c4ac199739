/**
 * Worker side: SEXP → wire form plus one byte region. Two passes: the first walks the object,
 * lays out the region (64-byte aligned) and queues copy jobs; the second leases one region
 * (inline or a pooled shared-memory segment) and runs the jobs: a memcpy straight from R's
 * memory for vectors, a blocked transposition into C order for arrays with `dim`, a shift to
 * 0-based codes for factors. One copy in all cases.
 *
 * @module
 */
import { type LibR, NA_INTEGER, type SEXP, SEXPTYPE } from "../../ffi/mod.ts";
import type { Ptr } from "../../native/mod.ts";
import type { ConvertMode } from "../wire/protocol.ts";
import type { ShmWorker } from "./shared_memory.ts";
import { fToC } from "../../data/transpose.ts";
import { RegionLayout } from "../wire/region.ts";
import type { RTools } from "./rtools.ts";
import {
  type BufDesc,
  type Wire,
  type WireAttrs,
  wireDouble,
  type WireStr,
} from "../wire/format.ts";
import { BrmstsRangeError } from "../../errors.ts";

/** Classes whose objects convert to plain JS data in `auto` mode. */
const PLAIN_CLASSES = new Set([
  "factor",
  "ordered",
  "Date",
  "POSIXct",
  "POSIXt",
  "data.frame",
  "table",
  "noquote",
  "AsIs",
]);

const INLINE_STRINGS = 256;

type Job = (dst: { ab: ArrayBuffer; ptr: Ptr }) => void;

/**
 * Makes handle leaves for objects without a plain form.
 *
 * @example
 * ```ts
 * declare const handles: any;
 * const make: HandleMaker = (x) => ({ t: "handle", id: handles.add(x) });
 * ```
 */
export type HandleMaker = (x: SEXP) => Wire;

/**
 * Converts SEXPs to wire values.
 *
 * @example
 * ```ts
 * declare const writer: any;
 * declare const x: any;
 * const { value, buf } = writer.encode(x, "auto"); // wire tree + its region
 * ```
 */
export class SexpWriter {
  #layout = new RegionLayout();
  #jobs: Job[] = [];
  #protected = 0;
  #inline = false;

  constructor(
    private readonly r: LibR,
    private readonly handle: HandleMaker,
    private readonly shm: ShmWorker,
    private readonly tools: RTools,
  ) {}

  /** Converts x with all data inline in the JSON (small control values such as status). */
  write(x: SEXP, mode: ConvertMode): Wire {
    this.#inline = true;
    try {
      return mode === "handle" ? this.handle(x) : this.#value(x, mode);
    } finally {
      this.#inline = false;
      this.#reset();
    }
  }

  /** Converts x; bulk data goes to one region described by `buf`. */
  encode(x: SEXP, mode: ConvertMode): { value: Wire; buf?: BufDesc } {
    try {
      const value = mode === "handle" ? this.handle(x) : this.#value(x, mode);
      const size = this.#layout.size;
      if (size === 0) return { value };
      const out = this.shm.output(size);
      try {
        for (const job of this.#jobs) job(out);
      } catch (e) {
        out.abandon();
        throw e;
      }
      return { value, buf: out.desc() };
    } finally {
      this.#reset();
    }
  }

  #reset(): void {
    if (this.#protected) this.r.fns.Rf_unprotect(this.#protected);
    this.#protected = 0;
    this.#layout = new RegionLayout();
    this.#jobs = [];
  }

  #keep(x: SEXP): SEXP {
    this.r.fns.Rf_protect(x);
    this.#protected++;
    return x;
  }

  #classes(x: SEXP): string[] | null {
    if (!this.r.fns.OBJECT(x)) return null;
    const cls = this.r.fns.Rf_getAttrib(x, this.r.global("R_ClassSymbol"));
    const out: string[] = [];
    for (let i = 0; i < this.r.length(cls); i++) out.push(this.r.stringElt(cls, i) ?? "NA");
    return out;
  }

  #value(x: SEXP, mode: ConvertMode): Wire {
    const r = this.r;
    const type = r.typeOf(x);
    if (type === SEXPTYPE.NILSXP) return { t: "null" };
    const isVector = type === SEXPTYPE.LGLSXP || type === SEXPTYPE.INTSXP ||
      type === SEXPTYPE.REALSXP || type === SEXPTYPE.STRSXP || type === SEXPTYPE.VECSXP;
    if (!isVector) return this.handle(x);
    // Most results (scalars, plain vectors) carry no attributes at all: one call tells.
    const bare = r.isNull(r.fns.ATTRIB(x));
    const cls = bare ? null : this.#classes(x);
    if (mode === "auto" && cls && !cls.every((c) => PLAIN_CLASSES.has(c))) return this.handle(x);
    const dimv = bare ? null : this.#dimValues(x);
    const a = bare ? undefined : this.#attrs(x, cls, dimv);
    const n = r.length(x);
    // A matrix/array of 2+ dimensions: its data is transposed into C order.
    const dims = dimv && dimv.length >= 2 ? dimv : null;
    switch (type) {
      case SEXPTYPE.LGLSXP:
        return this.#ints("lgl", x, n, a, dims);
      case SEXPTYPE.INTSXP:
        if (!this.#inline && cls?.includes("factor") && a?.levels) return this.#factor(x, n, a);
        return this.#ints("int", x, n, a, dims);
      case SEXPTYPE.REALSXP:
        return this.#doubles(x, n, a, dims);
      case SEXPTYPE.STRSXP:
        return withA(this.#strings(x, n, dims), a);
      default: {
        const v: Wire[] = [];
        for (let i = 0; i < n; i++) v.push(this.#value(r.fns.VECTOR_ELT(x, BigInt(i)), mode));
        return withA({ t: "list", v }, a);
      }
    }
  }

  /** The dim attribute's values (it always travels inline), or null. */
  #dimValues(x: SEXP): number[] | null {
    const r = this.r;
    const d = r.fns.Rf_getAttrib(x, r.global("R_DimSymbol"));
    if (r.typeOf(d) !== SEXPTYPE.INTSXP || r.length(d) === 0) return null;
    return Array.from(new Int32Array(r.native.view(r.fns.DATAPTR(d), r.length(d) * 4)));
  }

  /** Queues a copy of `bytes` of R data at `src` to region offset `o` (transposed if dims). */
  #copy(src: Ptr, o: number, bytes: number, dims: number[] | null, words: 1 | 2): void {
    if (bytes === 0) return;
    const native = this.r.native, memcpy = this.r.libc.fns.memcpy;
    if (dims) {
      this.#jobs.push((dst) => {
        const s = new Uint32Array(native.view(src, bytes));
        fToC(s, new Uint32Array(dst.ab, o, bytes / 4), dims, words);
      });
    } else {
      this.#jobs.push((dst) => memcpy(native.offset(dst.ptr, o), src, BigInt(bytes)));
    }
  }

  #ints(
    t: "int" | "lgl",
    x: SEXP,
    n: number,
    a: WireAttrs | undefined,
    dims: number[] | null,
  ): Wire {
    if (this.#inline || n === 1) {
      const v = n === 0
        ? []
        : Array.from(new Int32Array(this.r.native.view(this.r.fns.DATAPTR(x), n * 4)));
      const vals: (number | boolean | null)[] = t === "lgl"
        ? v.map((b) => (b === NA_INTEGER ? null : b !== 0))
        : v.map((b) => (b === NA_INTEGER ? null : b));
      return withA({ t, n, v: dims ? permute(vals, dims) : vals } as Wire, a);
    }
    const o = this.#layout.alloc(n * 4);
    if (n > 0) this.#copy(this.r.fns.DATAPTR(x), o, n * 4, dims, 1);
    return withA({ t, n, o, ...(dims ? { co: 1 } : {}) } as Wire, a);
  }

  #factor(x: SEXP, n: number, a: WireAttrs): Wire {
    const o = this.#layout.alloc(n * 4);
    if (n > 0) {
      const src = this.r.fns.DATAPTR(x), native = this.r.native;
      this.#jobs.push((dst) => {
        const s = new Int32Array(native.view(src, n * 4)), d = new Int32Array(dst.ab, o, n);
        for (let i = 0; i < n; i++) d[i] = s[i] === NA_INTEGER ? -1 : s[i] - 1;
      });
    }
    return { t: "int", n, o, z: 1, a };
  }

  #doubles(x: SEXP, n: number, a: WireAttrs | undefined, dims: number[] | null): Wire {
    if (this.#inline || n === 1) {
      const buf = n ? this.r.native.view(this.r.fns.DATAPTR(x), n * 8) : new ArrayBuffer(0);
      const f = new Float64Array(buf), u = new Uint32Array(buf);
      const v = Array.from(f, (d, i) => wireDouble(d, false, u[2 * i], u[2 * i + 1]));
      return withA({ t: "dbl", n, v: dims ? permute(v, dims) : v }, a);
    }
    const o = this.#layout.alloc(n * 8);
    if (n > 0) this.#copy(this.r.fns.DATAPTR(x), o, n * 8, dims, 2);
    return withA({ t: "dbl", n, o, ...(dims ? { co: 1 as const } : {}) }, a);
  }

  #strings(x: SEXP, n: number, dims: number[] | null): WireStr {
    const r = this.r;
    if (this.#inline || n <= INLINE_STRINGS) {
      const v = new Array<string | null>(n);
      for (let i = 0; i < n; i++) v[i] = r.stringElt(x, i);
      return dims ? { t: "str", n, v: permute(v, dims), co: 1 } : { t: "str", n, v };
    }
    const res = this.#keep(this.tools.uniq(x));
    const u = r.fns.VECTOR_ELT(res, 0n), codes = r.fns.VECTOR_ELT(res, 1n);
    const d = this.#dict(u);
    const o = this.#layout.alloc(n * 4);
    this.#copy(r.fns.DATAPTR(codes), o, n * 4, dims, 1);
    return { t: "str", n, d, o, ...(dims ? { co: 1 as const } : {}) };
  }

  /** Distinct strings: inline when few, else UTF-8 bytes + offsets copied from R's CHARSXPs. */
  #dict(u: SEXP): WireStr {
    const r = this.r, f = r.fns, native = r.native;
    const k = r.length(u);
    if (k <= INLINE_STRINGS) return this.#strings(u, k, null);
    const na = r.global("R_NaString");
    const ptrs: (Ptr | Uint8Array)[] = new Array(k);
    const offsets = new Int32Array(k + 1);
    let total = 0, naIdx: number | undefined;
    const utf8 = new TextEncoder();
    for (let i = 0; i < k; i++) {
      const ch = f.STRING_ELT(u, BigInt(i));
      let len = 0;
      if (native.equals(ch, na)) naIdx = i;
      else {
        const ce = f.Rf_getCharCE(ch);
        if (ce === 0 || ce === 1 || ce === 3) {
          len = f.LENGTH(ch);
          ptrs[i] = f.R_CHAR(ch);
        } else {
          const bytes = utf8.encode(r.charToString(ch));
          len = bytes.length;
          ptrs[i] = bytes;
        }
      }
      if (len > 2147483647 - total) {
        throw new BrmstsRangeError("strings too large (over 2 GiB of text)");
      }
      total += len;
      offsets[i + 1] = total;
    }
    const b = this.#layout.alloc(total);
    const fo = this.#layout.alloc((k + 1) * 4);
    const memcpy = r.libc.fns.memcpy;
    this.#jobs.push((dst) => {
      new Int32Array(dst.ab, fo, k + 1).set(offsets);
      const out = new Uint8Array(dst.ab, b, total);
      for (let i = 0; i < k; i++) {
        const p = ptrs[i], len = offsets[i + 1] - offsets[i];
        if (len === 0 || p === undefined) continue;
        if (p instanceof Uint8Array) out.set(p, offsets[i]);
        else memcpy(native.offset(dst.ptr, b + offsets[i]), p, BigInt(len));
      }
    });
    return { t: "str", n: k, b, f: fo, ...(naIdx !== undefined ? { na: naIdx } : {}) };
  }

  /** x's attributes in wire form; `dims` is its dim attribute, already read by the caller. */
  #attrs(x: SEXP, cls: string[] | null, dims: number[] | null): WireAttrs | undefined {
    const r = this.r;
    let out: WireAttrs | undefined;
    const isFrame = cls?.includes("data.frame") ?? false;
    if (dims) out = { dim: { t: "int", n: dims.length, v: dims } };
    const syms = [
      ["names", "R_NamesSymbol"],
      ["dimnames", "R_DimNamesSymbol"],
      ["class", "R_ClassSymbol"],
      ["levels", "R_LevelsSymbol"],
    ] as const;
    for (const [key, sym] of syms) {
      const v = r.fns.Rf_getAttrib(x, r.global(sym));
      if (r.isNull(v)) continue;
      (out ??= {})[key] = this.#value(v, "value");
    }
    if (isFrame) {
      (out ??= {})["row.names"] = this.#value(this.#keep(this.tools.rowNames(x)), "value");
    }
    return out;
  }
}

/** Reorders R-order values into C order (small inline arrays). */
function permute<T>(v: T[], dims: number[]): T[] {
  const idx = new Uint32Array(v.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  const perm = new Uint32Array(v.length);
  fToC(idx, perm, dims, 1);
  return Array.from(perm, (i) => v[i]);
}

function withA<W extends Wire>(w: W, a: WireAttrs | undefined): W {
  if (a) (w as { a?: WireAttrs }).a = a;
  return w;
}
