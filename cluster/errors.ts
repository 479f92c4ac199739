/**
 * Errors of the cluster client and worker.
 *
 * @module
 */
import { BrmstsError } from "../errors.ts";

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
export type JobFailureKind =
  | "bad-input"
  | "r-error"
  | "crashed"
  | "cancelled"
  | "policy"
  | "limit";

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
    super(message);
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
export class ClusterInputError extends BrmstsError {}

/**
 * A job refused by the worker's policy for untrusted jobs (issue 27): a formula calling a
 * function outside the allow-list, an option that is not allowed (custom family R source,
 * `stanvars`, `file`, R code). `offender` names the function or option. Never retried; the job
 * fails with kind `policy`.
 *
 * @example
 * ```ts
 * import { JobPolicyError } from "./errors.ts";
 * const e = new JobPolicyError("option 'file' is not allowed", "file");
 * e.code; // "job-policy"
 * ```
 */
export class JobPolicyError extends BrmstsError {
  /** Stable code of the error. */
  readonly code = "job-policy";
  /** Creates the error; `offender` is the refused function or option. */
  constructor(message: string, readonly offender: string) {
    super(message);
  }
}

/**
 * A job over one of the worker's limits (data bytes, draws, wall time, memory). `limit` names
 * it. Never retried; the job fails with kind `limit`.
 *
 * @example
 * ```ts
 * import { JobLimitError } from "./errors.ts";
 * const e = new JobLimitError("the job's data has 2e9 bytes, more than 1e8", "maxDataBytes");
 * e.code; // "job-limit"
 * ```
 */
export class JobLimitError extends BrmstsError {
  /** Stable code of the error. */
  readonly code = "job-limit";
  /** Creates the error; `limit` is the option that was exceeded. */
  constructor(message: string, readonly limit: string) {
    super(message);
  }
}
