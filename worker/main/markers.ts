/**
 * Argument markers understood by the encoder.
 *
 * @module
 */
import { BrmstsTypeError } from "../../errors.ts";

/**
 * R source that the worker evaluates (inside its error trap) to produce an argument.
 *
 * @example
 * ```ts
 * import { callR } from "../../mod.ts";
 * await callR("nrow", [rCode("brms::epilepsy")]); // 236
 * ```
 */
export class RCode {
  /** Wraps R source `code` (see {@link rCode}). */
  constructor(readonly code: string) {}
  /** The R source. */
  toString(): string {
    return this.code;
  }
}

/**
 * Marks R source to be evaluated in the worker and passed as an argument.
 *
 * @example
 * ```ts
 * import { callR } from "../../mod.ts";
 * await callR("brms::make_stancode", { formula: rCode("count ~ Trt"), data: rCode("brms::epilepsy") });
 * ```
 */
export function rCode(code: string): RCode {
  if (typeof code !== "string") throw new BrmstsTypeError("rCode() takes R source as a string");
  return new RCode(code);
}

/**
 * Named arguments inside a positional argument array.
 *
 * @example
 * ```ts
 * import { callR } from "../../mod.ts";
 * await callR("paste", ["a", new NamedArgs({ sep: "-" })]); // same as named({ sep: "-" })
 * ```
 */
export class NamedArgs {
  /** Wraps named arguments (see {@link named}). */
  constructor(readonly args: Record<string, unknown>) {}
}

/**
 * Supplies named arguments inside a positional argument list of `callR`.
 *
 * @example
 * ```ts
 * import { callR } from "../../mod.ts";
 * await callR("stats::quantile", [[1, 2, 3, 4], named({ probs: [0.1, 0.9] })]);
 * ```
 */
export function named(args: Record<string, unknown>): NamedArgs {
  return new NamedArgs(args);
}
