/**
 * Errors of the `brmsts` command line.
 *
 * @module
 */
import { BrmstsInputError } from "../errors.ts";

/**
 * Bad input on the command line: an unknown flag, a missing argument, an unreadable or
 * malformed data file (ragged CSV rows, unknown format). The command exits with status 2.
 *
 * @example
 * ```ts
 * import { CliInputError } from "./errors.ts";
 * throw new CliInputError("--formula is required");
 * ```
 */
export class CliInputError extends BrmstsInputError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "CLI_INPUT";
}
