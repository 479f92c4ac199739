/**
 * The one base class of every error brmsts raises: `err instanceof BrmstsError` catches them
 * all, and `err.code` says what kind of failure it is (a stable string, the table is in
 * docs/errors.md). Each folder keeps its own errors in its `errors.ts`, all extending this
 * class; bad input of any kind is a {@link BrmstsInputError}.
 *
 * Argument checks that JavaScript reports as `TypeError` / `RangeError` keep that convention:
 * {@link BrmstsTypeError} and {@link BrmstsRangeError} extend the built-in classes (their
 * `name` stays `TypeError` / `RangeError`), carry a `code`, and count as `BrmstsError` and
 * `BrmstsInputError` for `instanceof`.
 *
 * @example
 * ```ts
 * import { BrmstsError } from "./errors.ts";
 *
 * try {
 *   throw new BrmstsError("something went wrong");
 * } catch (err) {
 *   if (err instanceof BrmstsError) console.error(err.name, err.code, err.message);
 * }
 * ```
 *
 * @module
 */

/** Marks the errors that count as {@link BrmstsError} without extending it. */
const BRAND: unique symbol = Symbol.for("brmsts.error");
/** Marks the errors that count as {@link BrmstsInputError} without extending it. */
const INPUT: unique symbol = Symbol.for("brmsts.inputError");

/**
 * Options of a brmsts error: the `cause`, and a `code` more specific than its class's (a
 * failure kind, e.g. `DATA_FORMAT` for a {@link BrmstsInputError} about a corrupt file).
 *
 * @example
 * ```ts
 * const o: BrmstsErrorOptions = { code: "DATA_FORMAT", cause: new Error("low level") };
 * ```
 */
export interface BrmstsErrorOptions extends ErrorOptions {
  /** The error's code (default: its class's). */
  code?: string;
}

/**
 * Base class of every brmsts error; its `name` is the subclass's name, its `code` the class's
 * code or the more specific one it was created with.
 *
 * @example
 * ```ts
 * const e = new BrmstsError("something went wrong");
 * e.code; // "BRMSTS_ERROR"
 * ```
 */
export class BrmstsError extends Error {
  /** The code of this class's errors (docs/errors.md). */
  static readonly code: string = "BRMSTS_ERROR";
  /** What kind of failure this is: a stable string (docs/errors.md). */
  readonly code: string;

  /**
   * Creates the error; `name` becomes the subclass's name.
   * @param message What went wrong and, where known, what to do about it.
   * @param options `cause`: the underlying error; `code`: a more specific code.
   */
  constructor(message: string, options?: BrmstsErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = options?.code ?? (new.target as unknown as { code: string }).code;
  }

  /**
   * `x instanceof BrmstsError` (and `instanceof BrmstsInputError`) also holds for the
   * {@link BrmstsTypeError} and {@link BrmstsRangeError} argument errors.
   */
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, x)) return true;
    if (x === null || (typeof x !== "object" && typeof x !== "function")) return false;
    if (this === BrmstsError) return BRAND in x;
    if (this === BrmstsInputError) return INPUT in x;
    return false;
  }
}

/**
 * Bad input: an argument, option, formula, data set or file brmsts cannot use. The root of
 * every input error (`SpecError`, `PlotInputError`, `CliInputError`, `InterpretError`, …);
 * `code` says which kind.
 *
 * @example
 * ```ts
 * import { BrmstsInputError } from "./errors.ts";
 * const e = new BrmstsInputError("no variable \"x\"");
 * e.code; // "INPUT_INVALID"
 * ```
 */
export class BrmstsInputError extends BrmstsError {
  /** The code of this class's errors. */
  static override readonly code: string = "INPUT_INVALID";
}

/**
 * An argument of the wrong type (JavaScript's `TypeError` convention): `name` is `TypeError`,
 * `code` is `INPUT_TYPE`, and it counts as a {@link BrmstsInputError}.
 *
 * @example
 * ```ts
 * import { BrmstsError, BrmstsTypeError } from "./errors.ts";
 * const e = new BrmstsTypeError("expected a string");
 * e instanceof TypeError && e instanceof BrmstsError; // true
 * ```
 */
export class BrmstsTypeError extends TypeError {
  /** The code of this class's errors. */
  static readonly code: string = "INPUT_TYPE";
  /** What kind of failure this is (docs/errors.md). */
  readonly code: string;
  /**
   * Creates the error.
   * @param message What is wrong with the argument.
   * @param options `cause`, and a more specific `code`.
   */
  constructor(message: string, options?: BrmstsErrorOptions) {
    super(message, options);
    this.code = options?.code ?? BrmstsTypeError.code;
  }
}

/**
 * An argument out of its range (JavaScript's `RangeError` convention): `name` is
 * `RangeError`, `code` is `INPUT_RANGE`, and it counts as a {@link BrmstsInputError}.
 *
 * @example
 * ```ts
 * import { BrmstsInputError, BrmstsRangeError } from "./errors.ts";
 * const e = new BrmstsRangeError("probs must lie in (0, 1)");
 * e instanceof RangeError && e instanceof BrmstsInputError; // true
 * ```
 */
export class BrmstsRangeError extends RangeError {
  /** The code of this class's errors. */
  static readonly code: string = "INPUT_RANGE";
  /** What kind of failure this is (docs/errors.md). */
  readonly code: string;
  /**
   * Creates the error.
   * @param message What is wrong with the argument.
   * @param options `cause`, and a more specific `code`.
   */
  constructor(message: string, options?: BrmstsErrorOptions) {
    super(message, options);
    this.code = options?.code ?? BrmstsRangeError.code;
  }
}

for (const cls of [BrmstsTypeError, BrmstsRangeError]) {
  Object.defineProperty(cls.prototype, BRAND, { value: true });
  Object.defineProperty(cls.prototype, INPUT, { value: true });
}

/**
 * A call to the operating system failed (`mmap`, `shm_open`, `pipe`, `write`, loading a
 * library): `code` is `SYSTEM_CALL`; the message names the call and the system's error.
 *
 * @example
 * ```ts
 * import { BrmstsSystemError } from "./errors.ts";
 * new BrmstsSystemError("pipe() failed: EMFILE").code; // "SYSTEM_CALL"
 * ```
 */
export class BrmstsSystemError extends BrmstsError {
  /** The code of this class's errors. */
  static override readonly code: string = "SYSTEM_CALL";
}

/**
 * A broken internal invariant (a bug in brmsts, never the user's input): `code` is `INTERNAL`.
 *
 * @example
 * ```ts
 * import { BrmstsInternalError } from "./errors.ts";
 * new BrmstsInternalError("internal: string leaf without data").code; // "INTERNAL"
 * ```
 */
export class BrmstsInternalError extends BrmstsError {
  /** The code of this class's errors. */
  static override readonly code: string = "INTERNAL";
}
