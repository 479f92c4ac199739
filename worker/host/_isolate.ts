/**
 * Worker side of isolated jobs: a fresh copy of this worker's warm R session per job, forked
 * from it (parallel::mcfork, see fork.R), instead of a fresh R process.
 *
 * While a copy is active, every eval/call request of the client runs in the copy: this process
 * (the template) reads the arguments as usual, sends them to the copy serialized, waits for the
 * copy's serialized reply and converts it as usual (into shared memory for bulk data). The extra
 * step is thus one `serialize` in the copy, a pipe, and one `unserialize` in the template per
 * request. Objects with no plain form stay in the copy; the template holds a marker for each.
 *
 * Threads: the fork copies only the thread that calls it, R's (this process's main thread);
 * the JS runtime's other threads (the watcher, the runtime's own) do not exist in the copy. The
 * copy therefore never returns into JS: it runs an R loop until it is killed or calls
 * `parallel:::mcexit` (`_exit`, no atexit handlers of the runtime), also when an error unwinds
 * or user code calls `q()`. Its console output goes through sinks on fds 1/2 (the session's
 * fork hook), never through the console callback, which is JS.
 *
 * Waiting is done here, in short slices (`iso_wait`, 50 ms), so that an abort (the watcher
 * raises the interrupt flag and the INTERRUPTED mark) is seen at once: the copy is killed (its
 * R state is the job's, nothing to save) and the request fails as interrupted; the template
 * lives on.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { type LibR, type SEXP, SEXPTYPE } from "../../ffi/mod.ts";
import { BrmstsInternalError } from "../../errors.ts";

/**
 * The function name that begins or ends an isolated job (`args[0]`: "begin" or "end"); the same
 * constant as worker/main/isolate.ts (main and host share no code but wire/).
 */
export const ISOLATE_FN = ".brmstsIsolate";

/** Calls a tool of the session's tools environment; null when R failed. */
export type CallTool = (name: string, ...args: SEXP[]) => SEXP | null;

/** Installs the iso_* tools of fork.R into the session's tools environment. */
export function installIsolate(r: LibR, tools: SEXP): void {
  const exprs = r.parse(readFileSync(new URL("./fork.R", import.meta.url), "utf8"));
  if (exprs === null) throw new BrmstsInternalError("fork.R does not parse");
  r.fns.Rf_protect(exprs);
  const install = r.tryEval(r.fns.VECTOR_ELT(exprs, 0n));
  if (install === null) {
    r.fns.Rf_unprotect(1);
    throw new BrmstsInternalError("fork.R failed");
  }
  r.fns.Rf_protect(install);
  const ok = r.tryEval(r.fns.Rf_protect(r.lang(install, tools)));
  r.fns.Rf_unprotect(3);
  if (ok === null) throw new BrmstsInternalError("installing fork.R's tools failed");
}

/** The template's side of its copies: at most one active at a time. */
export class Isolate {
  #active = false;
  /** R_Outputfile and R_Consolefile, and the value to give them in a copy (libc's stderr). */
  readonly #files: BigUint64Array[];
  readonly #stderr: bigint;

  constructor(private readonly r: LibR, private readonly call: CallTool) {
    const n = r.native, libc = r.libc;
    const word = (p: ReturnType<typeof libc.symbolAddress>) => new BigUint64Array(n.view(p, 8));
    this.#files = ["R_Outputfile", "R_Consolefile"].map((g) =>
      word(libc.symbolAddress(r.rhome.libR, g))
    );
    this.#stderr = word(libc.symbolAddress("libc.so.6", "stderr"))[0];
  }

  /**
   * Forks with R's console files set to libc's (unbuffered) stderr, fd 2: the copy inherits
   * them, so whatever R prints there without a sink (code that resets the message sink, as
   * capture.output does) goes to fd 2 and never through the console callback, which is JS.
   * The template's own are put back (NULL: the callback) as soon as the fork returns.
   */
  #fork(): SEXP | null {
    for (const w of this.#files) w[0] = this.#stderr;
    try {
      return this.call("iso_begin");
    } finally {
      for (const w of this.#files) w[0] = 0n;
    }
  }

  /** Whether requests currently go to a copy. */
  get active(): boolean {
    return this.#active;
  }

  /**
   * Begins or ends an isolated job; returns a trap-shaped result (list(value, NULL, NULL)) or
   * null with the trap's failure state set.
   */
  control(what: string): SEXP | null {
    if (what === "begin") {
      if (this.#active) return this.#fail("this worker is already running an isolated job");
      const res = this.#fork();
      if (res !== null) this.#active = true;
      return res;
    }
    if (what === "end") {
      this.call("iso_end");
      this.#active = false;
      return this.call("iso_ok");
    }
    return this.#fail(`unknown isolate control "${what}"`);
  }

  /**
   * Runs one request in the copy: `payload` is the R source (eval) or the argument list (call,
   * protected by the caller). Returns what the trap returns (null on failure, state set).
   */
  run(
    kind: "eval" | "call",
    fn: string,
    payload: SEXP,
    convert: string,
    interrupted: () => boolean,
  ): SEXP | null {
    const r = this.r, f = r.fns;
    const fnS = f.Rf_protect(r.mkString(fn));
    const kindS = f.Rf_protect(r.mkString(kind));
    const convS = f.Rf_protect(r.mkString(convert));
    const sent = this.call("iso_send", kindS, fnS, payload, convS);
    f.Rf_unprotect(3);
    if (sent === null && interrupted()) return this.#abort();
    for (;;) {
      if (interrupted()) return this.#abort();
      const res = this.call("iso_wait");
      if (res === null) {
        if (interrupted()) return this.#abort();
        this.call("iso_kill"); // R failed in the template itself: give the copy up
        this.#fail("dead");
        return null;
      }
      const t = r.typeOf(res);
      if (t === SEXPTYPE.NILSXP) continue; // still working
      if (t === SEXPTYPE.VECSXP) return res; // list(value, warnings, messages)
      return null; // failed: iso_wait set the trap's state
    }
  }

  #abort(): null {
    this.r.setInterruptPending(false);
    this.call("iso_kill");
    return null;
  }

  #fail(message: string): null {
    const f = this.r.fns;
    this.call("iso_fail_message", f.Rf_protect(this.r.mkString(message)));
    f.Rf_unprotect(1);
    return null;
  }
}
