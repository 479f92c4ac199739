/**
 * Errors of the `brmsts` command line.
 *
 * @module
 */
import { BrmstsError } from "../errors.ts";

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
export class CliInputError extends BrmstsError {}
