/**
 * `mvbind()`: brms's binding of several responses as a formula value (a left-hand side) that
 * composes with `bf()`.
 *
 * @module
 */

import { SpecError } from "./errors.ts";
import { singleExpression } from "./scan.ts";

/**
 * Several responses bound for a multivariate model, brms's `mvbind(y1, y2)`: a left-hand side.
 * Give it to `bf()` followed by the right-hand side (`bf(mvbind("y1", "y2"), "~ x")`), or use
 * its text (`String(lhs)`, `` `${lhs} ~ x` ``).
 *
 * @example
 * ```ts
 * import { mvbind } from "./mvbind.ts";
 * const lhs = mvbind("tarsus", "back");
 * lhs.variables; // ["tarsus", "back"]
 * `${lhs} ~ sex`; // "mvbind(tarsus, back) ~ sex"
 * ```
 */
export class MvBind {
  /** The response variables (R expressions, each checked as one expression). */
  readonly variables: readonly string[];

  /** Checks the variables; prefer {@linkcode mvbind}. */
  constructor(variables: readonly string[]) {
    if (variables.length === 0) throw new SpecError("mvbind() needs at least one variable");
    this.variables = Object.freeze(variables.map((v) => singleExpression(v, "mvbind()", false)));
    Object.freeze(this);
  }

  /**
   * The formula `mvbind(...) <rhs>`; `rhs` must start with `~`.
   *
   * @example
   * ```ts
   * import { mvbind } from "./mvbind.ts";
   * mvbind("y1", "y2").formula("~ x + (1 | g)"); // "mvbind(y1, y2) ~ x + (1 | g)"
   * ```
   */
  formula(rhs: string): string {
    if (typeof rhs !== "string" || !rhs.trimStart().startsWith("~")) {
      throw new SpecError(
        `mvbind(): the right-hand side must be formula text starting with '~', got ${
          JSON.stringify(rhs)
        }`,
      );
    }
    return singleExpression(`${this} ${rhs.trim()}`, "mvbind()");
  }

  /** R code: `mvbind(y1, y2)`. */
  toString(): string {
    return `mvbind(${this.variables.join(", ")})`;
  }

  /** JSON: the R code (a formula's left-hand side is text in the trees). */
  toJSON(): string {
    return String(this);
  }
}

/**
 * Binds several responses, brms's `mvbind()`: a left-hand side for `bf()`.
 *
 * @example
 * ```ts
 * import { bf } from "./bf.ts";
 * import { mvbind } from "./mvbind.ts";
 * String(bf(mvbind("tarsus", "back"), "~ sex")); // brms::bf(mvbind(tarsus, back) ~ sex)
 * String(mvbind("tarsus", "back")); // "mvbind(tarsus, back)"
 * ```
 */
export function mvbind(...variables: string[]): MvBind {
  return new MvBind(variables);
}
