/**
 * Worker side: small R closures the codecs call (under R's C-level trap) where R's own C code
 * is faster than element-wise FFI: dictionary-encoding strings, expanding codes back into a
 * character vector, making strings from NUL-terminated UTF-8, and reading a data frame's row
 * names without expanding compact ones.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import type { LibR, SEXP } from "../../ffi/mod.ts";
import { BrmstsInternalError } from "../../errors.ts";

/**
 * The codec's R helpers, created once per session and preserved.
 *
 * @example
 * ```ts
 * declare const r: any;
 * declare const x: any;
 * const tools = new RTools(r);
 * const pair = tools.uniq(x); // list(unique(x), match(x, unique(x)))
 * ```
 */
export class RTools {
  readonly #r: LibR;
  readonly #fns: SEXP[];

  constructor(r: LibR) {
    this.#r = r;
    const exprs = r.parse(readFileSync(new URL("./rtools.R", import.meta.url), "utf8"));
    if (exprs === null) throw new BrmstsInternalError("internal: codec R helpers do not parse");
    r.fns.Rf_protect(exprs);
    const list = r.tryEval(r.fns.VECTOR_ELT(exprs, 0n));
    r.fns.Rf_unprotect(1);
    if (list === null) throw new BrmstsInternalError("internal: codec R helpers failed");
    r.fns.R_PreserveObject(list);
    this.#fns = [0, 1, 2, 3].map((i) => r.fns.VECTOR_ELT(list, BigInt(i)));
  }

  #call(i: number, what: string, ...args: SEXP[]): SEXP {
    const r = this.#r;
    const call = r.fns.Rf_protect(r.lang(this.#fns[i], ...args));
    const res = r.tryEval(call);
    r.fns.Rf_unprotect(1);
    if (res === null) throw new BrmstsInternalError(`${what} failed in R`);
    return res;
  }

  /** `list(unique(x), match(x, unique(x)))` for a character vector (result unprotected). */
  uniq(x: SEXP): SEXP {
    return this.#call(0, "dictionary-encoding strings", x);
  }

  /** `u[i]`: a character vector from a dictionary and 1-based codes (result unprotected). */
  take(u: SEXP, i: SEXP): SEXP {
    return this.#call(1, "expanding string codes", u, i);
  }

  /** `readBin(r, "character", n)`: n NUL-terminated strings from a raw vector (unprotected). */
  utf8z(raw: SEXP, n: SEXP): SEXP {
    return this.#call(3, "reading strings", raw, n);
  }

  /** `.row_names_info(x, 0L)`: compact `c(NA, -n)` or the row names (result unprotected). */
  rowNames(x: SEXP): SEXP {
    return this.#call(2, "reading row names", x);
  }
}
