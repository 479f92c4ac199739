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

/**
 * Why a connection was refused: `no-credentials` (the server wants credentials, none were
 * given), `auth-failed` (the server refused the credentials), `credentials-unreadable` (a creds,
 * nkey, certificate or CA file could not be read), `tls-failed` (the TLS handshake or the
 * server's certificate failed), `tls-client-cert-required` (the server verifies client
 * certificates and none was given), `tls-unsupported` (the transport cannot use the TLS option:
 * a client certificate or CA file over WebSocket).
 *
 * @example
 * ```ts
 * import type { ClusterAuthCode } from "./errors.ts";
 * const fixable = (c: ClusterAuthCode) => c !== "tls-unsupported";
 * ```
 */
export type ClusterAuthCode =
  | "no-credentials"
  | "auth-failed"
  | "credentials-unreadable"
  | "tls-failed"
  | "tls-client-cert-required"
  | "tls-unsupported";

/**
 * The NATS server refused the connection: missing or wrong credentials, or TLS failed. The
 * message names the server (user info redacted) and where the credentials came from, never
 * the secret.
 *
 * @example
 * ```ts
 * import { ClusterAuthError } from "./errors.ts";
 * const e = new ClusterAuthError("the NATS server refused the credentials", { code: "auth-failed" });
 * e.code; // "auth-failed"
 * ```
 */
export class ClusterAuthError extends BrmstsError {
  /** The code of this class's errors when none is given (docs/errors.md). */
  static override readonly code: string = "CLUSTER_AUTH";
  /** Why: see {@link ClusterAuthCode}. */
  declare readonly code: ClusterAuthCode;
  /**
   * Creates the error.
   * @param message What failed, without secrets.
   * @param init The code, and the underlying error (its message must hold no secret).
   */
  constructor(message: string, init: { code: ClusterAuthCode; cause?: unknown }) {
    super(message, { code: init.code, ...(init.cause === undefined ? {} : { cause: init.cause }) });
  }
}

/**
 * The NATS server denied an operation to this user: `operation` is `publish` or `subscribe`,
 * `subject` the subject denied (a JetStream API call is a publish to `$JS.API.…`). Raised at
 * once, when the server reports the violation, instead of waiting for a time-out. `code` is
 * always `"CLUSTER_PERMISSION"`.
 *
 * @example
 * ```ts
 * import { ClusterPermissionError } from "./errors.ts";
 * const e = new ClusterPermissionError("denied", { operation: "publish", subject: "brmsts.jobs" });
 * e.subject; // "brmsts.jobs"
 * ```
 */
export class ClusterPermissionError extends BrmstsError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "CLUSTER_PERMISSION";
  /** Always `"CLUSTER_PERMISSION"`. */
  declare readonly code: "CLUSTER_PERMISSION";
  /** `publish` or `subscribe`. */
  readonly operation: string;
  /** The subject the server denied. */
  readonly subject: string;
  /**
   * Creates the error.
   * @param message What was denied.
   * @param init The operation and subject.
   */
  constructor(message: string, init: { operation: string; subject: string }) {
    super(message);
    this.operation = init.operation;
    this.subject = init.subject;
  }
}

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
 * e.code; // "JOB_POLICY"
 * ```
 */
export class JobPolicyError extends BrmstsInputError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "JOB_POLICY";
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
 * e.code; // "JOB_LIMIT"
 * ```
 */
export class JobLimitError extends BrmstsError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "JOB_LIMIT";
  /** Creates the error; `limit` is the option that was exceeded. */
  constructor(message: string, readonly limit: string) {
    super(message);
  }
}
