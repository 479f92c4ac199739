/**
 * Multivariate formulas: `mvbf()` (brms's `mvbf`/`mvbrmsformula`) and the
 * `mvbind()` helper for formula text.
 *
 * @module
 */

import { SpecError } from "./errors.ts";
import { assignFrozen, checkKeys, optBool, splitOptions } from "./_node.ts";
import { singleExpression, splitFormulas } from "./_scan.ts";
import { opt, rCall } from "./render.ts";
import type { BrmsFormulaNode } from "./bf.ts";
import {
  add,
  type Formula,
  type FormulaSum,
  type FormulaSumNode,
  type FormulaTerm,
  reviveFormula,
} from "./compose.ts";

/** Plain JSON form of a {@linkcode MvBrmsFormula}. */
export interface MvBrmsFormulaNode {
  /** The node's kind tag. */
  readonly kind: "mvbrmsformula";
  /** brms's `forms` argument. */
  readonly forms: ReadonlyArray<string | BrmsFormulaNode | MvBrmsFormulaNode | FormulaSumNode>;
  /** brms's `rescor` argument. */
  readonly rescor?: boolean;
}

/**
 * A multivariate formula: one formula per response (brms's `mvbf()`).
 *
 * @example
 * ```ts
 * import { bf, mvbf } from "./mod.ts";
 * String(mvbf(bf("y1 ~ x"), "y2 ~ x", { rescor: false }));
 * // brms::mvbf(brms::bf(y1 ~ x), y2 ~ x, rescor = FALSE)
 * ```
 */
export class MvBrmsFormula implements MvBrmsFormulaNode {
  /** The node's kind tag. */
  declare readonly kind: "mvbrmsformula";
  /** brms's `forms` argument. */
  declare readonly forms: ReadonlyArray<string | Formula>;
  /** brms's `rescor` argument. */
  declare readonly rescor?: boolean;

  /** Checks `node` and revives its children; prefer {@linkcode mvbf}. */
  constructor(node: MvBrmsFormulaNode) {
    const what = "mvbf()";
    if (!Array.isArray(node.forms) || node.forms.length === 0) {
      throw new SpecError(`${what} needs at least one formula`);
    }
    assignFrozen(this, {
      kind: "mvbrmsformula",
      forms: node.forms.map((f) =>
        typeof f === "string" ? singleExpression(f, what) : reviveFormula(f, what)
      ),
      rescor: optBool(node.rescor, "rescor", what),
    });
  }

  /**
   * Adds terms the way `+` does in brms (further `bf()` formulas,
   * `setRescor()`, `setMecor()`, families, or terms with a `resp`).
   *
   * @example
   * ```ts
   * import { bf, mvbf, setRescor } from "./mod.ts";
   * String(mvbf("y1 ~ x", "y2 ~ x").add(setRescor(false)));
   * // brms::mvbf(y1 ~ x, y2 ~ x) + brms::set_rescor(FALSE)
   * ```
   */
  add(...terms: FormulaTerm[]): FormulaSum {
    return add(this, ...terms);
  }

  /** R code: `brms::mvbf(...)`. */
  toString(): string {
    return rCall("brms::mvbf", this.forms.map(String), [["rescor", opt(this.rescor)]]);
  }
}

/**
 * A multivariate formula from several formulas (text, `bf()` values or sums),
 * optionally followed by `{ rescor }`. A string with several lines holds one
 * response formula per line.
 *
 * @example
 * ```ts
 * import { mvbf } from "./mod.ts";
 * const f = mvbf(`
 *   tarsus ~ sex + (1 | p | fosternest)
 *   back ~ hatchdate + (1 | p | fosternest)
 * `, { rescor: true });
 * String(f);
 * // brms::mvbf(tarsus ~ sex + (1 | p | fosternest), back ~ hatchdate + (1 | p | fosternest), rescor = TRUE)
 * ```
 */
export function mvbf(
  ...args: [...(string | Formula)[], { readonly rescor?: boolean }] | (string | Formula)[]
): MvBrmsFormula {
  const [items, options] = splitOptions<string | Formula>(args);
  checkKeys(options, ["rescor"], "mvbf()");
  const forms = items.flatMap<string | Formula>((
    f,
  ) => (typeof f === "string" ? splitFormulas(f, "mvbf()") : [f]));
  return new MvBrmsFormula({
    kind: "mvbrmsformula",
    forms,
    rescor: options.rescor as boolean | undefined,
  } as MvBrmsFormulaNode);
}

export { MvBind, mvbind } from "./mvbind.ts";
