/**
 * Errors of the pure-TS scorer: a bad artifact, bad new data, a model the scorer cannot
 * reproduce exactly. All extend {@linkcode BrmstsError} and carry a stable `code`.
 *
 * @module
 */
import { BrmstsError, BrmstsInputError } from "../errors.ts";

/**
 * A scorer artifact that is not one, is truncated or corrupted (checksum), or has a newer
 * format version than this module reads.
 *
 * @example
 * ```ts
 * import { ScorerFormatError } from "./errors.ts";
 * const e = new ScorerFormatError("bad-magic", "not a brmsts scorer");
 * e.code; // "bad-magic"
 * ```
 */
export class ScorerFormatError extends BrmstsError {
  /** The code of this class's errors when none is more specific (docs/errors.md). */
  static override readonly code: string = "SCORER_FORMAT";
  /** Creates the error; `code`: `bad-magic`, `version-too-new`, `truncated`, `checksum`, `bad-header`. */
  constructor(code: string, message: string) {
    super(message, { code });
  }
}

/**
 * New data brms would refuse (a missing column, an unknown factor level or group level, a
 * wrong type) or a scoring option the scorer does not offer. `column` names the variable;
 * `brmsMessage` is the message brms gives for the same data.
 *
 * @example
 * ```ts
 * import { ScorerInputError } from "./errors.ts";
 * const e = new ScorerInputError("missing-column", "x", "x is missing");
 * e.column; // "x"
 * ```
 */
export class ScorerInputError extends BrmstsInputError {
  /** The code of this class's errors when none is more specific (docs/errors.md). */
  static override readonly code: string = "SCORER_INPUT";
  /** The variable concerned, when there is one. */
  readonly column: string | undefined;
  /**
   * Creates the error; `code`: `missing-column`, `new-factor-level`, `new-group-level`,
   * `wrong-type`, `na`, `option`.
   */
  constructor(code: string, column: string | undefined, message: string) {
    super(message, { code });
    this.column = column;
  }
}

/**
 * A model the scorer cannot reproduce exactly, refused at export: `term` names the term or
 * family (`s(x)`, `mixture`, `custom`, ...).
 *
 * @example
 * ```ts
 * import { ScorerUnsupportedError } from "./errors.ts";
 * const e = new ScorerUnsupportedError("s(x)", "smooth terms are not supported: s(x)");
 * e.code; // "SCORER_UNSUPPORTED"
 * ```
 */
export class ScorerUnsupportedError extends BrmstsError {
  /** The code of this class's errors: always `unsupported`. */
  static override readonly code: string = "SCORER_UNSUPPORTED";
  /** The refused term or family. */
  readonly term: string;
  /** Creates the error. */
  constructor(term: string, message: string) {
    super(message);
    this.term = term;
  }
}
