/**
 * The errors of the libR layer.
 *
 * @module
 */
import { BrmstsError } from "../errors.ts";

/** Raised when no usable R installation is found; the message says how to install one. */
export class RNotFoundError extends BrmstsError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "R_NOT_FOUND";
  override name = "RNotFoundError";
}
