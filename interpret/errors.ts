/**
 * Errors of the interpret functions (`hypothesis`, `datagrid`, `predictions`, `comparisons`,
 * `slopes`), all extending {@link BrmstsError}.
 *
 * @module
 */
import { BrmstsInputError } from "../errors.ts";

/**
 * Bad input to an interpret function (an option with a wrong value or type); the subclasses
 * name the variable or level to fix.
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { comparisons, InterpretError } from "./mod.ts";
 * declare const fit: FitResult;
 * try {
 *   await comparisons(fit, { variables: { zAge: "sd" }, comparison: "quotient" as never });
 * } catch (e) {
 *   if (e instanceof InterpretError) console.error(e.message);
 * }
 * ```
 */
export class InterpretError extends BrmstsInputError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "INTERPRET_INPUT";
}

/**
 * A variable the model's data does not have.
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { datagrid, UnknownVariableError } from "./mod.ts";
 * declare const fit: FitResult;
 * try {
 *   await datagrid(fit, { age: 30 });
 * } catch (e) {
 *   if (e instanceof UnknownVariableError) console.error(e.variable, e.available);
 * }
 * ```
 */
export class UnknownVariableError extends InterpretError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "UNKNOWN_VARIABLE";
  /** The variable asked for. */
  readonly variable: string;
  /** The variables of the model's data. */
  readonly available: readonly string[];
  /**
   * An error naming the unknown variable and the model's variables.
   *
   * @param where The function that was called.
   * @param variable The variable asked for.
   * @param available The variables the model has.
   */
  constructor(where: string, variable: string, available: readonly string[]) {
    super(
      `${where}: the model has no variable ${JSON.stringify(variable)}; its variables are ` +
        available.map((v) => JSON.stringify(v)).join(", "),
    );
    this.variable = variable;
    this.available = available;
  }
}

/**
 * A level a categorical (factor, character or logical) variable of the model does not have.
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { datagrid, UnknownLevelError } from "./mod.ts";
 * declare const fit: FitResult;
 * try {
 *   await datagrid(fit, { Trt: "2" });
 * } catch (e) {
 *   if (e instanceof UnknownLevelError) console.error(e.level, e.levels);
 * }
 * ```
 */
export class UnknownLevelError extends InterpretError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "UNKNOWN_LEVEL";
  /** The variable. */
  readonly variable: string;
  /** The level asked for. */
  readonly level: string;
  /** The levels the variable has. */
  readonly levels: readonly string[];
  /**
   * An error naming the unknown level and the variable's levels.
   *
   * @param where The function that was called.
   * @param variable The variable.
   * @param level The level asked for.
   * @param levels The levels it has.
   */
  constructor(where: string, variable: string, level: string, levels: readonly string[]) {
    super(
      `${where}: ${JSON.stringify(level)} is not a level of ${JSON.stringify(variable)}; ` +
        `its levels are ${levels.map((v) => JSON.stringify(v)).join(", ")}`,
    );
    this.variable = variable;
    this.level = level;
    this.levels = levels;
  }
}

/**
 * `slopes()` on a variable that is not numeric (a factor, character or logical variable has no
 * derivative; use `comparisons()`).
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { slopes, FactorSlopeError } from "./mod.ts";
 * declare const fit: FitResult;
 * try {
 *   await slopes(fit, { variables: "Trt" });
 * } catch (e) {
 *   if (e instanceof FactorSlopeError) console.error(e.variable);
 * }
 * ```
 */
export class FactorSlopeError extends InterpretError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "FACTOR_SLOPE";
  /** The variable. */
  readonly variable: string;
  /**
   * An error naming the categorical variable and pointing to comparisons().
   *
   * @param variable The categorical variable.
   * @param type Its column type.
   */
  constructor(variable: string, type: string) {
    super(
      `slopes(): ${JSON.stringify(variable)} is a ${type} variable and has no slope; ` +
        `use comparisons(fit, { variables: { ${variable}: [lo, hi] } }) for a contrast of levels`,
    );
    this.variable = variable;
  }
}
