/**
 * The cluster worker (`brmsts worker`): pulls fit jobs from the JetStream work queue, runs each
 * in a fresh, pre-started R worker (R up and brms loaded before the job arrives), reports
 * progress as job events, heartbeats the message while it works, stores the results in the
 * object store and acks only then. Failures are left to JetStream: a killed worker's job is
 * redelivered after `ack_wait`, `max_deliver` bounds the retries, bad input is answered at once
 * and never retried.
 *
 * @module
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, relative } from "node:path";
import process from "node:process";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { type Consumer, jetstream, type JetStreamClient, type JsMsg } from "@nats-io/jetstream";
import { tableFromIPC } from "apache-arrow";
import { brm, type BrmOptions, cacheDir, preloadModel, saveRds } from "../brms/mod.ts";
import { fromJSON, SpecError } from "../formula/mod.ts";
import { toArrowIPC, toZarr } from "../idata/mod.ts";
import { summarize } from "../stats/mod.ts";
import { RAbortError, RWorker, RWorkerCrashedError } from "../worker/mod.ts";
import { deadOwnerTmpEntries } from "../native/process.ts";
import { ClusterInputError, JobLimitError, JobPolicyError } from "./errors.ts";
import { checkJobOptions } from "./_policy.ts";
import { checkIterations, DEFAULT_LIMITS, guardJob, type JobLimits, readData } from "./_limits.ts";
import {
  CANCEL_PREFIX,
  ensureInfra,
  eventSubject,
  fromBytes,
  type Infra,
  isTransient,
  JOB_CONSUMER,
  JOB_STREAM,
  type JobEvent,
  type JobSpec,
  type JobState,
  MAX_DELIVERIES_ADVISORY,
  readState,
  type ResultManifest,
  retrying,
  toBytes,
} from "./_protocol.ts";
import { ModelShare, type ModelShareOptions, platformFingerprint, privateDir } from "./_models.ts";
import { readPrivateKey, readPublicKey } from "./signing.ts";
export { parseBytes } from "./_limits.ts";
import { type ClusterConnectionOptions, openConnection } from "./connect.ts";
import {
  closeBounded,
  DEFAULT_STOP_TIMEOUT_MS,
  RWorkerSet,
  SHUTDOWN,
  stopWithin,
} from "./_shutdown.ts";
import { forkJobsByDefault, forkSlot } from "./_isolate.ts";

/**
 * Options of {@link startWorker}.
 *
 * @example
 * ```ts
 * import type { WorkerOptions } from "./worker.ts";
 * const o: WorkerOptions = { servers: "nats://127.0.0.1:4222", concurrency: 2 };
 * ```
 */
export interface WorkerOptions extends ClusterConnectionOptions {
  /** NATS server URL(s) (default `NATS_URL`); credentials and TLS: see `ClusterConnectionOptions`. */
  servers?: string | string[];
  /** Jobs run at once (default 1); each has its own R worker. */
  concurrency?: number;
  /** JetStream `ack_wait` of the shared consumer in ms (default 60000). */
  ackWaitMs?: number;
  /** JetStream `max_deliver` of the shared consumer (default 3). */
  maxDeliver?: number;
  /** This worker's name in events and job states (default `host:pid`). */
  name?: string;
  /**
   * Jobs one R worker runs before it is replaced (default 1: every job gets a fresh R, so jobs
   * are isolated: a fresh R process, or a fresh copy of a warm template R with `forkJobs`). A larger value
   * trades that isolation for throughput: jobs then share one R (no copy), which is replaced
   * after that many jobs. An R whose job failed or was cancelled is always replaced.
   */
  jobsPerR?: number;
  /**
   * With `jobsPerR` 1: run each job in a fresh copy of a warm template R (a fork, milliseconds)
   * instead of a fresh R process (R start and `library(brms)`, about 4–5 s of CPU). Default
   * false (`BRMSTS_FORK_JOBS=1` changes the default): opt-in while a fit in a copy runs slower
   * than in a fresh R on machines with slow page faults, and a copy that dies fails its job.
   */
  forkJobs?: boolean;
  /** Share compiled models through the object store (default true). */
  shareModels?: boolean;
  /**
   * Milliseconds `stop()` may take (default 10000): running jobs get half of it to finish, are
   * then interrupted and handed back to the queue; R processes left at 80 % are killed.
   */
  stopTimeoutMs?: number;
  /** Receives one object per thing the worker does (for logs). */
  onLog?: (entry: Record<string, unknown>) => void;
  /**
   * Run jobs as their submitters wrote them (default false): only for clusters whose
   * submitters are all trusted. Otherwise a job's options must pass the allow-list of
   * cluster/_policy.ts (no R code, formulas calling only allowed functions): see README Security.
   */
  trustJobs?: boolean;
  /** Per-job limits (defaults: `DEFAULT_LIMITS`); a job over one fails with kind `limit`. */
  limits?: JobLimits;
  /** Ed25519 private key file (`brmsts keygen`) that signs the models this worker uploads. */
  signingKey?: string;
  /** Public key files whose signed models this worker loads (none: it loads no shared model). */
  trustedKeys?: string[];
}

/**
 * A running cluster worker.
 *
 * @example
 * ```ts
 * import { startWorker } from "./worker.ts";
 * const w = await startWorker({ servers: "nats://127.0.0.1:4222" });
 * await w.stop();
 * ```
 */
export interface ClusterWorker {
  /** The worker's name. */
  readonly name: string;
  /** Resolves once every slot has its R worker warm. */
  readonly ready: Promise<void>;
  /**
   * Stops pulling, lets running jobs finish (or hands them back), shuts R down and closes the
   * connection, within `stopTimeoutMs` whatever state NATS is in.
   */
  stop(): Promise<void>;
  /** Resolves when the worker has stopped. */
  readonly done: Promise<void>;
}

const TERMINAL = new Set(["done", "failed", "cancelled"]);

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
    ensureInfra(nc, { ackWaitMs: o.ackWaitMs ?? 60_000, maxDeliver: o.maxDeliver ?? 3 })
  ).catch(async (e) => {
    await nc.close().catch(() => {});
    throw e;
  });
  sweepJobDirs();
  const w = new Worker(nc, infra, o);
  w.start();
  return w;
}

function reviveOptions(opts: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...opts };
  const revive = (v: unknown): unknown =>
    v && typeof v === "object" && !Array.isArray(v) && "kind" in v ? fromJSON(v) : v;
  for (const k of ["formula", "family"]) if (out[k] !== undefined) out[k] = revive(out[k]);
  for (const k of ["priors", "prior"]) {
    const v = out[k];
    if (Array.isArray(v)) out[k] = v.map(revive);
    else if (v !== undefined) out[k] = revive(v);
  }
  return out;
}

/** Job directories are `<tmpdir>/brmsts-job-<worker pid>-XXXXXX`. */
const JOB_DIR_PREFIX = "brmsts-job-";

/**
 * Removes the job directories of cluster workers that are gone (killed mid-job: a SIGKILL leaves
 * no chance to clean up): at start, at stop and before each job, every worker tidies up after
 * its dead peers on this machine.
 */
function sweepJobDirs(): void {
  for (const dir of deadOwnerTmpEntries(JOB_DIR_PREFIX)) {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `p`, or `fallback` once `ms` have passed (calling `onTimeout`). */
function bounded<T, F>(
  p: Promise<T>,
  ms: number,
  fallback: F,
  onTimeout?: () => void,
): Promise<T | F> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<F>((res) => {
    timer = setTimeout(() => {
      onTimeout?.();
      res(fallback);
    }, ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
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
    if (!keys.signer && keys.trusted.length === 0) {
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
      const prefix = `${id}/a${attempt}`;
      const put = (name: string, data: Uint8Array) =>
        this.infra.data.putBlob({ name: `${prefix}/${name}` }, data).then(() =>
          `${prefix}/${name}`
        );
      // R writes the RDS while this process writes and uploads the Zarr chunks.
      const rdsSaved = saveRds(fit, join(tmp, "fit.rds"), { worker: w });
      rdsSaved.catch(() => {}); // awaited below; a failure there fails the job
      const zdir = join(tmp, "idata.zarr");
      toZarr(fit.idata, zdir);
      const zarr: Record<string, string> = {};
      const files = filesUnder(zdir);
      for (let i = 0; i < files.length; i += 16) {
        await Promise.all(
          files.slice(i, i + 16).map(async (f) => {
            const rel = relative(zdir, f);
            zarr[rel] = await put(`idata.zarr/${rel}`, readFileSync(f));
          }),
        );
      }
      await rdsSaved;
      const result: ResultManifest = {
        rds: await put("fit.rds", readFileSync(join(tmp, "fit.rds"))),
        draws: await put("posterior.arrow", await toArrowIPC(fit.idata, "posterior")),
        summary: await put("summary.json", toBytes(summarize(fit.idata))),
        zarr,
        worker: this.name,
        attempt,
      };
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
  async exhausted(data: Uint8Array): Promise<void> {
    const adv = fromBytes<{ stream_seq: number; deliveries: number }>(data);
    const sm = await this.infra.jsm.streams.getMessage(JOB_STREAM, { seq: adv.stream_seq })
      .catch(() => null);
    if (!sm) return;
    const spec = fromBytes<JobSpec>(sm.data);
    const entry = await this.infra.state.get(spec.id);
    const st = entry && entry.length ? fromBytes<JobState>(entry.value) : null;
    if (st && TERMINAL.has(st.state)) return;
    const error = {
      kind: "crashed",
      name: "WorkerLost",
      message: `the job's worker stopped without answering ${adv.deliveries} times (last: ` +
        `${st?.worker ?? "unknown"} on attempt ${st?.attempt ?? adv.deliveries}; no heartbeat ` +
        `within ack_wait); max_deliver reached`,
    };
    const next: JobState = {
      state: "failed",
      attempt: adv.deliveries,
      worker: st?.worker,
      error,
      updated: Date.now(),
    };
    try {
      await this.infra.state.update(spec.id, toBytes(next), entry?.revision ?? 0);
    } catch {
      return; // another worker recorded it
    }
    const ev: JobEvent = {
      job: spec.id,
      seq: 0,
      attempt: adv.deliveries,
      worker: this.name,
      time: Date.now(),
      type: "failed",
      error,
    };
    await this.js.publish(eventSubject(spec.id), toBytes(ev));
    await this.infra.jsm.streams.deleteMessage(JOB_STREAM, adv.stream_seq).catch(() => {});
    this.log({ event: "exhausted", job: spec.id, deliveries: adv.deliveries });
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
