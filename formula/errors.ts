/**
 * The error thrown by the formula DSL when a specification is rejected in
 * TypeScript, before anything reaches R.
 *
 * @module
 */
import { BrmstsInputError } from "../errors.ts";

/**
 * A model specification rejected in TypeScript: an unknown family, a link
 * brms does not allow, a malformed tree given to `fromJSON`, formula text
 * that is not one expression. It extends {@link BrmstsError} (like every
 * brmsts error; before 0.2 it extended `TypeError`). Errors that only brms
 * can detect arrive as the worker's `RError` instead.
 *
 * @example
 * ```ts
 * import { poisson, SpecError } from "./mod.ts";
 * try {
 *   poisson("logit" as never);
 * } catch (e) {
 *   if (e instanceof SpecError) console.error(e.message);
 *   // 'logit' is not a supported link for family 'poisson'.
 *   // Supported links are: log, identity, sqrt, softplus, squareplus
 * }
 * ```
 */
export class SpecError extends BrmstsInputError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "FORMULA_SPEC";
  /** Creates the error; `name` is `"SpecError"`. */
  constructor(message: string) {
    super(message);
    this.name = "SpecError";
  }
}
