/**
 * The worker's typed errors, one class per failure kind, all extending {@link BrmstsError}.
 *
 * @module
 */
import { BrmstsError, BrmstsTypeError } from "../../errors.ts";
import { type Event, type EventKind, FailureKind } from "../wire/protocol.ts";

/**
 * An error raised by R while evaluating a request. The worker stays alive.
 *
 * @example
 * ```ts
 * import { evalR } from "../../mod.ts";
 * try { await evalR('stop("boom")'); } catch (e) {
 *   if (e instanceof RError) console.log(e.message, e.rCall, e.rTraceback);
 * }
 * ```
 */
export class RError extends BrmstsError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "R_ERROR";
  /** The call R reported for the condition (`conditionCall`), or null (e.g. brms's `stop2`). */
  readonly rCall: string | null;
  /** The R call stack at the error, outermost first. */
  readonly rTraceback: string[];
  /** Warnings raised before the error. */
  readonly warnings: string[];
  /** Messages raised before the error. */
  readonly messages: string[];
  /** Creates the error (see the class for its fields). */
  constructor(
    message: string,
    init: {
      rCall?: string | null;
      rTraceback?: string[];
      warnings?: string[];
      messages?: string[];
    } = {},
  ) {
    super(message);
    this.rCall = init.rCall ?? null;
    this.rTraceback = init.rTraceback ?? [];
    this.warnings = init.warnings ?? [];
    this.messages = init.messages ?? [];
  }
}

/**
 * R could not parse the code given to `evalR`.
 *
 * @example
 * ```ts
 * import { evalR } from "../../mod.ts";
 * await evalR("1 +").catch((e) => e instanceof RParseError); // true
 * ```
 */
export class RParseError extends RError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "R_PARSE";
}

/**
 * The worker process died (segfault, `q()`, killed, out of memory) while the call was pending.
 *
 * @example
 * ```ts
 * import { evalR } from "../../mod.ts";
 * await evalR('q("no")').catch((e) => {
 *   if (e instanceof RWorkerCrashedError) console.log(e.recovered, e.exitCode, e.signal);
 * });
 * ```
 */
export class RWorkerCrashedError extends BrmstsError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "WORKER_CRASHED";
  /** True when a fresh worker was started and later calls will use it. */
  readonly recovered: boolean;
  /** The worker's exit code, when it exited. */
  readonly exitCode: number | null;
  /** The signal that killed the worker, when one did. */
  readonly signal: string | null;
  /** Creates the error (see the class for its fields). */
  constructor(
    message: string,
    init: { recovered: boolean; exitCode: number | null; signal: string | null },
  ) {
    super(message);
    this.recovered = init.recovered;
    this.exitCode = init.exitCode;
    this.signal = init.signal;
  }
}

/**
 * The call was cancelled through its AbortSignal.
 *
 * @example
 * ```ts
 * import { evalR } from "../../mod.ts";
 * const ac = new AbortController();
 * setTimeout(() => ac.abort(), 100);
 * await evalR("while (TRUE) {}", { signal: ac.signal }).catch((e) => e instanceof RAbortError);
 * ```
 */
export class RAbortError extends BrmstsError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "ABORTED";
  /** True when R did not yield in time and the worker was killed and restarted. */
  readonly workerRestarted: boolean;
  /** Creates the error (see the class for its fields). */
  constructor(
    message: string,
    init: { workerRestarted: boolean; cause?: unknown; code?: string },
  ) {
    super(message, { cause: init.cause, code: init.code });
    this.workerRestarted = init.workerRestarted;
  }
}

/**
 * The worker could not be started (no R, no libR, a failed R start-up).
 *
 * @example
 * ```ts
 * import { status } from "../../mod.ts";
 * await status().catch((e) => e instanceof RStartupError && console.error(e.message));
 * ```
 */
export class RStartupError extends BrmstsError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "WORKER_STARTUP";
}

/**
 * An RObject handle was used after its worker died or after it was disposed.
 *
 * @example
 * ```ts
 * import { RObject, callR, evalR } from "../../mod.ts";
 * const env = await evalR("new.env()") as RObject;
 * env.dispose();
 * await callR("ls", [env]).catch((e) => e instanceof RHandleError); // true
 * ```
 */
export class RHandleError extends BrmstsError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "R_HANDLE";
}

/**
 * The typed error for a failed request: a parse error, a conversion error (a TypeError), or
 * an R error with its call, traceback and the conditions raised before it.
 *
 * @example
 * ```ts
 * declare const ev: any;
 * declare const task: any;
 * task.reject(errorFromEvent(ev));
 * ```
 */
export function errorFromEvent(ev: Extract<Event, { kind: EventKind.Error }>): Error {
  const init = {
    rCall: ev.rCall,
    rTraceback: ev.rTraceback,
    warnings: ev.warnings,
    messages: ev.messages,
  };
  switch (ev.failure) {
    case FailureKind.Parse:
      return new RParseError(ev.message, init);
    case FailureKind.Conversion:
      return new BrmstsTypeError(ev.message, { code: "R_CONVERSION" });
    default:
      return new RError(ev.message, init);
  }
}

/**
 * A call aborted while it still waited in the queue (R never saw it).
 *
 * @example
 * ```ts
 * abortedBeforeStart("timeout").workerRestarted; // false
 * ```
 */
export function abortedBeforeStart(reason: unknown): RAbortError {
  return new RAbortError("the call was aborted before it started", {
    workerRestarted: false,
    cause: reason,
    code: "ABORTED_QUEUED",
  });
}

/**
 * A call aborted while R ran it: R was interrupted and the worker lives on.
 *
 * @example
 * ```ts
 * abortedAndInterrupted("user").message;
 * ```
 */
export function abortedAndInterrupted(reason: unknown): RAbortError {
  return new RAbortError("the call was aborted; R was interrupted and the worker is alive", {
    workerRestarted: false,
    cause: reason,
    code: "ABORTED_INTERRUPTED",
  });
}

/**
 * A call aborted while R did not yield within the grace period: the worker was killed (and
 * restarted when `recovered`).
 *
 * @example
 * ```ts
 * abortedAndKilled(3000, true, undefined).workerRestarted; // true
 * ```
 */
export function abortedAndKilled(
  graceMs: number,
  recovered: boolean,
  signal: AbortSignal | undefined,
): RAbortError {
  return new RAbortError(
    `the call was aborted; R did not yield within ${graceMs} ms, so the worker was killed` +
      (recovered ? " and restarted" : " (restart failed)"),
    { workerRestarted: recovered, cause: signal?.reason, code: "ABORTED_KILLED" },
  );
}

/**
 * The worker died while a call ran or waited (`cause`: "exit code N" or "signal S").
 *
 * @example
 * ```ts
 * crashedDuringCall(42, "signal SIGKILL", { code: null, signal: "SIGKILL" }, true, undefined);
 * ```
 */
export function crashedDuringCall(
  pid: number | undefined,
  cause: string,
  status: { code: number | null; signal: string | null },
  recovered: boolean,
  restartError: unknown,
): RWorkerCrashedError {
  return new RWorkerCrashedError(
    `the R worker (pid ${pid}) died during the call (${cause}); ` +
      (recovered
        ? "a fresh worker was started"
        : `no fresh worker could be started: ${restartError}`),
    { recovered, exitCode: status.code, signal: status.signal },
  );
}

/**
 * The worker exited before it was ready (`fatal`: what it reported, if anything).
 *
 * @example
 * ```ts
 * startupFailed("exit code 1", "RNotFoundError: R was not found").message;
 * ```
 */
export function startupFailed(cause: string, fatal: string | undefined): RStartupError {
  return new RStartupError(
    `the R worker failed to start (${cause})${fatal ? `: ${fatal}` : ""}`,
  );
}
