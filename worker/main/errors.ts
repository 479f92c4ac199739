/**
 * The worker's typed errors, one class per failure kind, all extending {@link BrmstsError}.
 *
 * @module
 */
import { BrmstsError } from "../../errors.ts";
import { type Event, type EventKind, FailureKind } from "../wire/protocol.ts";

/**
 * An error raised by R while evaluating a request. The worker stays alive.
 *
 * @example
 * ```ts
 * try { await evalR('stop("boom")'); } catch (e) {
 *   if (e instanceof RError) console.log(e.message, e.rCall, e.rTraceback);
 * }
 * ```
 */
export class RError extends BrmstsError {
  override name = "RError";
  /** The call R reported for the condition (`conditionCall`), or null (e.g. brms's `stop2`). */
  readonly rCall: string | null;
  /** The R call stack at the error, outermost first. */
  readonly rTraceback: string[];
  /** Warnings raised before the error. */
  readonly warnings: string[];
  /** Messages raised before the error. */
  readonly messages: string[];
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
 * await evalR("1 +").catch((e) => e instanceof RParseError); // true
 * ```
 */
export class RParseError extends RError {
  override name = "RParseError";
}

/**
 * The worker process died (segfault, `q()`, killed, out of memory) while the call was pending.
 *
 * @example
 * ```ts
 * await evalR('q("no")').catch((e) => {
 *   if (e instanceof RWorkerCrashedError) console.log(e.recovered, e.exitCode, e.signal);
 * });
 * ```
 */
export class RWorkerCrashedError extends BrmstsError {
  override name = "RWorkerCrashedError";
  /** True when a fresh worker was started and later calls will use it. */
  readonly recovered: boolean;
  /** The worker's exit code, when it exited. */
  readonly exitCode: number | null;
  /** The signal that killed the worker, when one did. */
  readonly signal: string | null;
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
 * const ac = new AbortController();
 * setTimeout(() => ac.abort(), 100);
 * await evalR("while (TRUE) {}", { signal: ac.signal }).catch((e) => e instanceof RAbortError);
 * ```
 */
export class RAbortError extends BrmstsError {
  override name = "RAbortError";
  /** True when R did not yield in time and the worker was killed and restarted. */
  readonly workerRestarted: boolean;
  constructor(message: string, init: { workerRestarted: boolean; cause?: unknown }) {
    super(message, { cause: init.cause });
    this.workerRestarted = init.workerRestarted;
  }
}

/**
 * The worker could not be started (no R, no libR, a failed R start-up).
 *
 * @example
 * ```ts
 * await status().catch((e) => e instanceof RStartupError && console.error(e.message));
 * ```
 */
export class RStartupError extends BrmstsError {
  override name = "RStartupError";
}

/**
 * An RObject handle was used after its worker died or after it was disposed.
 *
 * @example
 * ```ts
 * const env = await evalR("new.env()") as RObject;
 * env.dispose();
 * await callR("ls", [env]).catch((e) => e instanceof RHandleError); // true
 * ```
 */
export class RHandleError extends BrmstsError {
  override name = "RHandleError";
}

/**
 * The typed error for a failed request: a parse error, a conversion error (a TypeError), or
 * an R error with its call, traceback and the conditions raised before it.
 *
 * @example
 * ```ts
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
      return new TypeError(ev.message);
    default:
      return new RError(ev.message, init);
  }
}
