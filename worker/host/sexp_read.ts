/**
 * Worker side: wire form plus the request's byte region → fresh R vectors. One copy: a memcpy
 * from shared memory into the newly allocated vector (a transposition for C-order arrays, a
 * shift to 1-based codes for factors). Strings: CHARSXPs are made once per distinct value and
 * expanded by R (`u[codes]`).
 *
 * @module
 */
import { type LibR, NA_INTEGER, type SEXP, SEXPTYPE } from "../../ffi/mod.ts";
import type { Region, ShmWorker } from "./shared_memory.ts";
import { fToC } from "../../data/transpose.ts";
import type { RTools } from "./rtools.ts";
import { doubleBits, type Wire, type WireStr } from "../wire/format.ts";
import { BrmstsInternalError } from "../../errors.ts";

const encoder = new TextEncoder();

/**
 * Resolves handle leaves to the R objects they name.
 *
 * @example
 * ```ts
 * declare const handles: any;
 * const lookup: HandleLookup = (id) => handles.get(id);
 * ```
 */
export type HandleLookup = (id: number) => SEXP;

/**
 * Builds SEXPs from wire values. Results are unprotected: protect before the next allocation.
 *
 * @example
 * ```ts
 * declare const reader: any;
 * const x = reader.read({ t: "dbl", v: [1, "NA"] }); // c(1, NA)
 * ```
 */
export class SexpReader {
  #region: Region | null = null;
  #depth = 0;

  constructor(
    private readonly r: LibR,
    private readonly lookup: HandleLookup,
    private readonly shm: ShmWorker,
    private readonly tools: RTools,
  ) {}

  /**
   * Builds an R object from a wire value of the current request. On failure everything it
   * protected is unprotected again and the error rethrown.
   */
  read(w: Wire): SEXP {
    const depth = this.#depth;
    try {
      return this.#read(w);
    } catch (e) {
      this.#unprotect(this.#depth - depth);
      throw e;
    }
  }

  #protect(x: SEXP): SEXP {
    this.r.fns.Rf_protect(x);
    this.#depth++;
    return x;
  }

  #unprotect(n: number): void {
    if (n <= 0) return;
    this.r.fns.Rf_unprotect(n);
    this.#depth -= n;
  }

  #read(w: Wire): SEXP {
    const r = this.r;
    const f = r.fns;
    switch (w.t) {
      case "null":
        return r.global("R_NilValue");
      case "handle":
        return this.lookup(w.id);
      case "code": {
        const s = this.#protect(r.mkString(w.src));
        f.Rf_setAttrib(s, r.global("R_ClassSymbol"), r.mkString("brmsts_code"));
        this.#unprotect(1);
        return s;
      }
    }
    let x: SEXP;
    if (w.t === "list") {
      x = this.#protect(f.Rf_allocVector(SEXPTYPE.VECSXP, BigInt(w.v.length)));
      for (let i = 0; i < w.v.length; i++) f.SET_VECTOR_ELT(x, BigInt(i), this.#read(w.v[i]));
    } else if (w.t === "str") {
      x = this.#protect(this.#strings(w));
    } else {
      x = this.#protect(this.#numeric(w));
    }
    if (w.a) {
      for (const [key, val] of Object.entries(w.a)) {
        const sym = this.#protect(f.Rf_install(encoder.encode(key + "\0")));
        const v = this.#protect(this.#read(val));
        f.Rf_setAttrib(x, sym, v);
        this.#unprotect(2);
      }
    }
    this.#unprotect(1);
    return x;
  }

  #input(): Region {
    return this.#region ??= this.shm.input() ?? (() => {
      throw new BrmstsInternalError("internal: a region leaf arrived without a region");
    })();
  }

  /** Forgets the current request's region (call between requests). */
  reset(): void {
    this.#region = null;
  }

  /** C-order dims of a leaf marked `co`, reversed (R's view of the same memory), or null. */
  #rdims(w: Wire): number[] | null {
    if (!("co" in w) || !w.co) return null;
    const d = w.a?.dim;
    if (!d || d.t !== "int" || !d.v) {
      throw new BrmstsInternalError("internal: C-order leaf without inline dim");
    }
    return (d.v as number[]).slice().reverse();
  }

  #numeric(w: Extract<Wire, { t: "dbl" | "int" | "lgl" }>): SEXP {
    const r = this.r, f = r.fns, native = r.native;
    const type = w.t === "dbl"
      ? SEXPTYPE.REALSXP
      : w.t === "int"
      ? SEXPTYPE.INTSXP
      : SEXPTYPE.LGLSXP;
    const n = w.n ?? w.v?.length ?? 0;
    if (!w.v && n > 0) inBounds(this.#input(), w.o ?? 0, n * (w.t === "dbl" ? 8 : 4));
    const x = this.#protect(f.Rf_allocVector(type, BigInt(n)));
    if (n > 0) {
      const size = w.t === "dbl" ? 8 : 4;
      const dst = native.view(f.DATAPTR(x), n * size);
      if (w.v) inline(w, dst);
      else {
        const inp = this.#input(), o = w.o ?? 0;
        const rdims = this.#rdims(w);
        if (rdims) {
          fToC(
            new Uint32Array(inp.ab, o, n * size / 4),
            new Uint32Array(dst),
            rdims,
            size === 8 ? 2 : 1,
          );
        } else {
          r.libc.fns.memcpy(f.DATAPTR(x), native.offset(inp.ptr, o), BigInt(n * size));
        }
        if (w.t === "int" && w.z) {
          const d = new Int32Array(dst);
          for (let i = 0; i < n; i++) d[i] = d[i] === -1 ? NA_INTEGER : d[i] + 1;
        }
      }
    }
    this.#unprotect(1);
    return x;
  }

  #strings(w: WireStr): SEXP {
    const r = this.r, f = r.fns;
    if (w.v) {
      const n = w.v.length;
      const x = this.#protect(f.Rf_allocVector(SEXPTYPE.STRSXP, BigInt(n)));
      const rdims = this.#rdims(w);
      const order = rdims ? permutation(n, rdims) : null;
      for (let i = 0; i < n; i++) {
        const s = w.v[order ? order[i] : i];
        f.SET_STRING_ELT(
          x,
          BigInt(i),
          s === null ? r.global("R_NaString") : r.mkChar(encoder.encode(s)),
        );
      }
      this.#unprotect(1);
      return x;
    }
    if (w.d) {
      const u = this.#protect(this.#strings(w.d));
      const codes = this.#protect(this.#numeric({ t: "int", n: w.n, o: w.o, co: w.co, a: w.a }));
      const x = this.tools.take(u, codes);
      this.#unprotect(2);
      return x;
    }
    // NUL-terminated UTF-8: one raw vector, split into strings by R in C (readBin).
    if (w.zb === undefined) throw new BrmstsInternalError("internal: string leaf without data");
    const inp = this.#input(), native = r.native;
    const n = w.n ?? 0, zb = w.zb, b = w.b ?? 0;
    inBounds(inp, b, zb);
    if (w.m !== undefined) inBounds(inp, w.m, n);
    if (zb > 0 && new Uint8Array(inp.ab, b + zb - 1, 1)[0] !== 0) {
      throw new BrmstsInternalError("internal: string data does not end with a terminator");
    }
    const raw = this.#protect(f.Rf_allocVector(SEXPTYPE.RAWSXP, BigInt(zb)));
    if (zb > 0) r.libc.fns.memcpy(f.DATAPTR(raw), native.offset(inp.ptr, b), BigInt(zb));
    const len = this.#protect(f.Rf_allocVector(SEXPTYPE.INTSXP, 1n));
    new Int32Array(native.view(f.DATAPTR(len), 4))[0] = n;
    let x = this.#protect(this.tools.utf8z(raw, len));
    if (r.length(x) !== n) {
      throw new BrmstsInternalError(`internal: ${r.length(x)} strings decoded, ${n} sent`);
    }
    if (w.m !== undefined) {
      const mask = new Uint8Array(inp.ab, w.m, n), na = r.global("R_NaString");
      for (let i = mask.indexOf(1); i >= 0; i = mask.indexOf(1, i + 1)) {
        f.SET_STRING_ELT(x, BigInt(i), na);
      }
    }
    const rdims = this.#rdims(w);
    if (rdims) {
      const perm = this.#protect(f.Rf_allocVector(SEXPTYPE.INTSXP, BigInt(n)));
      const p = new Int32Array(native.view(f.DATAPTR(perm), n * 4));
      permutation(n, rdims).forEach((c, i) => (p[i] = c + 1));
      x = this.tools.take(x, perm);
      this.#unprotect(1);
    }
    this.#unprotect(2);
    this.#unprotect(1);
    return x;
  }
}

/** Refuses a leaf whose data would lie outside the request's region (never read past it). */
function inBounds(inp: Region, off: number, bytes: number): void {
  if (!(off >= 0 && bytes >= 0 && off + bytes <= inp.ab.byteLength)) {
    throw new BrmstsInternalError(
      `internal: leaf data [${off}, +${bytes}) outside the ${inp.ab.byteLength}-byte region`,
    );
  }
}

/** Writes inline values of a leaf into R memory (NA written as bits). */
function inline(w: Extract<Wire, { t: "dbl" | "int" | "lgl" }>, dst: ArrayBuffer): void {
  if (w.t === "dbl") {
    const d = new Float64Array(dst), u = new Uint32Array(dst);
    w.v!.forEach((v, i) => {
      if (v === "NA") (u[2 * i] = 1954, u[2 * i + 1] = 0x7ff00000);
      else if (typeof v === "string" && v[0] === "x") {
        [u[2 * i], u[2 * i + 1]] = doubleBits(v as `x${string}`);
      } else {
        d[i] = v === "NaN"
          ? NaN
          : v === "Inf"
          ? Infinity
          : v === "-Inf"
          ? -Infinity
          : v === "-0"
          ? -0
          : v as number;
      }
    });
    return;
  }
  const d = new Int32Array(dst);
  (w.v as (number | boolean | null)[]).forEach((v, i) => {
    d[i] = v === null ? NA_INTEGER : typeof v === "boolean" ? (v ? 1 : 0) : v;
  });
}

/** For C-order values of R dims reversed `rdims`: the C index of each R (F-order) position. */
function permutation(n: number, rdims: number[]): Uint32Array {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const out = new Uint32Array(n);
  fToC(idx, out, rdims, 1);
  return out;
}
