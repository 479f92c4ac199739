/**
 * What the cluster client and worker share: stream, subject and bucket names, the job and event
 * shapes, and the idempotent set-up of the JetStream resources. No R, no FFI.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/nats-core";
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { type ObjectStore, Objm } from "@nats-io/obj";

/** The work-queue stream of fit jobs. */
export const JOB_STREAM = "BRMSTS_JOBS";
/** Subject jobs are published on. */
export const JOB_SUBJECT = "brmsts.jobs";
/** The durable pull consumer all workers share. */
export const JOB_CONSUMER = "workers";
/** Stream of job events (progress, terminal states); subject `brmsts.events.<job>`. */
export const EVENT_STREAM = "BRMSTS_EVENTS";
/** Subject prefix of job events. */
export const EVENT_PREFIX = "brmsts.events";
/** Core-NATS subject prefix of cancel requests. */
export const CANCEL_PREFIX = "brmsts.cancel";
/** KV bucket of job states. */
export const STATE_BUCKET = "brmsts-jobs";
/** Object store of job data and results. */
export const DATA_BUCKET = "brmsts-data";
/** Object store of compiled models, keyed by platform fingerprint and cache key. */
export const MODEL_BUCKET = "brmsts-models";
/** JetStream advisory published when a job exhausted its deliveries. */
export const MAX_DELIVERIES_ADVISORY =
  `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${JOB_STREAM}.${JOB_CONSUMER}`;

/** A job as queued: the brm options (JSON) and where its data is. */
export interface JobSpec {
  id: string;
  /** brm options without `data` (formula/family/priors as DSL JSON trees or strings). */
  options: Record<string, unknown>;
  /** Object name of the data (Arrow IPC stream). */
  data: string;
  submitted: number;
}

/** Terminal states. */
export type TerminalState = "done" | "failed" | "cancelled";

/** State of a job in the KV bucket. */
export interface JobState {
  state: "queued" | "running" | TerminalState;
  attempt: number;
  worker?: string;
  error?: { kind: string; name: string; message: string };
  /** Result object names when done. */
  result?: ResultManifest;
  updated: number;
}

/** Where a finished job's results are in the data bucket. */
export interface ResultManifest {
  /** Summary rows, JSON. */
  summary: string;
  /** The brmsfit, RDS. */
  rds: string;
  /** Posterior draws, Arrow IPC file. */
  draws: string;
  /** Zarr store files: relative path → object name. */
  zarr: Record<string, string>;
  /** The worker that produced them. */
  worker: string;
  /** The delivery (1 = first) that produced them. */
  attempt: number;
}

/**
 * An event of a job, in order (`seq` increases by one per event of the job). `progress`
 * carries brm()'s progress event; `started` opens each delivery (attempt); `done`, `failed`
 * and `cancelled` end the job.
 */
export type JobEvent =
  & { job: string; seq: number; attempt: number; worker: string; time: number }
  & (
    | { type: "started" }
    | { type: "progress"; progress: Record<string, unknown> }
    | { type: "done"; result: ResultManifest; cache?: string }
    | { type: "failed"; error: { kind: string; name: string; message: string } }
    | { type: "cancelled" }
  );

/** Settings of the shared resources. */
export interface InfraOptions {
  /** Milliseconds a worker may hold a job without a heartbeat before it is redelivered. */
  ackWaitMs?: number;
  /** Deliveries of a job before it is given up. */
  maxDeliver?: number;
  /**
   * Replicas of the streams and buckets created here (1-5). Default: as many as the NATS
   * cluster has servers, at most 3 (1 on a single server). Existing ones are kept as they are.
   */
  replicas?: number;
  /** Told when an existing stream or bucket has another replica count (it is kept). */
  onLog?: (entry: Record<string, unknown>) => void;
}

/** Handles on the shared resources. */
export interface Infra {
  jsm: JetStreamManager;
  state: KV;
  data: ObjectStore;
  models: ObjectStore;
}

const NS = 1_000_000;

/**
 * Creates (or reuses) the streams, the consumer and the buckets. Workers pass their
 * `ackWaitMs`/`maxDeliver` and update the shared consumer; clients pass nothing.
 */
export async function ensureInfra(nc: NatsConnection, o: InfraOptions = {}): Promise<Infra> {
  const jsm = await jetstreamManager(nc);
  const replicas = o.replicas ?? defaultReplicas(nc);
  const log = (name: string, have: number | undefined) => {
    if (have !== undefined && have !== replicas) {
      o.onLog?.({ event: "replicas-kept", stream: name, replicas: have, wanted: replicas });
    }
  };
  await addOrKeep(jsm, log, {
    name: JOB_STREAM,
    num_replicas: replicas,
    subjects: [JOB_SUBJECT],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
  });
  await addOrKeep(jsm, log, {
    name: EVENT_STREAM,
    num_replicas: replicas,
    subjects: [`${EVENT_PREFIX}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: 24 * 3600 * 1000 * NS,
  });
  const consumer = {
    durable_name: JOB_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    ack_wait: (o.ackWaitMs ?? 60_000) * NS,
    max_deliver: o.maxDeliver ?? 3,
    max_ack_pending: -1,
  };
  const existing = await jsm.consumers.info(JOB_STREAM, JOB_CONSUMER).catch(() => null);
  if (!existing) {
    await jsm.consumers.add(JOB_STREAM, consumer).catch(async (e) => {
      if (!await jsm.consumers.info(JOB_STREAM, JOB_CONSUMER).catch(() => null)) throw e;
    });
  } else if (
    o.ackWaitMs !== undefined &&
    (existing.config.ack_wait !== consumer.ack_wait ||
      existing.config.max_deliver !== consumer.max_deliver)
  ) {
    await jsm.consumers.update(JOB_STREAM, JOB_CONSUMER, {
      ack_wait: consumer.ack_wait,
      max_deliver: consumer.max_deliver,
    });
  }
  const kvm = new Kvm(nc), objm = new Objm(nc);
  const state = await kvm.create(STATE_BUCKET, { history: 1, replicas });
  log(`KV_${STATE_BUCKET}`, (await state.status()).replicas);
  const data = await objm.create(DATA_BUCKET, { storage: StorageType.File, replicas });
  log(`OBJ_${DATA_BUCKET}`, (await data.status()).replicas);
  const models = await objm.create(MODEL_BUCKET, { storage: StorageType.File, replicas });
  log(`OBJ_${MODEL_BUCKET}`, (await models.status()).replicas);
  return { jsm, state, data, models };
}

/**
 * The default replica count: the servers of the connected server's cluster (its own client URL
 * and the others it advertises), at most 3; 1 on a single server.
 */
export function defaultReplicas(nc: NatsConnection): number {
  const info = nc.info;
  if (!info?.cluster) return 1;
  const urls = new Set(info.connect_urls ?? []);
  return Math.max(1, Math.min(3, urls.size));
}

async function addOrKeep(
  jsm: JetStreamManager,
  log: (name: string, have: number | undefined) => void,
  cfg: Parameters<JetStreamManager["streams"]["add"]>[0],
): Promise<void> {
  const have = await jsm.streams.info(cfg.name!).catch(() => null);
  if (have) return log(cfg.name!, have.config.num_replicas);
  await jsm.streams.add(cfg).catch(async (e) => {
    if (!await jsm.streams.info(cfg.name!).catch(() => null)) throw e;
  });
}

/** Subject of a job's events. */
export const eventSubject = (job: string): string => `${EVENT_PREFIX}.${job}`;

/** The ordered events of a job from its first one; `DeliverPolicy.All`. */
export const EVENTS_FROM_START = DeliverPolicy.All;

const enc = new TextEncoder(), dec = new TextDecoder("utf-8", { ignoreBOM: true });
/** JSON → bytes. */
export const toBytes = (v: unknown): Uint8Array => enc.encode(JSON.stringify(v));
/** bytes → JSON. */
export const fromBytes = <T>(b: Uint8Array): T => JSON.parse(dec.decode(b)) as T;

/** Reads a job's state (or null). */
export async function readState(kv: KV, job: string): Promise<JobState | null> {
  const e = await kv.get(job);
  return e && e.length ? fromBytes<JobState>(e.value) : null;
}

const NOT_TRANSIENT =
  /^(R[A-Z]\w*Error|Brms\w*Error|SpecError|TypeError|RangeError|Cluster\w*Error)$/;

/** Whether an error is the connection's or the server's (worth retrying), not the job's. */
export function isTransient(e: unknown): boolean {
  const name = (e as Error)?.name ?? "";
  if (NOT_TRANSIENT.test(name)) return false;
  const msg = String((e as Error)?.message ?? "");
  return /Timeout|NoResponders|Connection|Closed|Request|JetStream(NotEnabled|Status)/.test(name) ||
    /timeout|no responders|disconnect|connection|jetstream (is )?not (enabled|available)/i.test(
      msg,
    );
}

/**
 * Runs `fn`, retrying transient NATS failures (a server restart, a reconnect) for up to
 * `ms` milliseconds.
 */
export async function retrying<T>(fn: () => Promise<T>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (let delay = 100;; delay = Math.min(delay * 2, 2000)) {
    try {
      return await fn();
    } catch (e) {
      // A closed connection never comes back (only a reconnecting one does).
      const closed = (e as Error)?.name === "ClosedConnectionError";
      if (closed || !isTransient(e) || Date.now() + delay > end) throw e;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
