/**
 * Errors of idata/.
 *
 * @module
 */
import { BrmstsInputError } from "../errors.ts";

/**
 * A stored InferenceData (Zarr, Arrow, blosc/lz4 chunks) that brmsts cannot read: corrupt, or
 * a feature it does not support (Fortran order, chunked object arrays, bit shuffle, …).
 *
 * @example
 * ```ts
 * import { DataFormatError } from "./errors.ts";
 * new DataFormatError("unsupported zarr dtype <c16").code; // "DATA_FORMAT"
 * ```
 */
export class DataFormatError extends BrmstsInputError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "DATA_FORMAT";
}
