/**
 * Main side: owns the worker process. Spawns it lazily, sends one request at a time (others
 * queue), routes console output, recovers from crashes, cancels through AbortSignals and
 * releases RObject handles. Never imports `ffi/`.
 *
 * @module
 */
import { closeSync, constants, openSync, rmSync, writeSync } from "node:fs";
import { type Child, type ExitStatus, hostEnv, spawnHost } from "./_spawn.ts";
import { decode, type DecodeContext } from "./decode.ts";
import type { CopyPlan } from "./encode.ts";
import {
  abortedAndInterrupted,
  abortedAndKilled,
  abortedBeforeStart,
  crashedDuringCall,
  errorFromEvent,
  RStartupError,
  startupFailed,
} from "./errors.ts";
import { ConsoleRouter } from "./console.ts";
import {
  type ConvertMode,
  type Event,
  EventKind,
  type HeapPolicy,
  type ReadyInfo,
  type Request,
  RequestKind,
  type WireArg,
} from "../wire/protocol.ts";
import { type HandleOwner, RObject } from "./robject.ts";
import { ShmMain } from "./shared_memory.ts";
import type { CallOptions, LogEntry, RResult, WorkerConfig } from "./types.ts";

const encoder = new TextEncoder();

/** A request without its id and shared-memory fields. */
type Body =
  | { kind: RequestKind.Eval; code: string; convert: ConvertMode }
  | {
    kind: RequestKind.Call;
    fn: string;
    args: WireArg[];
    convert: ConvertMode;
    heap?: HeapPolicy;
  }
  | { kind: RequestKind.Status };

interface Task {
  id: number;
  body: Body;
  /** The copy plan of the arguments' bulk data, run into the request's region at send time. */
  plan?: CopyPlan;
  opts: CallOptions;
  resolve: (ev: Extract<Event, { kind: EventKind.Result }>) => void;
  reject: (e: Error) => void;
  aborted?: boolean;
  /** A start-up script, sent outside the queue: its end does not start the next call. */
  direct?: boolean;
  graceTimer?: ReturnType<typeof setTimeout>;
  cleanup: () => void;
}

/**
 * The process and the queue of one R worker: starts it lazily, sends one request at a time
 * (others queue), routes console output, recovers from crashes, cancels through AbortSignals
 * and releases RObject handles. {@link RWorker} adds the calls (`eval`, `call`, `status`).
 *
 * @example
 * ```ts
 * import { RWorker } from "../../mod.ts";
 * const w: WorkerClient = new RWorker();
 * w.setConsoleOutput("silent");
 * await w.shutdown();
 * ```
 */
export class WorkerClient implements HandleOwner {
  #config: WorkerConfig;
  #proc?: Child;
  #info?: ReadyInfo;
  #starting?: Promise<ReadyInfo>;
  #fifoFd?: number;
  #queue: Task[] = [];
  #inflight?: Task;
  #releases: number[] = [];
  #shm = new ShmMain();
  #nextId = 1;
  /** The worker whose channel has a read loop running (a dead one's may still be winding down). */
  #reading?: Child;
  #gen = 0;
  #shutdownPending = false;
  readonly #console = new ConsoleRouter();
  #lastFatal?: string;

  #resolveConfig?: () => WorkerConfig;

  /**
   * @param config how to start the worker.
   * @param resolveConfig computes the configuration at the first start instead (the default
   *   worker uses it to pick up the active environment lazily, so a broken state file fails the
   *   first call with a clear error rather than the import); an explicit `configure()` wins.
   */
  /** Creates a client; the worker process starts with the first call. */
  constructor(config: WorkerConfig = {}, resolveConfig?: () => WorkerConfig) {
    this.#config = config;
    this.#resolveConfig = resolveConfig;
  }

  /** The current worker generation (increments whenever a worker exits). */
  get generation(): number {
    return this.#gen;
  }

  /** The running worker's start-up facts, if one runs. */
  get info(): ReadyInfo | undefined {
    return this.#info;
  }

  /** Replaces the configuration; the running worker (if any) is stopped first. */
  async configure(config: WorkerConfig): Promise<void> {
    await this.shutdown();
    this.#config = config;
    this.#resolveConfig = undefined;
  }

  /** The configuration in use. */
  get config(): WorkerConfig {
    return this.#config;
  }

  /** Routes worker console output: `stderr` (default) or `silent`. Listeners get it either way. */
  setConsoleOutput(mode: "stderr" | "silent"): void {
    this.#console.mode = mode;
  }

  /**
   * Where worker console output goes (see {@link WorkerClient.setConsoleOutput}).
   *
   * @example
   * ```ts
   * import { RWorker } from "../../mod.ts";
   * const w = new RWorker();
   * w.setConsoleOutput("silent");
   * w.consoleOutput; // "silent"
   * ```
   */
  get consoleOutput(): "stderr" | "silent" {
    return this.#console.mode;
  }

  /** Subscribes to all console output; returns the unsubscribe function. */
  onLog(listener: (e: LogEntry) => void): () => void {
    return this.#console.subscribe(listener);
  }

  /** Stops the worker after queued calls finish; R's temp dir is removed. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.#shutdownPending) return;
    this.#shutdownPending = true;
    try {
      while (this.#inflight || this.#queue.length) {
        const t = this.#inflight ?? this.#queue[this.#queue.length - 1];
        await new Promise<void>((res) => {
          const done = t.cleanup;
          t.cleanup = () => {
            done();
            res();
          };
        });
      }
      const proc = this.#proc;
      if (!proc) return;
      this.#proc = undefined;
      const info = this.#info;
      this.#info = undefined;
      this.#gen++;
      this.#releases = [];
      try {
        await proc.send({ kind: RequestKind.Shutdown, id: 0 });
        proc.closeRequests();
      } catch { /* already gone */ }
      proc.ref();
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await proc.exited;
      clearTimeout(timer);
      this.#afterExit(info);
    } finally {
      this.#shutdownPending = false;
    }
  }

  /** `await using` support. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  /** Queues the release of a handle (sent with the next request). @internal */
  release(id: number, generation: number): void {
    if (generation !== this.#gen || !this.#proc) return;
    this.#releases.push(id);
  }

  // ---------------------------------------------------------------- internals

  /**
   * Queues one request; resolves with its decoded result.
   *
   * @internal
   */
  protected run(body: Body, opts: CallOptions, plan?: CopyPlan): Promise<RResult> {
    const signal = opts.signal;
    if (signal?.aborted) {
      return Promise.reject(abortedBeforeStart(signal.reason));
    }
    return new Promise<RResult>((resolve, reject) => {
      const task: Task = {
        id: this.#nextId++,
        body,
        plan,
        opts,
        resolve: (ev) => resolve(this.#value(ev)),
        reject,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      };
      const onAbort = () => this.#abort(task);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(task);
      this.#pump();
    });
  }

  /** Decodes a result: maps its region, decodes the wire tree, settles the region's lease. */
  #value(ev: Extract<Event, { kind: EventKind.Result }>): RResult {
    for (const w of ev.warnings) {
      this.#emit({ stream: "stderr", text: `Warning message:\n${w}\n`, callId: ev.id });
    }
    const gen = this.#gen;
    const result = this.#shm.openResult(ev);
    const ctx: DecodeContext = {
      region: result.region,
      handle: (h) => new RObject(h.id, h.cls ?? [], h.type ?? "", h.repr ?? "", this, gen),
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

  #abort(task: Task): void {
    if (task.aborted) return;
    task.aborted = true;
    const reason = task.opts.signal?.reason;
    const qi = this.#queue.indexOf(task);
    if (qi >= 0) {
      this.#queue.splice(qi, 1);
      task.cleanup();
      task.reject(abortedBeforeStart(reason));
      return;
    }
    if (this.#inflight !== task) return;
    if (this.#fifoFd !== undefined) {
      try {
        writeSync(this.#fifoFd, `${task.id}\n`);
      } catch { /* worker gone: the exit handler settles the task */ }
    }
    task.graceTimer = setTimeout(() => {
      if (this.#inflight !== task) return;
      this.#proc?.kill("SIGKILL");
    }, this.#config.abortGraceMs ?? 3000);
  }

  async #pump(): Promise<void> {
    if (this.#inflight || this.#queue.length === 0) return;
    const task = this.#queue[0];
    let info: ReadyInfo;
    try {
      info = await this.#ensureStarted();
    } catch (e) {
      // Start-up failed: every queued call fails with the same error.
      for (const t of this.#queue.splice(0)) {
        t.cleanup();
        t.reject(e as Error);
      }
      return;
    }
    if (this.#inflight || this.#queue[0] !== task) return void this.#pump();
    this.#queue.shift();
    this.#inflight = task;
    let shm;
    try {
      shm = this.#shm.prepare(task.plan, info.pid);
    } catch (e) {
      this.#inflight = undefined;
      task.cleanup();
      task.reject(e as Error);
      return void this.#pump();
    }
    const req = {
      ...task.body,
      id: task.id,
      release: this.#releases.splice(0),
      ...shm.fields,
    } as Request;
    let line;
    try {
      line = this.#shm.wrapLine(task.id, encoder.encode(JSON.stringify(req) + "\n"), info.pid);
    } catch (e) {
      shm.done();
      this.#inflight = undefined;
      task.cleanup();
      task.reject(e as Error);
      return void this.#pump();
    }
    const shmDone = task.cleanup;
    task.cleanup = () => (shmDone(), shm.done(), line.done());
    this.#proc!.ref();
    this.#read();
    try {
      await this.#proc!.write(line.bytes);
    } catch {
      // The worker died; the exit handler rejects the task.
    }
  }

  #ensureStarted(): Promise<ReadyInfo> {
    // While a start runs (its start-up scripts included) calls wait for it, even once the
    // worker is ready: a call must not slip in between two start-up scripts.
    if (this.#starting) return this.#starting;
    if (this.#info && this.#proc) return Promise.resolve(this.#info);
    return this.#starting ??= this.#start().finally(() => this.#starting = undefined);
  }

  async #start(): Promise<ReadyInfo> {
    if (this.#resolveConfig) {
      this.#config = this.#resolveConfig();
      this.#resolveConfig = undefined;
    }
    await this.#shm.init();
    const { proc, info } = await this.#spawnReady(true);
    this.#info = info;
    this.#fifoFd = openSync(info.abortFifo, constants.O_WRONLY | constants.O_NONBLOCK);
    proc.unref();
    const scripts = this.#config.startupScripts ?? [];
    for (let i = 0; i < scripts.length; i++) {
      try {
        // Run through the normal queue path would deadlock; send directly.
        await this.#direct({ kind: RequestKind.Eval, code: scripts[i], convert: "handle" }, info);
      } catch (e) {
        // A worker whose set-up failed is not used: the next call starts (and checks) afresh.
        if (this.#proc === proc) await this.#discard(proc, info);
        const first = scripts[i].split("\n").find((l) => l.trim()) ?? "";
        const shown = first.length > 60 ? first.slice(0, 60) + "…" : first;
        throw new RStartupError(
          `startupScripts[${i}] (${JSON.stringify(shown)}) failed: ${(e as Error).message}`,
          { cause: e },
        );
      }
    }
    return info;
  }

  /**
   * Spawns the host process and waits until it reports ready (rejects if it exits first). A
   * host killed by a signal before it was ready, having reported nothing, crashed while it
   * started (a missing R or a bad configuration says why and exits): with `retry` it is started
   * once more, and the console says so; a second such death is the caller's error.
   */
  async #spawnReady(retry: boolean): Promise<{ proc: Child; info: ReadyInfo }> {
    const proc = await spawnHost(hostEnv(this.#config));
    this.#proc = proc;
    this.#lastFatal = undefined;
    proc.exited.then((s) => this.#onExit(proc, s));
    const ready = new Promise<ReadyInfo>((resolve, reject) => {
      this.#onReady = resolve;
      this.#onStartFail = reject;
    });
    this.#read();
    try {
      return { proc, info: await ready };
    } catch (e) {
      const { signal } = await proc.exited;
      if (!retry || !signal || this.#lastFatal) throw e;
      this.#emit({
        stream: "stderr",
        text: `brmsts: the R worker died of ${signal} while starting; starting a new one\n`,
      });
      return await this.#spawnReady(false);
    }
  }

  /** Ends a worker that will not be used (its start-up scripts failed). */
  async #discard(proc: Child, info: ReadyInfo): Promise<void> {
    this.#proc = undefined;
    this.#info = undefined;
    this.#gen++;
    this.#releases = [];
    proc.kill("SIGKILL");
    await proc.exited;
    this.#afterExit(info);
  }

  #onReady?: (info: ReadyInfo) => void;
  #onStartFail?: (e: Error) => void;

  /** Sends a request outside the queue (start-up scripts). */
  #direct(body: Body, info: ReadyInfo): Promise<RResult> {
    return new Promise<RResult>((resolve, reject) => {
      const id = this.#nextId++;
      const line = this.#shm.wrapLine(
        id,
        encoder.encode(JSON.stringify({ ...body, id }) + "\n"),
        info.pid,
      );
      const task: Task = {
        id,
        body,
        opts: {},
        resolve: (ev) => resolve(this.#value(ev)),
        reject,
        cleanup: line.done,
        direct: true,
      };
      this.#inflight = task;
      this.#proc!.ref();
      this.#read();
      this.#proc!.write(line.bytes).catch(() => {});
    }).finally(() => {
      this.#inflight = undefined;
    });
  }

  #read(): void {
    const proc = this.#proc;
    if (!proc || this.#reading === proc) return;
    this.#reading = proc;
    (async () => {
      let eof = false;
      try {
        while (this.#proc === proc && (this.#inflight || this.#onReady)) {
          const events = await proc.readEvents();
          if (events === null) {
            eof = true;
            break;
          }
          for (const ev of events) this.#onEvent(ev);
        }
      } finally {
        if (this.#reading === proc) this.#reading = undefined;
        if (this.#proc === proc && !this.#inflight && !this.#onReady) proc.unref();
        else if (!eof && this.#proc === proc) this.#read();
      }
    })();
  }

  #onEvent(ev: Event): void {
    switch (ev.kind) {
      case EventKind.Ready:
        this.#onReady?.(ev.info);
        this.#onReady = this.#onStartFail = undefined;
        return;
      case EventKind.Fatal:
        this.#lastFatal = `${ev.name}: ${ev.message}`;
        return;
      case EventKind.Log:
        this.#emit({ stream: ev.stream, text: ev.text, callId: ev.id || this.#inflight?.id });
        return;
      case EventKind.Result:
      case EventKind.Error: {
        const task = this.#inflight;
        if (!task || task.id !== ev.id) {
          if (ev.kind === EventKind.Result) this.#shm.discard(ev);
          return;
        }
        this.#inflight = undefined;
        clearTimeout(task.graceTimer);
        task.cleanup();
        if (task.aborted) {
          if (ev.kind === EventKind.Result) this.#shm.discard(ev);
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
        if (!task.direct) this.#pump();
        return;
      }
    }
  }

  #emit(entry: LogEntry): void {
    const task = this.#inflight;
    this.#console.emit(entry, task && { id: task.id, onLog: task.opts.onLog });
  }

  #afterExit(info: ReadyInfo | undefined): void {
    if (this.#fifoFd !== undefined) {
      try {
        closeSync(this.#fifoFd);
      } catch { /* ignore */ }
      this.#fifoFd = undefined;
    }
    this.#shm.afterExit(info?.pid, info?.shmPrefix);
    if (info) rmSync(info.tempDir, { recursive: true, force: true });
  }

  async #onExit(proc: Child, status: ExitStatus): Promise<void> {
    if (this.#proc !== proc) return; // an intentional shutdown
    const info = this.#info;
    this.#proc = undefined;
    this.#info = undefined;
    this.#gen++;
    this.#releases = [];
    this.#afterExit(info);
    const cause = status.signal ? `signal ${status.signal}` : `exit code ${status.code}`;
    if (this.#onStartFail) {
      const fail = this.#onStartFail;
      this.#onReady = this.#onStartFail = undefined;
      fail(startupFailed(cause, this.#lastFatal));
      return;
    }
    const inflight = this.#inflight;
    this.#inflight = undefined;
    if (inflight?.direct) {
      // Died in a start-up script: the start fails (no restart from inside the start).
      inflight.cleanup();
      inflight.reject(
        crashedDuringCall(info?.pid, cause, status, false, "it died in a start-up script"),
      );
      return;
    }
    const abortKill = inflight?.aborted === true;
    const victims = abortKill
      ? [inflight!]
      : [...(inflight ? [inflight] : []), ...this.#queue.splice(0)];
    if (victims.length === 0) return;
    let recovered = false;
    let restartError: unknown;
    try {
      await this.#ensureStarted();
      recovered = true;
    } catch (e) {
      restartError = e;
    }
    for (const t of victims) {
      clearTimeout(t.graceTimer);
      t.cleanup();
      if (abortKill && t === inflight) {
        t.reject(abortedAndKilled(this.#config.abortGraceMs ?? 3000, recovered, t.opts.signal));
      } else {
        t.reject(crashedDuringCall(info?.pid, cause, status, recovered, restartError));
      }
    }
    this.#pump();
  }
}
