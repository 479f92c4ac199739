/**
 * Worker side: one embedded R session. Runs every request through the R-level trap, converts
 * results, and keeps the handle table. Synchronous by design: R is single-threaded.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import type { LibC } from "../../native/mod.ts";
import { type ConsoleSink, discoverRHome, LibR, type SEXP, SEXPTYPE } from "../../ffi/mod.ts";
import { HandleTable, makeCodec, type SexpReader, type SexpWriter } from "./sexp.ts";
import { wireInline as encode } from "../wire/format.ts";
import { ShmWorker } from "./shared_memory.ts";
import { Heap } from "./heap.ts";
import { installIsolate, Isolate, ISOLATE_FN } from "./_isolate.ts";
import {
  type ConvertMode,
  type Event,
  EventKind,
  FailureKind,
  type Request,
  RequestKind,
} from "../wire/protocol.ts";
import { BrmstsInternalError } from "../../errors.ts";

/** One R session in this process. */
export class Session {
  readonly r: LibR;
  readonly handles: HandleTable;
  readonly #tools: SEXP;
  readonly #fn = new Map<string, SEXP>();
  readonly #writer: SexpWriter;
  readonly #reader: SexpReader;
  readonly #heap: Heap;
  readonly #isolate: Isolate;

  constructor(
    libc: LibC,
    env: Record<string, string | undefined>,
    sink: ConsoleSink,
    /** True when the current request's evaluation was interrupted on purpose (an abort). */
    private readonly interrupted: () => boolean = () => false,
    /** Shared memory for bulk data (the host passes its own to manage its lifetime). */
    readonly shm: ShmWorker = new ShmWorker(libc, `/brmsts-w${libc.fns.getpid()}-`),
  ) {
    this.r = LibR.start(libc, discoverRHome(env), sink);
    this.#heap = new Heap(libc);
    const r = this.r;
    // The trap and the session's tools (bootstrap.R, beside this module).
    const exprs = r.parse(readFileSync(new URL("./bootstrap.R", import.meta.url), "utf8"));
    if (exprs === null) throw new BrmstsInternalError("internal: bootstrap R code does not parse");
    r.fns.Rf_protect(exprs);
    const tools = r.tryEval(r.fns.VECTOR_ELT(exprs, 0n));
    r.fns.Rf_unprotect(1);
    if (tools === null) throw new BrmstsInternalError("internal: bootstrap R code failed");
    r.fns.R_PreserveObject(tools);
    this.#tools = tools;
    this.handles = new HandleTable(r);
    const codec = makeCodec(r, this.handles, (x) => this.#describe(x), this.shm);
    this.#writer = codec.writer;
    this.#reader = codec.reader;
    this.#callTool("boost_fix");
    this.#callTool("fork_hook");
    installIsolate(r, tools);
    this.#isolate = new Isolate(r, (name, ...args) => this.#callTool(name, ...args));
  }

  /**
   * Byte-compiles the trap's closures (see `tools$compile` in the bootstrap); the host calls it
   * when the worker is first idle. Cached closures are dropped so the compiled ones are used.
   */
  compileTrap(): void {
    if (this.#callTool("compile") === null) return; // stays interpreted: slower, still correct
    for (const f of this.#fn.values()) this.r.fns.R_ReleaseObject(f);
    this.#fn.clear();
  }

  /** A closure from the tools environment, looked up once. */
  #tool(name: string): SEXP {
    let f = this.#fn.get(name);
    if (!f) {
      const r = this.r;
      const e = r.parse(`function(tools) tools$${name}`)!;
      r.fns.Rf_protect(e);
      const getter = r.tryEval(r.fns.VECTOR_ELT(e, 0n))!;
      r.fns.Rf_protect(getter);
      f = r.tryEval(r.lang(getter, this.#tools))!;
      r.fns.Rf_unprotect(2);
      r.fns.R_PreserveObject(f);
      this.#fn.set(name, f);
    }
    return f;
  }

  /** Calls a tool with protected arguments; returns the (unprotected) result or null. */
  #callTool(name: string, ...args: SEXP[]): SEXP | null {
    const r = this.r;
    const call = r.fns.Rf_protect(r.lang(this.#tool(name), ...args));
    const res = r.tryEval(call);
    r.fns.Rf_unprotect(1);
    return res;
  }

  #describe(x: SEXP): { cls: string[]; repr: string } {
    const r = this.r;
    const str = (res: SEXP | null): string[] => {
      if (res === null || r.typeOf(res) !== SEXPTYPE.STRSXP) return [];
      const out: string[] = [];
      for (let i = 0; i < r.length(res); i++) out.push(r.stringElt(res, i) ?? "NA");
      return out;
    };
    const cls = str(this.#callTool("classes", x));
    const repr = str(this.#callTool("repr", x)).join("\n");
    return { cls, repr };
  }

  /** Runs one request to completion and returns the event to send back. */
  handle(req: Request): Event | null {
    const heap = req.kind === RequestKind.Call ? req.heap : undefined;
    this.#heap.before(heap);
    try {
      return this.#handle(req);
    } finally {
      this.#heap.after(heap);
    }
  }

  #handle(req: Request): Event | null {
    if (req.release?.length) this.handles.release(req.release);
    if (req.kind === RequestKind.Call && req.fn === ISOLATE_FN) {
      const what = req.args[0]?.value;
      const res = this.#isolate.control(what?.t === "str" ? String(what.v?.[0]) : "");
      return this.#finish(req.id, res, "value");
    }
    if (this.#isolate.active && req.kind !== RequestKind.Status) return this.#inCopy(req);
    switch (req.kind) {
      case RequestKind.Status:
        return this.#status(req.id);
      case RequestKind.Eval: {
        // Parsed here (no R-level condition handling needed); source that does not parse goes
        // through R's parse() under the trap, for R's own message.
        const exprs = directParseSafe(req.code) ? this.r.parse(req.code) : null;
        const res = exprs === null
          ? this.#callTool("run_text", this.r.fns.Rf_protect(this.r.mkString(req.code)))
          : this.#callTool("run_exprs", this.r.fns.Rf_protect(exprs));
        this.r.fns.Rf_unprotect(1);
        return this.#finish(req.id, res, req.convert);
      }
      case RequestKind.Call: {
        let args: SEXP;
        try {
          args = this.#args(req.args);
        } catch (e) {
          return failure(req.id, FailureKind.Conversion, (e as Error).message);
        }
        const fn = this.r.fns.Rf_protect(this.r.mkString(req.fn));
        const res = this.#callTool("run_call", fn, args);
        this.r.fns.Rf_unprotect(2);
        return this.#finish(req.id, res, req.convert);
      }
      case RequestKind.Shutdown:
        return null;
    }
  }

  /** Runs an eval or call request in the isolated copy (see _isolate.ts). */
  #inCopy(req: Request): Event | null {
    if (req.kind === RequestKind.Shutdown || req.kind === RequestKind.Status) return null;
    let payload: SEXP; // protected
    try {
      payload = req.kind === RequestKind.Eval
        ? this.r.fns.Rf_protect(this.r.mkString(req.code))
        : this.#args(req.args);
    } catch (e) {
      return failure(req.id, FailureKind.Conversion, (e as Error).message);
    }
    const fn = req.kind === RequestKind.Call ? req.fn : "";
    const kind = req.kind === RequestKind.Eval ? "eval" : "call";
    const res = this.#isolate.run(kind, fn, payload, req.convert, this.interrupted);
    this.r.fns.Rf_unprotect(1);
    return this.#finish(req.id, res, req.convert);
  }

  /** Builds the protected argument list (a named VECSXP). */
  #args(args: { name?: string; value: import("../wire/format.ts").Wire }[]): SEXP {
    const r = this.r, f = r.fns;
    const list = f.Rf_protect(f.Rf_allocVector(SEXPTYPE.VECSXP, BigInt(args.length)));
    const names = f.Rf_protect(f.Rf_allocVector(SEXPTYPE.STRSXP, BigInt(args.length)));
    const enc = new TextEncoder();
    this.#reader.reset();
    try {
      args.forEach((a, i) => {
        f.SET_VECTOR_ELT(list, BigInt(i), this.#reader.read(a.value));
        f.SET_STRING_ELT(names, BigInt(i), r.mkChar(enc.encode(a.name ?? "")));
      });
    } catch (e) {
      f.Rf_unprotect(2);
      throw e;
    }
    f.Rf_setAttrib(list, r.global("R_NamesSymbol"), names);
    f.Rf_unprotect(1);
    return list;
  }

  #finish(id: number, res: SEXP | null, mode: ConvertMode): Event {
    const r = this.r, f = r.fns;
    const el = (x: SEXP, i: number) => f.VECTOR_ELT(x, BigInt(i));
    const strs = (x: SEXP) => {
      const out: string[] = [];
      for (let i = 0, n = r.length(x); i < n; i++) out.push(r.stringElt(x, i) ?? "NA");
      return out;
    };
    if (res === null) {
      // An R error (recorded by the trap's calling handler) or an interrupt unwound to
      // R_tryEvalSilent.
      // A late abort may have raised the flag after R finished: clear it so that failure()
      // (which also clears the trap's state) runs.
      r.setInterruptPending(false);
      const fail = this.#callTool("failure");
      if (this.interrupted()) return failure(id, FailureKind.Interrupt, "interrupted");
      if (fail === null || r.isNull(el(fail, 0))) {
        return failure(id, FailureKind.R, `R failed outside the error trap: ${this.#lastError()}`);
      }
      f.Rf_protect(fail);
      try {
        const e = el(fail, 0), call = el(e, 2);
        return {
          kind: EventKind.Error,
          id,
          failure: strs(el(e, 0))[0] === "parse-error" ? FailureKind.Parse : FailureKind.R,
          message: strs(el(e, 1))[0] ?? "",
          rCall: r.isNull(call) ? null : strs(call)[0],
          rTraceback: strs(el(e, 3)),
          warnings: strs(el(fail, 1)),
          messages: strs(el(fail, 2)),
        };
      } finally {
        f.Rf_unprotect(1);
      }
    }
    f.Rf_protect(res);
    try {
      const warnings = strs(el(res, 1)), messages = strs(el(res, 2));
      let value, buf;
      try {
        ({ value, buf } = this.#writer.encode(el(res, 0), mode));
      } catch (e) {
        return failure(
          id,
          FailureKind.Conversion,
          `converting the result: ${(e as Error).message}`,
        );
      }
      return { kind: EventKind.Result, id, value, buf, warnings, messages };
    } finally {
      f.Rf_unprotect(1);
    }
  }

  #lastError(): string {
    const r = this.r;
    const e = r.parse("geterrmessage()");
    if (e === null) return "unknown error";
    r.fns.Rf_protect(e);
    const msg = r.tryEval(r.fns.VECTOR_ELT(e, 0n));
    r.fns.Rf_unprotect(1);
    return msg === null ? "unknown error" : (r.stringElt(msg, 0) ?? "").trim();
  }

  #status(id: number): Event {
    const res = this.#callTool("status");
    if (res === null) return failure(id, FailureKind.R, "status() failed");
    this.r.fns.Rf_protect(res);
    const w = this.#writer.write(res, "value");
    this.r.fns.Rf_unprotect(1);
    const v = (w as { v: Wire[] }).v;
    const s = (x: Wire) => (x.t === "str" ? x.v ?? [] : []);
    const info = {
      rVersion: s(v[0])[0],
      rHome: s(v[1])[0],
      brms: s(v[2])[0],
      rstan: s(v[3])[0],
      cmdstanr: s(v[4])[0],
      libPaths: s(v[5]),
      tempDir: s(v[6])[0],
      preservedObjects: this.handles.size,
    };
    return { kind: EventKind.Result, id, value: encode(info), warnings: [], messages: [] };
  }

  /** R's version string (for the ready message). */
  rVersion(): string {
    const res = this.#callTool("status");
    if (res === null) return "unknown";
    return this.r.stringElt(this.r.fns.VECTOR_ELT(res, 0n), 0) ?? "unknown";
  }
}

type Wire = import("../wire/format.ts").Wire;

function failure(id: number, failure: FailureKind, message: string): Event {
  return {
    kind: EventKind.Error,
    id,
    failure,
    message,
    rCall: null,
    rTraceback: [],
    warnings: [],
    messages: [],
  };
}

/**
 * Whether R_ParseVector can be called on `code` outside the trap. Most syntax errors come back
 * as a status, but a few raise an R error that would unwind past the host and end the worker:
 * more than 50 nested brackets ("contextstack overflow") and over-long tokens ("variable names
 * are limited to 10000 bytes"). Source that could hit either (deep nesting counted naively, or
 * long source) is parsed by R's parse() under the trap instead.
 */
function directParseSafe(code: string): boolean {
  if (code.length > 8192) return false;
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) { // ( [ {
      if (++depth > 40) return false;
    } else if (c === 41 || c === 93 || c === 125) depth--; // ) ] }
  }
  return true;
}
