/**
 * The one base class of every error brmsts raises: `err instanceof BrmstsError` catches them
 * all. Each folder keeps its own errors in its `errors.ts`, all extending this class.
 *
 * @example
 * ```ts
 * import { BrmstsError } from "./errors.ts";
 *
 * try {
 *   throw new BrmstsError("something went wrong");
 * } catch (err) {
 *   if (err instanceof BrmstsError) console.error(err.name, err.message);
 * }
 * ```
 *
 * @module
 */

/** Base class of every brmsts error; its `name` is the subclass's name. */
export class BrmstsError extends Error {
  /**
   * @param message What went wrong and, where known, what to do about it.
   * @param options `cause`: the underlying error, when there is one.
   */
  /** Creates the error; `name` becomes the subclass's name. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
