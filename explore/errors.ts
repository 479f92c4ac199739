/**
 * Errors of the explorer: bad input (a fit it cannot open, a bad option) and server failures.
 *
 * @module
 */
import { BrmstsError, BrmstsInputError } from "../errors.ts";

/**
 * The explorer was given something it cannot show (not a fit, an InferenceData, a fit directory,
 * an `idata.zarr` store or an RDS file), or a bad option.
 *
 * @example
 * ```ts
 * import { ExploreInputError } from "./errors.ts";
 * const e = new ExploreInputError("no posterior group");
 * e.code; // "EXPLORE_INPUT"
 * ```
 */
export class ExploreInputError extends BrmstsInputError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "EXPLORE_INPUT";
}

/**
 * The explorer's web server could not start (the port is taken, the runtime has no server).
 *
 * @example
 * ```ts
 * import { ExploreServerError } from "./errors.ts";
 * const e = new ExploreServerError("port 8080 is in use");
 * e.code; // "EXPLORE_SERVER"
 * ```
 */
export class ExploreServerError extends BrmstsError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "EXPLORE_SERVER";
}
