/**
 * The cluster client: submits `brm()` jobs to brmsts workers over NATS JetStream and reads their
 * results. It needs neither R nor FFI (edge runtimes can import it): TCP through
 * `@nats-io/transport-node`, or WebSocket (`ws://`, `wss://` servers) through
 * `@nats-io/nats-core`'s `wsconnect`.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { type Table, tableFromIPC, tableToIPC } from "apache-arrow";
import { type DataFrameInput, isArrowTable, toDataFrame } from "../data/mod.ts";
import { dataFrameToArrow } from "../data/arrow.ts";
import { fromZarr, type InferenceData } from "../idata/mod.ts";
import { ClusterInputError, ClusterJobError, type JobFailureKind } from "./errors.ts";
import {
  type ClusterConnection,
  type ClusterConnectionOptions,
  openConnection,
  redactUrl,
} from "./connect.ts";
import {
  CANCEL_PREFIX,
  ensureInfra,
  EVENT_STREAM,
  eventSubject,
  fromBytes,
  type Infra,
  JOB_CONSUMER,
  JOB_STREAM,
  JOB_SUBJECT,
  type JobEvent,
  type JobSpec,
  readState,
  type ResultManifest,
  retrying,
  toBytes,
} from "./protocol.ts";

export type { JobEvent, ResultManifest } from "./protocol.ts";
export type { ClusterConnectionOptions, ClusterTlsOptions } from "./connect.ts";

/**
 * Options of {@link connectCluster}.
 *
 * @example
 * ```ts
 * import type { ClusterOptions } from "./client.ts";
 * const tcp: ClusterOptions = { servers: "nats://127.0.0.1:4222" };
 * const ws: ClusterOptions = { servers: "ws://127.0.0.1:8080" };
 * ```
 */
export interface ClusterOptions extends ClusterConnectionOptions {
  /**
   * NATS server URL(s): `nats://host:port` (TCP) or `ws://` / `wss://` (WebSocket); several for
   * a NATS cluster. Default: `NATS_URL`. Credentials and TLS: see {@link ClusterConnectionOptions}.
   */
  servers?: string | string[];
  /**
   * Replicas of the streams and buckets this client creates when they do not exist yet (1-5).
   * Default: as many as the NATS cluster has servers, at most 3; existing ones are kept.
   */
  replicas?: number;
}

/**
 * A job's options: {@link BrmOptions}-like plain values. `formula`, `family` and `priors` may be
 * strings or values of the formula DSL (`bf()`, `poisson()`, `prior()`: sent as their JSON
 * trees); `data` is any JS data (sent as Arrow IPC). Functions, R handles and workers cannot
 * be sent.
 *
 * @example
 * ```ts
 * import type { JobOptions } from "./client.ts";
 * const job: JobOptions = {
 *   formula: "y ~ x", data: { y: [1, 2, 3], x: [0, 1, 2] }, chains: 1, iter: 200, seed: 1,
 * };
 * ```
 */
export interface JobOptions {
  /** The model formula (text or DSL value). */
  formula: unknown;
  /** The data (columns, rows, DataFrame or Arrow Table). */
  data: DataFrameInput;
  /** Any other brm option (JSON-serialisable). */
  [option: string]: unknown;
}

/**
 * A finished job's results.
 *
 * @example
 * ```ts
 * import type { ClusterResult } from "./client.ts";
 * const show = (r: ClusterResult) => r.idata.get("posterior", "b_Intercept").shape;
 * ```
 */
export interface ClusterResult {
  /** The InferenceData (all groups), from the worker's Zarr store. */
  idata: InferenceData;
  /** The posterior draws as an Arrow table. */
  draws: Table;
  /** posterior::summarise_draws-equivalent rows of the posterior (see `summarizeDraws`). */
  summary: Record<string, unknown>[];
  /** The brmsfit as RDS bytes (`readRDS` in R, or `readRdsFit` after writing it to a file). */
  rds: Uint8Array;
  /** Which worker produced it. */
  worker: string;
  /** On which delivery of the job (1 = first). */
  attempt: number;
}

/**
 * A submitted job.
 *
 * @example
 * ```ts
 * import { connectCluster } from "./client.ts";
 * const cluster = await connectCluster({ servers: "nats://127.0.0.1:4222" });
 * const job = await cluster.submit({ formula: "y ~ x", data: { y: [1, 2, 3], x: [1, 2, 3] } });
 * for await (const e of job.events()) console.log(e.type);
 * const { idata } = await job.result();
 * ```
 */
export interface JobHandle {
  /** The job id. */
  readonly id: string;
  /** The job's events from its first one, ending with `done`, `failed` or `cancelled`. */
  events(): AsyncIterable<JobEvent>;
  /** The results; rejects with {@link ClusterJobError} when the job failed or was cancelled. */
  result(): Promise<ClusterResult>;
  /** Asks the worker running it to stop (R is interrupted); a queued job never starts. */
  cancel(): Promise<void>;
}

/**
 * A connection to a brmsts cluster.
 *
 * @example
 * ```ts
 * import { connectCluster } from "./client.ts";
 * await using cluster = await connectCluster({ servers: "nats://127.0.0.1:4222" });
 * const results = await cluster.map([
 *   { formula: "y ~ x", data: { y: [1, 2, 3], x: [1, 2, 3] }, seed: 1 },
 *   { formula: "y ~ x", data: { y: [3, 2, 1], x: [1, 2, 3] }, seed: 2 },
 * ], { concurrency: 2 });
 * ```
 */
export interface Cluster extends AsyncDisposable {
  /** The NATS connection. */
  readonly nc: NatsConnection;
  /** Queues a fit job. */
  submit(options: JobOptions): Promise<JobHandle>;
  /** A handle on an existing job by id. */
  job(id: string): JobHandle;
  /** Runs jobs with at most `concurrency` in flight; results in input order. */
  map(jobs: Iterable<JobOptions>, options?: { concurrency?: number }): Promise<ClusterResult[]>;
  /** Cancels a job. */
  cancel(job: JobHandle | string): Promise<void>;
  /** The work queue: jobs waiting, jobs running, redeliveries, and the consumer's settings. */
  queueStatus(): Promise<QueueStatus>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/**
 * What {@link Cluster.queueStatus} reports.
 *
 * @example
 * ```ts
 * import type { QueueStatus } from "./client.ts";
 * const busy = (q: QueueStatus) => q.queued + q.running > 0;
 * ```
 */
export interface QueueStatus {
  /** The server the client is connected to. */
  server: string;
  /** Jobs waiting for a worker. */
  queued: number;
  /** Jobs a worker holds (unacknowledged). */
  running: number;
  /** Jobs delivered more than once so far. */
  redelivered: number;
  /** The consumer's ack_wait in milliseconds. */
  ackWaitMs: number;
  /** The consumer's max_deliver. */
  maxDeliver: number;
}

/**
 * Connects to a brmsts cluster (creating its streams and buckets if they do not exist yet).
 *
 * @example
 * ```ts
 * import { connectCluster } from "./client.ts";
 * const cluster = await connectCluster({ servers: "nats://127.0.0.1:4222" });
 * const job = await cluster.submit({
 *   formula: "count ~ zAge + (1 | patient)", family: "poisson",
 *   data: { count: [1, 3, 0, 2], zAge: [0.1, -0.2, 0.3, 0], patient: ["a", "a", "b", "b"] },
 *   chains: 1, iter: 500, seed: 1,
 * });
 * const { idata, summary } = await job.result();
 * await cluster.close();
 * ```
 */
export async function connectCluster(options: ClusterOptions): Promise<Cluster> {
  const conn = await openConnection({ ...options, name: options.name ?? "brmsts-client" });
  try {
    const infra = await conn.guarded(() => ensureInfra(conn.nc, { replicas: options.replicas }));
    return new ClusterImpl(conn, infra);
  } catch (e) {
    await conn.nc.close().catch(() => {});
    throw e;
  }
}

/** Plain JSON of the options; DSL values become their trees (they have toJSON). */
function jobOptionsJson(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (k === "data" || v === undefined) continue;
    if (["worker", "signal", "onProgress", "onLog"].includes(k) || typeof v === "function") {
      throw new ClusterInputError(`option '${k}' cannot be sent to a cluster`);
    }
    const s = JSON.stringify(v, (_key, x) => {
      if (x && typeof x === "object" && "assertUsable" in x) {
        throw new ClusterInputError(`option '${k}' holds an R object handle`);
      }
      if (typeof x === "function") throw new ClusterInputError(`option '${k}' holds a function`);
      return x;
    });
    out[k] = JSON.parse(s);
  }
  if (out.formula === undefined) throw new ClusterInputError("a job needs a formula");
  return out;
}

/** Arrow IPC (stream format) of the data. */
export function dataToIpc(data: DataFrameInput): Uint8Array {
  const table = isArrowTable(data) ? data as unknown as Table : dataFrameToArrow(toDataFrame(data));
  return tableToIPC(table, "stream");
}

class ClusterImpl implements Cluster {
  readonly js: JetStreamClient;
  readonly nc: NatsConnection;
  constructor(readonly conn: ClusterConnection, readonly infra: Infra) {
    this.nc = conn.nc;
    this.js = jetstream(this.nc);
  }

  submit(options: JobOptions): Promise<JobHandle> {
    return this.conn.guarded(() => this.#submit(options));
  }

  async #submit(options: JobOptions): Promise<JobHandle> {
    if (options?.data === undefined) throw new ClusterInputError("a job needs data");
    const opts = jobOptionsJson(options as Record<string, unknown>);
    const id = crypto.randomUUID().replaceAll("-", "");
    const dataName = `${id}/input.arrow`;
    await this.infra.data.putBlob({ name: dataName }, dataToIpc(options.data));
    const spec: JobSpec = { id, options: opts, data: dataName, submitted: Date.now() };
    await this.infra.state.put(id, toBytes({ state: "queued", attempt: 0, updated: Date.now() }));
    await this.js.publish(JOB_SUBJECT, toBytes(spec), { msgID: id });
    return this.job(id);
  }

  job(id: string): JobHandle {
    return {
      id,
      events: () => this.events(id),
      result: () => this.result(id),
      cancel: () => this.cancel(id),
    };
  }

  async *events(id: string): AsyncGenerator<JobEvent> {
    const consumer = await this.conn.guarded(() =>
      retrying(() => this.js.consumers.get(EVENT_STREAM, { filter_subjects: eventSubject(id) }))
    );
    const msgs = await this.conn.guarded(() => retrying(() => consumer.consume()));
    try {
      for await (const m of msgs) {
        const e = fromBytes<JobEvent>(m.data);
        yield e;
        if (e.type === "done" || e.type === "failed" || e.type === "cancelled") return;
      }
    } finally {
      await msgs.close().catch(() => {});
    }
  }

  async result(id: string): Promise<ClusterResult> {
    let manifest: ResultManifest | undefined;
    const st = await this.conn.guarded(() => retrying(() => readState(this.infra.state, id)));
    if (st?.state === "done" && st.result) manifest = st.result;
    else {
      for await (const e of this.#eventsOrState(id)) {
        if (e.type === "done") manifest = e.result;
        else if (e.type === "failed" || e.type === "cancelled") {
          const err = e.type === "failed"
            ? e.error
            : { kind: "cancelled", name: "RAbortError", message: "the job was cancelled" };
          throw new ClusterJobError(err.message, {
            job: id,
            kind: err.kind as JobFailureKind,
            errorName: err.name,
            attempts: e.attempt,
          });
        }
      }
    }
    if (!manifest) {
      throw new ClusterJobError("the job ended without a result", {
        job: id,
        kind: "crashed",
        errorName: "Error",
        attempts: 0,
      });
    }
    return await this.download(manifest);
  }

  /** The job's events to its end; a `done` state (read every 5 s) also ends them (lost server). */
  async *#eventsOrState(id: string): AsyncGenerator<JobEvent> {
    const consumer = await this.conn.guarded(() =>
      retrying(() => this.js.consumers.get(EVENT_STREAM, { filter_subjects: eventSubject(id) }))
    );
    const msgs = await this.conn.guarded(() => retrying(() => consumer.consume()));
    let fromState: JobEvent | undefined;
    const timer = setInterval(async () => {
      const st = await readState(this.infra.state, id).catch(() => null);
      if (st?.state !== "done" || !st.result || fromState) return;
      fromState = { type: "done", result: st.result } as JobEvent;
      await msgs.close().catch(() => {});
    }, 5000);
    try {
      for await (const m of msgs) {
        const e = fromBytes<JobEvent>(m.data);
        yield e;
        if (e.type === "done" || e.type === "failed" || e.type === "cancelled") return;
      }
      if (fromState) yield fromState;
    } finally {
      clearInterval(timer);
      await msgs.close().catch(() => {});
    }
  }

  async download(m: ResultManifest): Promise<ClusterResult> {
    const get = async (name: string) => {
      const b = await this.conn.guarded(() => retrying(() => this.infra.data.getBlob(name)));
      if (!b) {
        throw new ClusterJobError(`result object ${name} is missing`, {
          job: name.split("/")[0],
          kind: "crashed",
          errorName: "Error",
          attempts: m.attempt,
        });
      }
      return new Uint8Array(b);
    };
    const [summary, rds, draws] = await Promise.all([get(m.summary), get(m.rds), get(m.draws)]);
    const dir = mkdtempSync(join(tmpdir(), "brmsts-result-"));
    try {
      const files = Object.entries(m.zarr);
      for (let i = 0; i < files.length; i += 16) {
        await Promise.all(
          files.slice(i, i + 16).map(async ([rel, name]) => {
            const p = join(dir, rel);
            mkdirSync(dirname(p), { recursive: true });
            writeFileSync(p, await get(name));
          }),
        );
      }
      const idata = fromZarr(dir);
      return {
        idata,
        draws: tableFromIPC(draws),
        summary: fromBytes<Record<string, unknown>[]>(summary),
        rds,
        worker: m.worker,
        attempt: m.attempt,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async map(
    jobs: Iterable<JobOptions>,
    options: { concurrency?: number } = {},
  ): Promise<ClusterResult[]> {
    const list = [...jobs];
    const out: ClusterResult[] = new Array(list.length);
    let next = 0;
    const lane = async () => {
      while (next < list.length) {
        const i = next++;
        const h = await this.submit(list[i]);
        out[i] = await h.result();
      }
    };
    const n = Math.max(1, Math.min(options.concurrency ?? list.length, list.length));
    await Promise.all(Array.from({ length: n }, lane));
    return out;
  }

  cancel(job: JobHandle | string): Promise<void> {
    const id = typeof job === "string" ? job : job.id;
    return this.conn.guarded(async () => {
      await this.infra.state.put(`${id}.cancel`, toBytes({ time: Date.now() }));
      this.nc.publish(`${CANCEL_PREFIX}.${id}`);
      await this.nc.flush();
    });
  }

  async queueStatus(): Promise<QueueStatus> {
    const ci = await this.conn.guarded(() =>
      this.infra.jsm.consumers.info(JOB_STREAM, JOB_CONSUMER)
    );
    return {
      server: redactUrl(this.nc.getServer()),
      queued: ci.num_pending,
      running: ci.num_ack_pending,
      redelivered: ci.num_redelivered,
      ackWaitMs: (ci.config.ack_wait ?? 0) / 1e6,
      maxDeliver: ci.config.max_deliver ?? -1,
    };
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
