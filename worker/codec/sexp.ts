/**
 * Worker side: R objects (SEXPs) to the wire form and back, reading R's memory directly.
 * Only the worker imports this file.
 *
 * @module
 */
import { type LibR, NA_INTEGER, type SEXP, SEXPTYPE } from "../../ffi/mod.ts";
import type { ConvertMode } from "../protocol.ts";
import type { Wire, WireAttrs } from "./wire.ts";
import { wireDouble } from "./wire.ts";

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

const TYPE_NAMES: Record<number, string> = {
  0: "NULL",
  1: "symbol",
  2: "pairlist",
  3: "closure",
  4: "environment",
  6: "language",
  7: "special",
  8: "builtin",
  10: "logical",
  13: "integer",
  14: "double",
  15: "complex",
  16: "character",
  19: "list",
  20: "expression",
  22: "externalptr",
  24: "raw",
  25: "S4",
};

/** The R objects the worker keeps alive for RObject handles. */
export class HandleTable {
  #next = 1;
  readonly #objects = new Map<number, SEXP>();
  constructor(private readonly r: LibR) {}

  /** Preserves x and returns its id. */
  add(x: SEXP): number {
    this.r.fns.R_PreserveObject(x);
    const id = this.#next++;
    this.#objects.set(id, x);
    return id;
  }
  /** The object for id, or throws. */
  get(id: number): SEXP {
    const x = this.#objects.get(id);
    if (x === undefined) throw new Error(`R object handle ${id} does not exist (released?)`);
    return x;
  }
  /** Releases ids (unknown ids are ignored). */
  release(ids: Iterable<number>): void {
    for (const id of ids) {
      const x = this.#objects.get(id);
      if (x === undefined) continue;
      this.#objects.delete(id);
      this.r.fns.R_ReleaseObject(x);
    }
  }
  /** How many objects are preserved. */
  get size(): number {
    return this.#objects.size;
  }
}

/** Describes a new handle (classes, repr) by calling back into R under its trap. */
export type Describe = (x: SEXP) => { cls: string[]; repr: string };

/** Converts SEXPs to wire values. */
export class SexpWriter {
  constructor(
    private readonly r: LibR,
    private readonly handles: HandleTable,
    private readonly describe: Describe,
  ) {}

  /** Converts x according to mode. */
  write(x: SEXP, mode: ConvertMode): Wire {
    if (mode === "handle") return this.#handle(x);
    return this.#value(x, mode);
  }

  #handle(x: SEXP): Wire {
    const { cls, repr } = this.describe(x);
    return {
      t: "handle",
      id: this.handles.add(x),
      cls,
      type: TYPE_NAMES[this.r.typeOf(x)] ?? "?",
      repr,
    };
  }

  #classes(x: SEXP): string[] | null {
    if (!this.r.fns.OBJECT(x)) return null;
    const cls = this.r.fns.Rf_getAttrib(x, this.r.global("R_ClassSymbol"));
    return this.#strings(cls).map((s) => s ?? "NA");
  }

  #value(x: SEXP, mode: ConvertMode): Wire {
    const r = this.r;
    const type = r.typeOf(x);
    if (type === SEXPTYPE.NILSXP) return { t: "null" };
    const isVector = type === SEXPTYPE.LGLSXP || type === SEXPTYPE.INTSXP ||
      type === SEXPTYPE.REALSXP || type === SEXPTYPE.STRSXP || type === SEXPTYPE.VECSXP;
    if (!isVector) return this.#handle(x);
    if (mode === "auto") {
      const cls = this.#classes(x);
      if (cls && !cls.every((c) => PLAIN_CLASSES.has(c))) return this.#handle(x);
    }
    const a = this.#attrs(x);
    const n = r.length(x);
    switch (type) {
      case SEXPTYPE.LGLSXP: {
        const v = this.#ints(x, n);
        return withAttrs(
          { t: "lgl", v: Array.from(v, (b) => (b === NA_INTEGER ? null : b !== 0)) },
          a,
        );
      }
      case SEXPTYPE.INTSXP: {
        const v = this.#ints(x, n);
        return withAttrs({ t: "int", v: Array.from(v, (b) => (b === NA_INTEGER ? null : b)) }, a);
      }
      case SEXPTYPE.REALSXP: {
        if (n === 0) return withAttrs({ t: "dbl", v: [] }, a);
        const buf = r.native.view(r.fns.DATAPTR(x), n * 8);
        const f = new Float64Array(buf), u = new Uint32Array(buf);
        const v = new Array(n);
        for (let i = 0; i < n; i++) {
          v[i] = wireDouble(f[i], Number.isNaN(f[i]) && u[2 * i] === 1954);
        }
        return withAttrs({ t: "dbl", v }, a);
      }
      case SEXPTYPE.STRSXP:
        return withAttrs({ t: "str", v: this.#strings(x) }, a);
      default: {
        const v: Wire[] = [];
        for (let i = 0; i < n; i++) v.push(this.#value(r.fns.VECTOR_ELT(x, BigInt(i)), mode));
        return withAttrs({ t: "list", v }, a);
      }
    }
  }

  #ints(x: SEXP, n: number): Int32Array {
    if (n === 0) return new Int32Array(0);
    return new Int32Array(this.r.native.view(this.r.fns.DATAPTR(x), n * 4));
  }

  #strings(x: SEXP): (string | null)[] {
    const n = this.r.length(x);
    const out: (string | null)[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.r.stringElt(x, i);
    return out;
  }

  #attrs(x: SEXP): WireAttrs | undefined {
    const r = this.r;
    let out: WireAttrs | undefined;
    const syms = [
      ["names", "R_NamesSymbol"],
      ["dim", "R_DimSymbol"],
      ["dimnames", "R_DimNamesSymbol"],
      ["class", "R_ClassSymbol"],
      ["levels", "R_LevelsSymbol"],
      ["row.names", "R_RowNamesSymbol"],
    ] as const;
    for (const [key, sym] of syms) {
      const v = r.fns.Rf_getAttrib(x, r.global(sym));
      if (r.isNull(v)) continue;
      r.fns.Rf_protect(v);
      (out ??= {})[key] = this.#value(v, "value");
      r.fns.Rf_unprotect(1);
    }
    return out;
  }
}

function withAttrs<W extends Wire>(w: W, a: WireAttrs | undefined): W {
  if (a) (w as { a?: WireAttrs }).a = a;
  return w;
}

const encoder = new TextEncoder();

/** Builds SEXPs from wire values. Results are unprotected: protect before the next allocation. */
export class SexpReader {
  constructor(private readonly r: LibR, private readonly handles: HandleTable) {}

  /** Builds an R object from a wire value. */
  read(w: Wire): SEXP {
    const r = this.r;
    const f = r.fns;
    switch (w.t) {
      case "null":
        return r.global("R_NilValue");
      case "handle":
        return this.handles.get(w.id);
      case "code": {
        const s = f.Rf_protect(r.mkString(w.src));
        f.Rf_setAttrib(s, r.global("R_ClassSymbol"), r.mkString("brmsts_code"));
        f.Rf_unprotect(1);
        return s;
      }
    }
    const n = w.v.length;
    const type = {
      lgl: SEXPTYPE.LGLSXP,
      int: SEXPTYPE.INTSXP,
      dbl: SEXPTYPE.REALSXP,
      str: SEXPTYPE.STRSXP,
      list: SEXPTYPE.VECSXP,
    }[w.t];
    const x = f.Rf_protect(f.Rf_allocVector(type, BigInt(n)));
    if (w.t === "str") {
      for (let i = 0; i < n; i++) {
        const s = w.v[i];
        f.SET_STRING_ELT(
          x,
          BigInt(i),
          s === null ? r.global("R_NaString") : r.mkChar(encoder.encode(s)),
        );
      }
    } else if (w.t === "list") {
      for (let i = 0; i < n; i++) f.SET_VECTOR_ELT(x, BigInt(i), this.read(w.v[i]));
    } else if (n > 0) {
      if (w.t === "dbl") {
        const buf = r.native.view(f.DATAPTR(x), n * 8);
        const d = new Float64Array(buf), u = new Uint32Array(buf);
        for (let i = 0; i < n; i++) {
          const v = w.v[i];
          if (v === "NA") {
            u[2 * i] = 1954;
            u[2 * i + 1] = 0x7ff00000;
          } else {d[i] = v === "NaN"
              ? NaN
              : v === "Inf"
              ? Infinity
              : v === "-Inf"
              ? -Infinity
              : v === "-0"
              ? -0
              : v;}
        }
      } else {
        const d = new Int32Array(r.native.view(f.DATAPTR(x), n * 4));
        for (let i = 0; i < n; i++) {
          const v = w.v[i];
          d[i] = v === null ? NA_INTEGER : typeof v === "boolean" ? (v ? 1 : 0) : v;
        }
      }
    }
    if (w.a) {
      for (const [key, val] of Object.entries(w.a)) {
        const sym = f.Rf_protect(f.Rf_install(new TextEncoder().encode(key + "\0")));
        const v = f.Rf_protect(this.read(val));
        f.Rf_setAttrib(x, sym, v);
        f.Rf_unprotect(2);
      }
    }
    f.Rf_unprotect(1);
    return x;
  }
}
