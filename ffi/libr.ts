/**
 * libR bound through the runtime adapter, with the embedding sequence measured in
 * `shared/notes/embedding-r.md`: environment first, signal handlers off, real stack bounds,
 * non-interactive, console routed to a callback. Only the worker process imports this file.
 *
 * @module
 */
import { cstr, type LibC, type Native, type Ptr, RTLD_GLOBAL, RTLD_LAZY } from "../native/mod.ts";
import type { RHome } from "./r_home.ts";
import { R_FUNCTIONS, R_GLOBALS, type RGlobal } from "./_symbols.ts";
import { BrmstsSystemError, BrmstsTypeError } from "../errors.ts";

/** An R object pointer. Only valid while protected or preserved. */
export type SEXP = Ptr;

/** Receives R console output: `stream` 0 is stdout (print, cat), 1 is stderr (message, warning). */
export type ConsoleSink = (text: string, stream: 0 | 1) => void;

// ignoreBOM: a string or console text that begins with U+FEFF keeps it.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const encoder = new TextEncoder();

/** A bound, initialised libR. One per process. */
export class LibR {
  readonly fns;
  readonly native: Native;
  readonly #addr = new Map<RGlobal, Ptr>();
  #consoleCb?: { ptr: Ptr; close(): void };
  #keepAlive: unknown[] = [];

  private constructor(readonly libc: LibC, readonly rhome: RHome) {
    this.native = libc.native;
    // Load globally first so R's package libraries resolve against this very libR.
    const h = libc.fns.dlopen(cstr(rhome.libR), RTLD_LAZY | RTLD_GLOBAL);
    if (this.native.isNull(h)) throw new BrmstsSystemError(`dlopen(${rhome.libR}) failed`);
    this.fns = this.native.open(rhome.libR, R_FUNCTIONS);
    for (const g of R_GLOBALS) this.#addr.set(g, libc.symbolAddress(rhome.libR, g));
  }

  /**
   * Sets R's environment, loads libR and initialises R on the calling thread.
   *
   * @example
   * ```ts
   * import { discoverRHome } from "./mod.ts";
   * import { type LibC } from "../native/mod.ts";
   * declare const env: any;
   * declare const libc: LibC;
   * const r = LibR.start(libc, discoverRHome(env), (t) => console.error(t));
   * ```
   */
  static start(libc: LibC, rhome: RHome, sink: ConsoleSink, args: string[] = []): LibR {
    libc.setenv("R_HOME", rhome.home);
    for (const [k, v] of Object.entries(rhome.dirs)) libc.setenv(k, v);
    const r = new LibR(libc, rhome);
    r.#init(sink, args);
    return r;
  }

  #i32(name: RGlobal): Int32Array {
    return new Int32Array(this.native.view(this.#addr.get(name)!, 4));
  }
  #u64(name: RGlobal): BigUint64Array {
    return new BigUint64Array(this.native.view(this.#addr.get(name)!, 8));
  }

  #init(sink: ConsoleSink, extra: string[]): void {
    this.#i32("R_SignalHandlers")[0] = 0;
    const argv = ["R", "--vanilla", "--silent", "--no-save", "--no-echo", ...extra];
    const bufs = argv.map(cstr);
    const ptrs = new BigUint64Array(argv.length + 1);
    bufs.forEach((b, i) => ptrs[i] = this.native.value(this.native.ptrOf(b)));
    this.#keepAlive.push(bufs, ptrs);
    this.fns.Rf_initialize_R(argv.length, ptrs);
    const { low, size } = this.libc.threadStack();
    this.#u64("R_CStackStart")[0] = low + size;
    this.#u64("R_CStackLimit")[0] = size;
    this.#i32("R_CStackDir")[0] = 1;
    this.#i32("R_Interactive")[0] = 0;
    this.#u64("R_Outputfile")[0] = 0n;
    this.#u64("R_Consolefile")[0] = 0n;
    this.#u64("ptr_R_WriteConsole")[0] = 0n;
    this.#consoleCb = this.native.callback(
      { parameters: ["ptr", "i32", "i32"], result: "void" },
      ((buf: Ptr, len: number, otype: number) => {
        if (len <= 0) return;
        const bytes = new Uint8Array(this.native.view(buf, len));
        sink(decoder.decode(bytes), otype === 0 ? 0 : 1);
      }) as (...a: never[]) => unknown,
    );
    this.#u64("ptr_R_WriteConsoleEx")[0] = this.native.value(this.#consoleCb.ptr);
    this.fns.setup_Rmainloop();
  }

  readonly #constants = new Map<RGlobal, SEXP>();

  /**
   * The value of a SEXP-valued global such as `R_NilValue`. R never changes these after
   * initialisation, so each is read once.
   */
  global(name: RGlobal): SEXP {
    let v = this.#constants.get(name);
    if (v === undefined) {
      v = this.native.readPtr(this.#addr.get(name)!);
      this.#constants.set(name, v);
    }
    return v;
  }

  #interrupts?: Int32Array;

  /** Sets or clears R's pending-interrupt flag. */
  setInterruptPending(on: boolean): void {
    (this.#interrupts ??= this.#i32("R_interrupts_pending"))[0] = on ? 1 : 0;
  }

  /** The address of `R_interrupts_pending`, for a watcher thread. */
  interruptFlagAddress(): bigint {
    return this.native.value(this.#addr.get("R_interrupts_pending")!);
  }

  /** R's session temp dir. */
  tempDir(): string {
    return this.native.cstring(this.native.readPtr(this.#addr.get("R_TempDir")!));
  }

  /** True when `x` is R's NULL. */
  isNull(x: SEXP): boolean {
    return this.native.equals(x, this.global("R_NilValue"));
  }

  /** SEXPTYPE of x. */
  typeOf(x: SEXP): number {
    return this.fns.TYPEOF(x);
  }

  /** Length of a vector (long vectors included). */
  length(x: SEXP): number {
    return Number(this.fns.Rf_xlength(x));
  }

  /** A CHARSXP's text as a JS string (UTF-8, translating other encodings). */
  charToString(ch: SEXP): string {
    const n = this.fns.LENGTH(ch);
    if (n === 0) return "";
    const ce = this.fns.Rf_getCharCE(ch);
    if (ce === 0 || ce === 1 || ce === 3) {
      // native (UTF-8 locale), UTF-8, or bytes: read the bytes directly.
      return decoder.decode(new Uint8Array(this.native.view(this.fns.R_CHAR(ch), n)));
    }
    return this.native.cstring(this.fns.Rf_translateCharUTF8(ch));
  }

  /** Element i of a character vector, or null for NA. */
  stringElt(x: SEXP, i: number): string | null {
    const ch = this.fns.STRING_ELT(x, BigInt(i));
    if (this.native.equals(ch, this.global("R_NaString"))) return null;
    return this.charToString(ch);
  }

  /**
   * A fresh CHARSXP from UTF-8 bytes (not protected). Bytes with a NUL are refused here: R
   * would raise an error from C, which must never unwind through the FFI boundary.
   */
  mkChar(bytes: Uint8Array): SEXP {
    if (bytes.includes(0)) {
      throw new BrmstsTypeError('R strings cannot contain NUL characters ("\\0")');
    }
    if (bytes.length === 0) {
      return this.fns.Rf_mkCharLenCE(this.native.ptrOf(new Uint8Array(1)), 0, 1);
    }
    return this.fns.Rf_mkCharLenCE(this.native.ptrOf(bytes), bytes.length, 1);
  }

  /** A length-one character vector (not protected). */
  mkString(s: string): SEXP {
    return this.fns.Rf_ScalarString(this.mkChar(encoder.encode(s))); // it protects its argument
  }

  /** Builds the call `fn(args...)` (not protected). Arguments must be protected by the caller. */
  lang(fn: SEXP, ...args: SEXP[]): SEXP {
    const f = this.fns;
    // R's own constructors protect their arguments while they allocate.
    if (args.length === 0) return f.Rf_lang1(fn);
    if (args.length === 1) return f.Rf_lang2(fn, args[0]);
    if (args.length === 2) return f.Rf_lang3(fn, args[0], args[1]);
    let tail = this.global("R_NilValue");
    for (let i = args.length - 1; i >= 0; i--) {
      f.Rf_protect(tail);
      tail = f.Rf_cons(args[i], tail);
      f.Rf_unprotect(1);
    }
    f.Rf_protect(tail);
    const call = f.Rf_lcons(fn, tail);
    f.Rf_unprotect(1);
    return call;
  }

  /**
   * Evaluates `expr` in the global environment with R's C-level trap. Returns null when R
   * signalled an error that escaped the R-level trap (the message is in `geterrmessage()`).
   */
  tryEval(expr: SEXP): SEXP | null {
    const err = this.#err;
    const res = this.fns.R_tryEvalSilent(expr, this.global("R_GlobalEnv"), err);
    return err[0] !== 0 ? null : res;
  }

  readonly #status = new Int32Array(1);
  readonly #err = new Int32Array(1);

  /** Parses R source into an expression vector, or null on a syntax error. */
  parse(code: string): SEXP | null {
    const text = this.fns.Rf_protect(this.mkString(code));
    const status = this.#status;
    const exprs = this.fns.R_ParseVector(text, -1, status, this.global("R_NilValue"));
    this.fns.Rf_unprotect(1);
    return status[0] === 1 ? exprs : null;
  }

  /** Removes R's session temp dir (call at exit). */
  cleanup(): void {
    this.fns.R_RunExitFinalizers();
    this.fns.R_CleanTempDir();
  }
}
