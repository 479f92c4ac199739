/**
 * The errors of brms fitting, all extending {@link BrmstsError}. Errors R raises arrive as the
 * worker's `RError`.
 *
 * @module
 */
import { BrmstsError } from "../../errors.ts";

/**
 * The sampler failed without an R error (rstan returns a fit without draws, e.g. when no initial
 * values could be found). `reason` holds what rstan printed.
 *
 * @example
 * ```ts
 * import { brm } from "../../mod.ts";
 * declare const opts: any;
 * try { await brm(opts); } catch (e) { if (e instanceof BrmsSamplingError) console.error(e.reason); }
 * ```
 */
export class BrmsSamplingError extends BrmstsError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "BRMS_SAMPLING";
  /** Creates the error (see the class for its fields). */
  constructor(
    message: string,
    readonly reason: string,
    readonly log: string[],
    readonly mode: number | null,
  ) {
    super(message);
  }
}

/**
 * The requested backend cannot be used in the worker's R (e.g. cmdstanr is not installed).
 *
 * @example
 * ```ts
 * import { brm } from "../../mod.ts";
 * declare const opts: any;
 * try { await brm({ ...opts, backend: "cmdstanr" }); } catch (e) {
 *   if (e instanceof BrmsBackendError) console.error(e.message);
 * }
 * ```
 */
export class BrmsBackendError extends BrmstsError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "BRMS_BACKEND";
  /** Creates the error (see the class for its fields). */
  constructor(message: string, readonly backend: string) {
    super(message);
  }
}
