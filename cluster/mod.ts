/**
 * Fits across machines on NATS JetStream: {@link connectCluster} (the client: no R, no FFI,
 * TCP or WebSocket) submits `brm()` jobs; {@link startWorker} (`brmsts worker`) runs them in
 * warm R workers and stores the results in JetStream's object store.
 *
 * @example
 * ```ts
 * import { connectCluster } from "./mod.ts";
 * const cluster = await connectCluster({ servers: "nats://127.0.0.1:4222" });
 * const job = await cluster.submit({ formula: "y ~ x", data: { y: [1, 2, 4], x: [1, 2, 3] } });
 * for await (const e of job.events()) console.log(e.type);
 * const { idata, summary, rds } = await job.result();
 * await cluster.close();
 * ```
 *
 * @module
 */
export {
  type Cluster,
  type ClusterOptions,
  type ClusterResult,
  connectCluster,
  type JobEvent,
  type JobHandle,
  type JobOptions,
  type QueueStatus,
  type ResultManifest,
} from "./client.ts";
export { type ClusterWorker, startWorker, type WorkerOptions } from "./worker.ts";
export {
  type ClusterAuthCode,
  ClusterAuthError,
  ClusterInputError,
  ClusterJobError,
  ClusterPermissionError,
  type JobFailureKind,
} from "./errors.ts";
export { type ClusterConnectionOptions, type ClusterTlsOptions, redactUrl } from "./connect.ts";
export { BrmstsError } from "../errors.ts";
export type { InferenceData } from "../idata/mod.ts";
export type { DataFrameInput } from "../data/mod.ts";
export type { NatsConnection } from "@nats-io/nats-core";
// Untrusted jobs (issue 27): the worker's policy and limits.
export { JobLimitError, JobPolicyError } from "./errors.ts";
export { ModelKeyError } from "./signing.ts";
