/**
 * The cluster worker (`brmsts worker`): pulls fit jobs from the work queue, runs each in a fresh,
 * pre-started R, reports progress as job events, heartbeats while it works, stores the results and
 * acks only then; a killed worker's job is redelivered, bad input is answered and never retried.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { type Consumer, jetstream, type JetStreamClient, type JsMsg } from "@nats-io/jetstream";
import { tableFromIPC } from "apache-arrow";
import { brm, type BrmOptions, cacheDir, preloadModel } from "../brms/mod.ts";
import { SpecError } from "../formula/mod.ts";
import { RAbortError, RWorker, RWorkerCrashedError } from "../worker/mod.ts";
import { ClusterInputError, JobLimitError, JobPolicyError } from "./errors.ts";
import { checkJobOptions } from "./_policy.ts";
import { checkIterations, DEFAULT_LIMITS, guardJob, readData } from "./_limits.ts";
import {
  CANCEL_PREFIX,
  ensureInfra,
  eventSubject,
  fromBytes,
  type Infra,
  isTransient,
  JOB_CONSUMER,
  JOB_STREAM,
  type JobSpec,
  type JobState,
  MAX_DELIVERIES_ADVISORY,
  readState,
  retrying,
  toBytes,
} from "./protocol.ts";
import { ModelShare, type ModelShareOptions, platformFingerprint, privateDir } from "./_models.ts";
import { readPrivateKey, readPublicKey } from "./signing.ts";
export { parseBytes } from "./_limits.ts";
import { openConnection } from "./connect.ts";
import {
  closeBounded,
  DEFAULT_STOP_TIMEOUT_MS,
  RWorkerSet,
  SHUTDOWN,
  stopWithin,
} from "./_shutdown.ts";
import { forkJobsByDefault, forkSlot } from "./_isolate.ts";
import type { ClusterWorker, WorkerOptions } from "./worker_options.ts";
import { recordExhausted, storeResults, TERMINAL } from "./_results.ts";
import { bounded, JOB_DIR_PREFIX, reviveOptions, sweepJobDirs } from "./_job_files.ts";

export type { ClusterWorker, WorkerOptions };

/**
 * Starts a cluster worker: connects, creates the shared streams/buckets if needed, warms one R
 * worker per slot and pulls jobs until {@link ClusterWorker.stop}.
 *
 * @example
 * ```ts
 * import { startWorker } from "./worker.ts";
 * const worker = await startWorker({ servers: "nats://127.0.0.1:4222", concurrency: 1 });
 * process.on("SIGTERM", () => worker.stop());
 * await worker.done;
 * ```
 */
export async function startWorker(o: WorkerOptions): Promise<ClusterWorker> {
  if (o.signingKey) readPrivateKey(o.signingKey); // a bad key file fails the start, not a job
  for (const k of o.trustedKeys ?? []) readPublicKey(k);
  const conn = await openConnection({ ...o, name: o.name ?? "brmsts-worker" }, {
    maxReconnectAttempts: -1,
  });
  const nc = conn.nc;
  conn.onDenied((e) =>
    o.onLog?.({ event: "permission-denied", subject: e.subject, op: e.operation })
  );
  const infra = await conn.guarded(() =>
    ensureInfra(nc, { ...o, ackWaitMs: o.ackWaitMs ?? 60_000, maxDeliver: o.maxDeliver ?? 3 })
  ).catch(async (e) => {
    await nc.close().catch(() => {});
    throw e;
  });
  sweepJobDirs();
  const w = new Worker(nc, infra, o);
  w.start();
  return w;
}

class Worker implements ClusterWorker {
  readonly name: string;
  readonly js: JetStreamClient;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  #stopping = false;
  #stopped?: Promise<void>;
  #rs = new RWorkerSet();
  #running = new Map<string, AbortController>();
  #subs: Subscription[] = [];
  #share?: Promise<ModelShare | null>;
  /** Cache keys of the models of the latest jobs, newest first: each warm R preloads them. */
  #recent: string[] = [];
  /** R workers whose job was refused before it used them (policy, limits): kept, not replaced. */
  #pristine = new WeakSet<RWorker>();
  #readyResolve!: () => void;
  readonly ready: Promise<void>;
  done!: Promise<void>;

  constructor(readonly nc: NatsConnection, readonly infra: Infra, readonly o: WorkerOptions) {
    this.name = o.name ?? `${hostname()}:${process.pid}`;
    this.js = jetstream(nc);
    this.ackWaitMs = o.ackWaitMs ?? 60_000;
    this.maxDeliver = o.maxDeliver ?? 3;
    this.ready = new Promise((r) => (this.#readyResolve = r));
  }

  log(entry: Record<string, unknown>): void {
    this.o.onLog?.({ worker: this.name, time: Date.now(), ...entry });
  }

  start(): void {
    this.#subs.push(this.nc.subscribe(`${CANCEL_PREFIX}.*`, {
      callback: (_e, m) => {
        const id = m.subject.slice(CANCEL_PREFIX.length + 1);
        const ac = this.#running.get(id);
        if (ac) {
          this.log({ event: "cancel", job: id });
          ac.abort();
        }
      },
    }));
    this.#subs.push(this.nc.subscribe(MAX_DELIVERIES_ADVISORY, {
      callback: (_e, m) => void this.exhausted(m.data).catch((e) => this.log({ error: String(e) })),
    }));
    const n = Math.max(1, this.o.concurrency ?? 1);
    const warmed: Promise<void>[] = [];
    const slots = Array.from({ length: n }, (_, i) => {
      let first!: () => void;
      warmed.push(new Promise<void>((r) => (first = r)));
      return this.slot(i, first);
    });
    void Promise.all(warmed).then(() => this.#readyResolve());
    this.done = Promise.allSettled(slots).then(async () => {
      for (const s of this.#subs) s.unsubscribe();
      await closeBounded(this.nc);
    });
  }

  async warm(): Promise<RWorker> {
    for (;;) {
      const w = this.#rs.track(new RWorker());
      w.setConsoleOutput("silent");
      try {
        const t0 = Date.now();
        await w.eval(
          "suppressPackageStartupMessages({library(brms); library(rstan)}); invisible(NULL)",
        );
        const started = Date.now() - t0;
        // The R helpers, and the compiled models of the latest jobs (readRDS of the cache entry,
        // dyn.load of its shared object), so that a job for a known model starts sampling at once.
        const preloaded: string[] = [];
        for (const key of [...this.#recent]) {
          if (await preloadModel(key, { worker: w }).catch(() => false)) preloaded.push(key);
        }
        if (this.#recent.length === 0) await preloadModel("", { worker: w }).catch(() => false);
        this.log({
          event: "warm",
          startMs: started,
          preloadMs: Date.now() - t0 - started,
          preloaded,
        });
        return w;
      } catch (e) {
        this.log({ event: "warm-failed", error: String(e) });
        await this.#rs.retire(w);
        if (this.#stopping) throw e;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  share(w: RWorker): Promise<ModelShare | null> {
    if (this.o.shareModels === false) return Promise.resolve(null);
    return this.#share ??= platformFingerprint(w).then(
      (fp) => {
        this.log({ event: "fingerprint", id: fp.id, facts: fp.facts });
        return new ModelShare(this.infra.models, fp.id, cacheDir(), this.keys());
      },
      (e) => {
        this.log({ event: "fingerprint-failed", error: String(e) });
        return null;
      },
    );
  }

  /** The signing and trusted keys of the model share (read once; a bad key file throws). */
  keys(): ModelShareOptions {
    if (!privateDir(cacheDir())) this.log({ event: "cache-dir-not-private", dir: cacheDir() });
    const keys = {
      signer: this.o.signingKey ? readPrivateKey(this.o.signingKey) : undefined,
      trusted: (this.o.trustedKeys ?? []).map(readPublicKey),
      onLog: (e: Record<string, unknown>) => this.log(e),
    };
    if (!keys.signer) this.log({ event: "model-share", note: "no signing key: nothing uploaded" });
    const none = !keys.signer && !keys.trusted.length; // neither uploads nor loads
    if (none) {
      this.log({ event: "model-share", note: "no trusted keys: no shared model is loaded" });
    }
    return keys;
  }

  async slot(i: number, warmed: () => void): Promise<void> {
    if ((this.o.jobsPerR ?? 1) <= 1 && (this.o.forkJobs ?? forkJobsByDefault())) {
      return forkSlot({
        warm: () => this.warm(),
        consumer: () => this.js.consumers.get(JOB_STREAM, JOB_CONSUMER),
        handle: (m, w) => this.handle(m, w),
        stopping: () => this.#stopping,
        ackWaitMs: this.ackWaitMs,
        log: (e) => this.log({ slot: i, ...e }),
      }, warmed);
    }
    let warm: Promise<RWorker> | null = this.warm();
    warm.then(warmed, warmed);
    const perR = Math.max(1, Math.floor(this.o.jobsPerR ?? 1));
    // With jobsPerR > 1: the R of the last job, kept for the next one, and its job count.
    let kept: RWorker | null = null;
    let uses = 0;
    const consumer: Consumer = await this.js.consumers.get(JOB_STREAM, JOB_CONSUMER);
    try {
      while (!this.#stopping) {
        const m = await consumer.next({ expires: 1000 }).catch(async () => {
          await new Promise((r) => setTimeout(r, 250)); // disconnected: retry shortly
          return null;
        });
        if (!m) continue;
        const hb = setInterval(() => m.working(), Math.max(500, this.ackWaitMs / 3));
        let w: RWorker | null = kept;
        kept = null;
        let key: string | undefined;
        try {
          if (!w) {
            w = await (warm ?? this.warm());
            warm = null;
            uses = 0;
          }
          uses++;
          // The spare for the next job starts now, while this one runs (R start and brms load
          // overlap the sampling instead of following it), unless this R serves the next job.
          if (!this.#stopping && !warm && uses >= perR) warm = this.warm();
          key = await this.handle(m, w);
          if (key && warm) {
            // A model the spare has not loaded yet (it started with this job): load it now.
            warm = warm.then(async (spare) => {
              await preloadModel(key!, { worker: spare }).catch(() => false);
              return spare;
            });
          }
        } catch (e) {
          this.log({ event: "slot-error", slot: i, error: String(e) });
        } finally {
          clearInterval(hb);
          if (w && this.#pristine.delete(w) && !this.#stopping && w.info) {
            kept = w;
            uses--;
          } else if (w && key && uses < perR && !this.#stopping && w.info) {
            kept = w; // a fit that went well: this R takes the next job too (jobsPerR)
          } else {
            // One fresh R per job: the used one goes, the spare takes the next job.
            if (w) await this.#rs.retire(w);
            if (!this.#stopping && !warm) warm = this.warm();
          }
        }
      }
    } finally {
      if (kept) await this.#rs.retire(kept);
      if (warm) await warm.then((w) => this.#rs.retire(w)).catch(() => {});
    }
  }

  async setState(id: string, s: Omit<JobState, "updated">): Promise<void> {
    await retrying(() => this.infra.state.put(id, toBytes({ ...s, updated: Date.now() })));
  }

  /** Runs one job in `w`; returns the cache key of its model when it ran a fit. */
  async handle(m: JsMsg, w: RWorker): Promise<string | undefined> {
    const spec = fromBytes<JobSpec>(m.data);
    const id = spec.id;
    const attempt = m.info.deliveryCount;
    const prior = await retrying(() => readState(this.infra.state, id));
    if (prior && TERMINAL.has(prior.state)) {
      // A redelivery of a job whose result is stored already (its worker died before the ack).
      this.log({ event: "duplicate", job: id, state: prior.state });
      await m.ackAck();
      return;
    }
    let seq = 0;
    let chain = Promise.resolve();
    const emit = (e: Record<string, unknown>): Promise<void> => {
      const ev = { job: id, seq: seq++, attempt, worker: this.name, time: Date.now(), ...e };
      chain = chain.then(() => retrying(() => this.js.publish(eventSubject(id), toBytes(ev))))
        .then(() => {})
        .catch((err) => this.log({ event: "publish-failed", error: String(err) }));
      return chain;
    };
    const fail = async (kind: string, e: unknown): Promise<undefined> => {
      const error = {
        kind,
        name: (e as Error)?.name ?? "Error",
        message: (e as Error)?.message ?? String(e),
      };
      await this.setState(id, { state: "failed", attempt, worker: this.name, error });
      await emit({ type: "failed", error });
      this.log({ event: "failed", job: id, ...error });
      m.term();
    };
    const cancelled = async (): Promise<undefined> => {
      await this.setState(id, { state: "cancelled", attempt, worker: this.name });
      await emit({ type: "cancelled" });
      this.log({ event: "cancelled", job: id });
      m.term();
    };
    if (await this.infra.state.get(`${id}.cancel`).then((e) => e && e.length > 0)) {
      return cancelled();
    }
    const ac = new AbortController();
    this.#running.set(id, ac);
    await this.setState(id, { state: "running", attempt, worker: this.name });
    emit({ type: "started" });
    this.log({ event: "started", job: id, attempt });
    let phase = "prepare";
    const tJob = Date.now();
    sweepJobDirs();
    const tmp = mkdtempSync(join(tmpdir(), `${JOB_DIR_PREFIX}${process.pid}-`));
    const limits = { ...DEFAULT_LIMITS, ...this.o.limits };
    const guard = guardJob(w.info?.pid, limits, () => ac.abort());
    let pristine = true;
    try {
      // Untrusted jobs are data: checked before anything reaches R (issue 27).
      if (!this.o.trustJobs) checkJobOptions(spec.options);
      checkIterations(spec.options, limits);
      const bytes = await retrying(() => readData(this.infra.data, spec.data, limits));
      pristine = false; // from here on the job uses its R
      if (!bytes) throw new ClusterInputError(`the job's data (${spec.data}) is missing`);
      // Model sharing is an optimisation: bounded, so that it can never hold a job up.
      const share = await bounded(this.share(w), 120_000, null);
      if (share) {
        await bounded(
          share.pull().catch((e) => this.log({ event: "pull-failed", error: String(e) })),
          300_000,
          undefined,
          () => this.log({ event: "pull-timeout", job: id }),
        );
      }
      // A cancel that arrived while we were setting up.
      if (await this.infra.state.get(`${id}.cancel`).then((e) => e && e.length > 0)) ac.abort();
      ac.signal.throwIfAborted();
      const tFit = Date.now();
      const fit = await brm({
        ...(reviveOptions(spec.options) as unknown as BrmOptions),
        data: tableFromIPC(bytes),
        worker: w,
        signal: ac.signal,
        progress: false,
        onProgress: (p) => {
          if (p.kind === "phase") phase = p.phase;
          emit({ type: "progress", progress: p });
        },
      });
      phase = "store";
      const tStore = Date.now();
      if (fit.cacheKey) {
        this.#recent = [fit.cacheKey, ...this.#recent.filter((k) => k !== fit.cacheKey)]
          .slice(0, 2);
      }
      const result = await storeResults(this.infra, w, fit, tmp, `${id}/a${attempt}`, {
        worker: this.name,
        attempt,
      });
      await this.setState(id, { state: "done", attempt, worker: this.name, result });
      await emit({ type: "done", result, cache: fit.cache });
      await retrying(() => m.ackAck());
      this.log({
        event: "done",
        job: id,
        attempt,
        cache: fit.cache,
        ms: fit.timings.total,
        // Where the job's time went: set-up (data, model share), the fit's phases, storing.
        setupMs: tFit - tJob,
        fit: fit.timings,
        storeMs: Date.now() - tStore,
      });
      if (share && fit.cacheKey) {
        await share.push(fit.cacheKey).catch((e) =>
          this.log({ event: "push-failed", error: String(e) })
        );
      }
      return fit.cacheKey;
    } catch (e) {
      if (pristine) this.#pristine.add(w); // refused before R was used: it serves the next job
      if (ac.signal.reason === SHUTDOWN) {
        this.log({ event: "requeued", job: id, attempt }); // the worker stops: another takes it
        m.nak();
        return;
      }
      if (guard.hit) return fail("limit", guard.hit);
      if (e instanceof JobPolicyError) return fail("policy", e);
      if (e instanceof JobLimitError) return fail("limit", e);
      if (ac.signal.aborted || e instanceof RAbortError) return cancelled();
      if (isTransient(e)) {
        // The server or the connection failed, not the job: let JetStream deliver it again.
        this.log({ event: "retry", job: id, attempt, error: String(e) });
        m.nak(1000);
        return;
      }
      if (e instanceof RWorkerCrashedError) {
        if (attempt >= this.maxDeliver) return fail("crashed", e);
        this.log({ event: "crashed", job: id, attempt, error: String(e) });
        m.nak();
        return;
      }
      const bad = phase === "prepare" || e instanceof SpecError || e instanceof ClusterInputError ||
        e instanceof TypeError;
      return fail(bad ? "bad-input" : "r-error", e);
    } finally {
      guard.stop();
      this.#running.delete(id);
      rmSync(tmp, { recursive: true, force: true });
      await chain;
    }
  }

  /** A job used up its deliveries (its workers died): mark it failed, once, and drop it. */
  /** A job's last delivery went unanswered: records it as failed (`crashed`). */
  async exhausted(data: Uint8Array): Promise<void> {
    const job = await recordExhausted(this.infra, this.js, this.name, data);
    if (job) this.log({ event: "exhausted", job: job.id, deliveries: job.deliveries });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#stopped ??= stopWithin(this.o.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS, this.done, {
      abortJobs: () => this.#running.forEach((ac) => ac.abort(SHUTDOWN)),
      rs: this.#rs,
      nc: this.nc,
      log: (e) => this.log(e),
    }).then(() => sweepJobDirs());
    await this.#stopped;
  }
}
