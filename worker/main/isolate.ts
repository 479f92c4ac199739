/**
 * Isolated jobs on the main side: {@link RWorker.isolated} runs a function whose R calls all go
 * to a fresh copy of the worker's warm R session (forked from it, see worker/host/_isolate.ts),
 * which is thrown away afterwards.
 *
 * @module
 */
import type { CallOptions } from "./types.ts";

/**
 * The function name the worker host treats as "begin/end an isolated job" (the host side has
 * the same constant: worker/host/_isolate.ts; the main side never imports host code).
 */
export const ISOLATE_FN = ".brmstsIsolate";

/**
 * Facts about an isolated job's copy, passed to the function {@link RWorker.isolated} runs.
 *
 * @example
 * ```ts
 * import type { IsolatedJob } from "./isolate.ts";
 * const job: IsolatedJob = { pid: 1234, forkMs: 3.1 };
 * ```
 */
export interface IsolatedJob {
  /** The copy's process id. */
  pid: number;
  /** How long the fork took in the worker (ms). */
  forkMs: number;
}

let jobs = 0;

/** What {@link runIsolated} needs of a worker (RWorker implements it). */
interface Isolatable {
  call(fn: string, args?: unknown[], opts?: CallOptions): Promise<unknown>;
  readonly generation: number;
}

/**
 * Begins an isolated job in `w`, runs `fn`, ends the job (its copy is killed, reaped and its
 * temp files removed) whatever `fn` did.
 *
 * @example
 * ```ts
 * import { RWorker } from "./rworker.ts";
 * import { runIsolated } from "./isolate.ts";
 * const w = new RWorker();
 * await runIsolated(w, () => w.eval("x <- 1"));
 * await w.shutdown();
 * ```
 */
export async function runIsolated<W extends Isolatable, T>(
  w: W,
  fn: (worker: W, job: IsolatedJob) => T | Promise<T>,
  opts: CallOptions = {},
  mark: (id: number) => void = () => {},
): Promise<T> {
  const job = await w.call(ISOLATE_FN, ["begin"], {
    convert: "value",
    ...(opts.signal ? { signal: opts.signal } : {}),
  }) as IsolatedJob;
  const gen = w.generation;
  mark(++jobs);
  try {
    return await fn(w, job);
  } finally {
    mark(0);
    // A worker that died meanwhile took the copy with it; a new one must not start for this.
    if (w.generation === gen) await w.call(ISOLATE_FN, ["end"]).catch(() => {});
  }
}
