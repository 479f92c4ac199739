/**
 * The options of a cluster worker ({@link WorkerOptions}) and the handle {@link ClusterWorker}
 * that `startWorker()` returns.
 *
 * @module
 */
import type { ClusterConnectionOptions } from "./connect.ts";
import type { JobLimits } from "./_limits.ts";

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
  /**
   * Replicas of the streams and buckets the worker creates when they do not exist yet (1-5).
   * Default: as many as the NATS cluster has servers, at most 3 (1 on a single server);
   * existing ones are kept as they are (logged as `replicas-kept`).
   */
  replicas?: number;
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
