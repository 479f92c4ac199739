/**
 * Errors of the cluster client and worker.
 *
 * @module
 */
import { BrmstsError, BrmstsInputError } from "../errors.ts";

/**
 * How a cluster job failed: `bad-input` (brms rejected the call: unknown variable, invalid
 * formula, bad prior; never retried), `r-error` (R or Stan failed later), `crashed` (its worker
 * died `maxDeliver` times), `cancelled`.
 *
 * @example
 * ```ts
 * import type { JobFailureKind } from "./errors.ts";
 * const retryable = (k: JobFailureKind) => k === "crashed";
 * ```
 */
export type JobFailureKind = "bad-input" | "r-error" | "crashed" | "cancelled";

/**
 * A cluster job ended without a result. `kind` says why, `errorName` is the class of the error
 * the worker caught (`RError`, `SpecError`, `BrmsSamplingError`, …), `attempts` how many
 * deliveries the job had.
 *
 * @example
 * ```ts
 * import { ClusterJobError } from "./errors.ts";
 * const e = new ClusterJobError("unknown variable", { job: "j1", kind: "bad-input", errorName: "RError", attempts: 1 });
 * e instanceof Error; // true
 * ```
 */
export class ClusterJobError extends BrmstsError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "CLUSTER_JOB";
  /** The job id. */
  readonly job: string;
  /** Why it failed. */
  readonly kind: JobFailureKind;
  /** Class name of the original error. */
  readonly errorName: string;
  /** Deliveries of the job. */
  readonly attempts: number;
  /**
   * Creates the error.
   * @param message The original error's message.
   * @param init Job id, failure kind, original error name, attempts.
   */
  constructor(
    message: string,
    init: { job: string; kind: JobFailureKind; errorName: string; attempts: number },
  ) {
    // The failure kind as a code: CLUSTER_JOB_BAD_INPUT, _R_ERROR, _CRASHED, _CANCELLED.
    super(message, { code: `CLUSTER_JOB_${init.kind.toUpperCase().replace("-", "_")}` });
    this.job = init.job;
    this.kind = init.kind;
    this.errorName = init.errorName;
    this.attempts = init.attempts;
  }
}

/**
 * A job option cannot be sent to a cluster (a function, an R object handle, a worker).
 *
 * @example
 * ```ts
 * import { ClusterInputError } from "./errors.ts";
 * throw new ClusterInputError("option 'worker' cannot be sent to a cluster");
 * ```
 */
export class ClusterInputError extends BrmstsInputError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "CLUSTER_INPUT";
}
