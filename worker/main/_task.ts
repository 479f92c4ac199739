/**
 * One queued call of a worker client: its request body, how its request line is built (shared
 * memory for the arguments' bulk data and for long lines) and how its result, error or abort
 * settles it. Private to `worker/main/`.
 *
 * @module
 */
import { closeSync, constants, openSync, writeSync } from "node:fs";
import type { CopyPlan } from "./encode.ts";
import { decode, type DecodeContext } from "./decode.ts";
import {
  abortedAndInterrupted,
  abortedAndKilled,
  crashedDuringCall,
  errorFromEvent,
  RStartupError,
} from "./errors.ts";
import { type HandleOwner, RObject } from "./robject.ts";
import type { Child, ExitStatus } from "./_spawn.ts";
import {
  type ConvertMode,
  type Event,
  EventKind,
  type HeapPolicy,
  type Request,
  RequestKind,
  type WireArg,
} from "../wire/protocol.ts";
import type { ShmMain } from "./shared_memory.ts";
import type { CallOptions, RResult } from "./types.ts";

const encoder = new TextEncoder();

/**
 * A request without its id and shared-memory fields.
 *
 * @example
 * ```ts
 * import { RequestKind } from "../wire/protocol.ts";
 * const b: Body = { kind: RequestKind.Status };
 * ```
 */
export type Body =
  | { kind: RequestKind.Eval; code: string; convert: ConvertMode }
  | {
    kind: RequestKind.Call;
    fn: string;
    args: WireArg[];
    convert: ConvertMode;
    heap?: HeapPolicy;
  }
  | { kind: RequestKind.Status };

/**
 * A result event.
 *
 * @example
 * ```ts
 * declare const ev: ResultEvent;
 * ev.warnings;
 * ```
 */
export type ResultEvent = Extract<Event, { kind: EventKind.Result }>;

/**
 * A call on its way through the queue.
 *
 * @example
 * ```ts
 * declare const t: Task;
 * t.cleanup();
 * ```
 */
export interface Task {
  id: number;
  body: Body;
  /** The copy plan of the arguments' bulk data, run into the request's region at send time. */
  plan?: CopyPlan;
  opts: CallOptions;
  resolve: (ev: ResultEvent) => void;
  reject: (e: Error) => void;
  aborted?: boolean;
  /** A start-up script, sent outside the queue: its end does not start the next call. */
  direct?: boolean;
  graceTimer?: ReturnType<typeof setTimeout>;
  cleanup: () => void;
}

/**
 * The bytes of a task's request line for worker `pid`, with the handle releases it carries; the
 * task's cleanup returns its shared memory. Throws (leaving nothing held) when shared memory
 * cannot be had.
 *
 * @example
 * ```ts
 * declare const task: Task;
 * declare const shm: any;
 * const bytes = requestLine(task, [], shm, 42);
 * ```
 */
export function requestLine(task: Task, release: number[], shm: ShmMain, pid: number): Uint8Array {
  const region = shm.prepare(task.plan, pid);
  const req = { ...task.body, id: task.id, release, ...region.fields } as Request;
  let line;
  try {
    line = shm.wrapLine(task.id, encoder.encode(JSON.stringify(req) + "\n"), pid);
  } catch (e) {
    region.done();
    throw e;
  }
  const before = task.cleanup;
  task.cleanup = () => (before(), region.done(), line.done());
  return line.bytes;
}

/**
 * The request line of a start-up script (no arguments, no releases); `done` returns its memory.
 *
 * @example
 * ```ts
 * import { RequestKind } from "../wire/protocol.ts";
 * declare const shm: any;
 * const { bytes, done } = directLine(7, { kind: RequestKind.Status }, shm, 42);
 * ```
 */
export function directLine(
  id: number,
  body: Body,
  shm: ShmMain,
  pid: number,
): { bytes: Uint8Array; done: () => void } {
  return shm.wrapLine(id, encoder.encode(JSON.stringify({ ...body, id }) + "\n"), pid);
}

/**
 * Settles the in-flight task with its result or error event (already taken off the client).
 *
 * @example
 * ```ts
 * declare const task: Task;
 * declare const ev: any;
 * declare const shm: any;
 * settleTask(task, ev, shm);
 * ```
 */
export function settleTask(
  task: Task,
  ev: Extract<Event, { kind: EventKind.Result | EventKind.Error }>,
  shm: ShmMain,
): void {
  clearTimeout(task.graceTimer);
  task.cleanup();
  if (task.aborted) {
    if (ev.kind === EventKind.Result) shm.discard(ev);
    task.reject(abortedAndInterrupted(task.opts.signal?.reason));
  } else if (ev.kind === EventKind.Result) {
    try {
      task.resolve(ev);
    } catch (e) {
      task.reject(e as Error);
    }
  } else {
    task.reject(errorFromEvent(ev));
  }
}

/**
 * Fails the calls a worker's death took with it (`inflight` was aborted by its caller when
 * `abortKill`); `recovered` says whether a new worker now runs.
 *
 * @example
 * ```ts
 * declare const victims: Task[];
 * failVictims(victims, undefined, false, {
 *   pid: 42, cause: "signal SIGKILL", status: { code: null, signal: "SIGKILL" },
 *   recovered: true, restartError: undefined, graceMs: 3000,
 * });
 * ```
 */
export function failVictims(
  victims: Task[],
  inflight: Task | undefined,
  abortKill: boolean,
  why: {
    pid: number | undefined;
    cause: string;
    status: ExitStatus;
    recovered: boolean;
    restartError: unknown;
    graceMs: number;
  },
): void {
  for (const t of victims) {
    clearTimeout(t.graceTimer);
    t.cleanup();
    if (abortKill && t === inflight) {
      t.reject(abortedAndKilled(why.graceMs, why.recovered, t.opts.signal));
    } else {
      t.reject(
        crashedDuringCall(why.pid, why.cause, why.status, why.recovered, why.restartError),
      );
    }
  }
}

/**
 * Decodes a result: maps its region, decodes the wire tree (handles belong to `owner`'s worker
 * generation `gen`), settles the region's lease.
 *
 * @example
 * ```ts
 * declare const ev: ResultEvent;
 * declare const shm: any;
 * declare const owner: any;
 * const { value } = decodeResult(ev, shm, owner, 0);
 * ```
 */
export function decodeResult(
  ev: ResultEvent,
  shm: ShmMain,
  owner: HandleOwner,
  gen: number,
): RResult {
  const result = shm.openResult(ev);
  const ctx: DecodeContext = {
    region: result.region,
    handle: (h) => new RObject(h.id, h.cls ?? [], h.type ?? "", h.repr ?? "", owner, gen),
    views: 0,
  };
  let value: unknown;
  try {
    value = decode(ev.value, ctx);
  } finally {
    result.settle(ctx.views);
  }
  return { value, warnings: ev.warnings, messages: ev.messages };
}

/**
 * Runs a worker's start-up scripts in order; the first failure calls `discard` and throws an
 * `RStartupError` naming the script.
 *
 * @example
 * ```ts
 * await runStartupScripts(["library(stats)"], async () => {}, async () => {});
 * ```
 */
export async function runStartupScripts(
  scripts: readonly string[],
  run: (code: string) => Promise<unknown>,
  discard: () => Promise<void>,
): Promise<void> {
  for (let i = 0; i < scripts.length; i++) {
    try {
      await run(scripts[i]);
    } catch (e) {
      await discard();
      const first = scripts[i].split("\n").find((l) => l.trim()) ?? "";
      const shown = first.length > 60 ? first.slice(0, 60) + "…" : first;
      throw new RStartupError(
        `startupScripts[${i}] (${JSON.stringify(shown)}) failed: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }
}

/**
 * The write end of a worker's abort FIFO: writing a call's id there interrupts R in that call.
 *
 * @example
 * ```ts
 * const line = new AbortLine();
 * line.interrupt(3); // no FIFO open: nothing happens
 * line.close();
 * ```
 */
export class AbortLine {
  #fd?: number;

  /** Opens the FIFO of a started worker (non-blocking). */
  open(path: string): void {
    this.close();
    this.#fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  }

  /** Asks the worker to interrupt call `id`. */
  interrupt(id: number): void {
    if (this.#fd === undefined) return;
    try {
      writeSync(this.#fd, `${id}\n`);
    } catch { /* worker gone: the exit handler settles the task */ }
  }

  /** Closes the FIFO (idempotent). */
  close(): void {
    if (this.#fd === undefined) return;
    try {
      closeSync(this.#fd);
    } catch { /* ignore */ }
    this.#fd = undefined;
  }
}

/**
 * Resolves once `task` has settled (its cleanup ran).
 *
 * @example
 * ```ts
 * declare const task: Task;
 * await untilSettled(task);
 * ```
 */
export function untilSettled(task: Task): Promise<void> {
  return new Promise<void>((res) => {
    const done = task.cleanup;
    task.cleanup = () => (done(), res());
  });
}

/**
 * Asks a worker to exit and waits for it (killed after 5 s).
 *
 * @example
 * ```ts
 * declare const proc: any;
 * await stopWorker(proc);
 * ```
 */
export async function stopWorker(proc: Child): Promise<void> {
  try {
    await proc.send({ kind: RequestKind.Shutdown, id: 0 });
    proc.closeRequests();
  } catch { /* already gone */ }
  proc.ref();
  const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
  await proc.exited;
  clearTimeout(timer);
}
