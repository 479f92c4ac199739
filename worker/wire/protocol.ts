/**
 * The request/response protocol between the main process (client) and the R worker (host).
 * Messages are JSON lines; bulk data travels out of band (see `format.ts`, `region.ts`). Kinds are string enums
 * and payloads discriminated unions.
 *
 * @module
 */
import type { BufDesc, Wire } from "./format.ts";

/** What the main process asks of the worker. */
export enum RequestKind {
  /** Parse and evaluate R source in the global environment. */
  Eval = "eval",
  /** Call an R function by name with converted arguments. */
  Call = "call",
  /** Report versions, paths and resource counts. */
  Status = "status",
  /** Clean up and exit. */
  Shutdown = "shutdown",
}

/**
 * How the worker's C heap treats memory R frees during a call. `reuse`: it stays in the heap for
 * the next call (no fresh pages to fault in: chunked passes whose calls allocate alike); `release`:
 * the same during the call, then free heap memory goes back to the OS. Any call without a policy
 * releases first if the previous one was `reuse`.
 */
export type HeapPolicy = "reuse" | "release";

/** How a result is converted. `auto`: plain data to JS, anything else to an RObject handle. */
export type ConvertMode = "auto" | "handle" | "value";

/** Fields every request carries. */
interface Base {
  id: number;
  /** Handles to release before this request runs. */
  release?: number[];
  /** Worker-owned shared-memory leases the main process no longer uses. */
  leases?: number[];
  /** Main-owned shared-memory segments destroyed: the worker unmaps its side. */
  drop?: string[];
}

/** A request. */
export type Request =
  | Base & { kind: RequestKind.Eval; code: string; convert: ConvertMode }
  | Base & {
    kind: RequestKind.Call;
    fn: string;
    args: WireArg[];
    convert: ConvertMode;
    /** The byte region the arguments' leaves point into. */
    buf?: BufDesc;
    /** The worker's heap policy for this call (see {@link HeapPolicy}). */
    heap?: HeapPolicy;
  }
  | Base & { kind: RequestKind.Status }
  | Base & { kind: RequestKind.Shutdown };

/** One argument of a call: positional when `name` is absent. */
export interface WireArg {
  name?: string;
  value: Wire;
}

/** What the worker sends back. */
export enum EventKind {
  /** The worker has initialised R. */
  Ready = "ready",
  /** A request succeeded. */
  Result = "result",
  /** A request failed inside R (or in conversion). */
  Error = "error",
  /** Console output (R's console, or raw output of R's child processes). */
  Log = "log",
  /** The worker could not start. */
  Fatal = "fatal",
}

/** Which kind of failure an Error event reports. */
export enum FailureKind {
  R = "r-error",
  Parse = "parse-error",
  Interrupt = "interrupt",
  Conversion = "conversion",
}

/** Facts the worker reports once started. */
export interface ReadyInfo {
  /** The worker process's id. */
  pid: number;
  /** The runtime the worker runs on. */
  runtime: "deno" | "bun";
  /** `R.version.string`. */
  rVersion: string;
  /** R's home directory. */
  rHome: string;
  /** R's session temporary directory. */
  tempDir: string;
  /** The FIFO the client writes a call id to, to abort that call. */
  abortFifo: string;
  /** Prefix of the shared-memory names this worker creates. */
  shmPrefix: string;
}

/** An event. */
export type Event =
  | { kind: EventKind.Ready; info: ReadyInfo }
  | {
    kind: EventKind.Result;
    id: number;
    value: Wire;
    /** The byte region the value's leaves point into. */
    buf?: BufDesc;
    /** Worker-owned segments destroyed: the main process unmaps its side. */
    drop?: string[];
    warnings: string[];
    messages: string[];
  }
  | {
    kind: EventKind.Error;
    id: number;
    failure: FailureKind;
    message: string;
    rCall: string | null;
    rTraceback: string[];
    warnings: string[];
    messages: string[];
  }
  | { kind: EventKind.Log; stream: LogStream; text: string; id?: number }
  | { kind: EventKind.Fatal; name: string; message: string };

/** Where console text came from: R's stdout/stderr, or raw output of R's child processes. */
export type LogStream = "stdout" | "stderr" | "raw";
