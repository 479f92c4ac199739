/**
 * Main side: owns the worker process. Spawns it lazily, sends one request at a time (others
 * queue), routes console output, recovers from crashes, cancels through AbortSignals and
 * releases RObject handles. Never imports `ffi/`.
 *
 * @module
 */
import { rmSync } from "node:fs";
import { type Child, type ExitStatus, hostEnv, spawnHost } from "./_spawn.ts";
import type { CopyPlan } from "./encode.ts";
import { abortedBeforeStart, crashedDuringCall, startupFailed } from "./errors.ts";
import { ConsoleRouter } from "./console.ts";
import { type Event, EventKind, type ReadyInfo, RequestKind } from "../wire/protocol.ts";
import type { HandleOwner } from "./robject.ts";
import { ShmMain } from "./shared_memory.ts";
import { refreshWorkerConfig } from "../../env/store/active.ts";
import {
  AbortLine,
  type Body,
  decodeResult,
  directLine,
  failVictims,
  requestLine,
  type ResultEvent,
  runStartupScripts,
  settleTask,
  stopWorker,
  type Task,
  untilSettled,
} from "./_task.ts";
import type { CallOptions, LogEntry, RResult, WorkerConfig } from "./types.ts";

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
  readonly #abortLine = new AbortLine();
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
  #onReady?: (info: ReadyInfo) => void;
  #onStartFail?: (e: Error) => void;

  /**
   * Creates a client; the worker process starts with the first call.
   *
   * @param config how to start the worker.
   * @param resolveConfig computes the configuration at each start instead (the default worker
   *   uses it to pick up the active environment at each start, so a broken state file fails a
   *   call with a clear error rather than the import); an explicit `configure()` wins.
   */
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
        await untilSettled(this.#inflight ?? this.#queue[this.#queue.length - 1]);
      }
      const proc = this.#proc;
      if (!proc) return;
      const info = this.#forget();
      await stopWorker(proc);
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

  #value(ev: ResultEvent): RResult {
    for (const w of ev.warnings) {
      this.#emit({ stream: "stderr", text: `Warning message:\n${w}\n`, callId: ev.id });
    }
    return decodeResult(ev, this.#shm, this, this.#gen);
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
    this.#abortLine.interrupt(task.id);
    task.graceTimer = setTimeout(() => {
      if (this.#inflight === task) this.#proc?.kill("SIGKILL");
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
    let bytes;
    try {
      bytes = requestLine(task, this.#releases.splice(0), this.#shm, info.pid);
    } catch (e) {
      this.#inflight = undefined;
      task.cleanup();
      task.reject(e as Error);
      return void this.#pump();
    }
    this.#proc!.ref();
    this.#read();
    try {
      await this.#proc!.write(bytes);
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
    // Read at every (re)start: an environment's configuration may have changed since.
    this.#config = this.#resolveConfig
      ? this.#resolveConfig()
      : refreshWorkerConfig(this.#config) as WorkerConfig;
    await this.#shm.init();
    const { proc, info } = await this.#spawnReady(true);
    this.#info = info;
    this.#abortLine.open(info.abortFifo);
    proc.unref();
    // Sent directly: running them through the queue would deadlock.
    await runStartupScripts(
      this.#config.startupScripts ?? [],
      (code) => this.#direct({ kind: RequestKind.Eval, code, convert: "handle" }, info),
      // A worker whose set-up failed is not used: the next call starts (and checks) afresh.
      async () => {
        if (this.#proc === proc) await this.#discard(proc, info);
      },
    );
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
    this.#forget();
    proc.kill("SIGKILL");
    await proc.exited;
    this.#afterExit(info);
  }

  /** Sends a request outside the queue (start-up scripts). */
  #direct(body: Body, info: ReadyInfo): Promise<RResult> {
    return new Promise<RResult>((resolve, reject) => {
      const id = this.#nextId++;
      const line = directLine(id, body, this.#shm, info.pid);
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
        settleTask(task, ev, this.#shm);
        if (!task.direct) this.#pump();
        return;
      }
    }
  }

  #emit(entry: LogEntry): void {
    const task = this.#inflight;
    this.#console.emit(entry, task && { id: task.id, onLog: task.opts.onLog });
  }

  /** Detaches the current worker: a new generation begins; returns the old worker's facts. */
  #forget(): ReadyInfo | undefined {
    const info = this.#info;
    this.#proc = this.#info = undefined;
    this.#gen++;
    this.#releases = [];
    return info;
  }

  #afterExit(info: ReadyInfo | undefined): void {
    this.#abortLine.close();
    this.#shm.afterExit(info?.pid, info?.shmPrefix);
    if (info) rmSync(info.tempDir, { recursive: true, force: true });
  }

  async #onExit(proc: Child, status: ExitStatus): Promise<void> {
    if (this.#proc !== proc) return; // an intentional shutdown
    const info = this.#forget();
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
    failVictims(victims, inflight, abortKill, {
      pid: info?.pid,
      cause,
      status,
      recovered,
      restartError,
      graceMs: this.#config.abortGraceMs ?? 3000,
    });
    this.#pump();
  }
}
