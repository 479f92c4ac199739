/**
 * Composition of formula terms the way `+` works in brms. TypeScript keeps
 * the sum as a list of terms and renders it with `+`; brms's own `+` methods
 * decide what the sum means when the R code runs.
 *
 * @module
 */

import { SpecError } from "./errors.ts";
import { assignFrozen, kindOf } from "./_node.ts";
import { describe } from "./_scan.ts";
import {
  BrmsFormula,
  type BrmsFormulaNode,
  LinearFormulas,
  type LinearFormulasNode,
  NonlinearFormula,
  type NonlinearFormulaNode,
} from "./bf.ts";
import { MvBrmsFormula, type MvBrmsFormulaNode } from "./mvbf.ts";
import {
  AcFormula,
  type AcFormulaNode,
  SetMecor,
  type SetMecorNode,
  SetNl,
  type SetNlNode,
  SetRescor,
  type SetRescorNode,
} from "./terms.ts";
import { Family, type FamilyNode, Mixture, type MixtureNode } from "./brmsfamily.ts";
import { CustomFamily, type CustomFamilyNode } from "./custom.ts";

/** A complete model formula: what `makeStancode({ formula })` accepts besides text. */
export type Formula = BrmsFormula | MvBrmsFormula | FormulaSum;

/** Anything that can be added to a formula with `.add()` / {@linkcode add}. */
export type FormulaTerm =
  | Formula
  | LinearFormulas
  | NonlinearFormula
  | AcFormula
  | SetRescor
  | SetMecor
  | SetNl
  | Family
  | Mixture
  | CustomFamily;

/** Plain JSON form of any {@linkcode FormulaTerm}. */
export type FormulaTermNode =
  | BrmsFormulaNode
  | MvBrmsFormulaNode
  | FormulaSumNode
  | LinearFormulasNode
  | NonlinearFormulaNode
  | AcFormulaNode
  | SetRescorNode
  | SetMecorNode
  | SetNlNode
  | FamilyNode
  | MixtureNode
  | CustomFamilyNode;

/** Plain JSON form of a {@linkcode FormulaSum}. */
export interface FormulaSumNode {
  /** The node's kind tag. */
  readonly kind: "formulasum";
  /** brms's `terms` argument. */
  readonly terms: readonly [BrmsFormulaNode | MvBrmsFormulaNode, ...FormulaTermNode[]];
}

/**
 * Revives a formula term: class instances are returned as they are, plain
 * trees (parsed JSON) are rebuilt and checked.
 *
 * @example
 * ```ts
 * import { reviveTerm } from "./compose.ts";
 * String(reviveTerm({ kind: "setrescor", rescor: false }, "add()")); // brms::set_rescor(FALSE)
 * ```
 */
export function reviveTerm(term: unknown, what: string): FormulaTerm {
  if (
    term instanceof BrmsFormula || term instanceof MvBrmsFormula || term instanceof FormulaSum ||
    term instanceof LinearFormulas || term instanceof NonlinearFormula ||
    term instanceof AcFormula || term instanceof SetRescor || term instanceof SetMecor ||
    term instanceof SetNl || term instanceof Family || term instanceof Mixture ||
    term instanceof CustomFamily
  ) return term;
  // deno-lint-ignore no-explicit-any
  const node = term as any;
  switch (kindOf(term)) {
    case "brmsformula":
      return new BrmsFormula(node);
    case "mvbrmsformula":
      return new MvBrmsFormula(node);
    case "formulasum":
      return new FormulaSum(node);
    case "lf":
      return new LinearFormulas(node);
    case "nlf":
      return new NonlinearFormula(node);
    case "acformula":
      return new AcFormula(node);
    case "setrescor":
      return new SetRescor(node);
    case "setmecor":
      return new SetMecor(node);
    case "setnl":
      return new SetNl(node);
    case "brmsfamily":
      return new Family(node);
    case "mixture":
      return new Mixture(node);
    case "customfamily":
      return new CustomFamily(node);
  }
  throw new SpecError(`${what}: cannot add ${describe(term)} to a formula`);
}

/**
 * Revives a complete formula (`bf`, `mvbf` or a sum of terms).
 *
 * @example
 * ```ts
 * import { reviveFormula } from "./compose.ts";
 * String(reviveFormula({ kind: "brmsformula", formula: "y ~ x" }, "formula")); // brms::bf(y ~ x)
 * ```
 */
export function reviveFormula(formula: unknown, what: string): Formula {
  const kind = kindOf(formula);
  if (kind === "brmsformula" || kind === "mvbrmsformula" || kind === "formulasum") {
    return reviveTerm(formula, what) as Formula;
  }
  throw new SpecError(
    `${what} expects a formula (bf(), mvbf() or a sum), got ${describe(formula)}`,
  );
}

/**
 * A formula with terms added to it, rendered as `first + second + ...`. A sum
 * added inside another sum is parenthesised so that R evaluates it first,
 * exactly as the TypeScript expression nests.
 *
 * @example
 * ```ts
 * import { bf, gaussian, lf } from "./mod.ts";
 * const f = bf("y ~ x").add(lf("sigma ~ x"), gaussian());
 * String(f);
 * // brms::bf(y ~ x) + brms::lf(sigma ~ x) + brms::brmsfamily("gaussian", link = "identity")
 * ```
 */
export class FormulaSum implements FormulaSumNode {
  /** The node's kind tag. */
  declare readonly kind: "formulasum";
  /** brms's `terms` argument. */
  declare readonly terms: readonly [BrmsFormula | MvBrmsFormula, ...FormulaTerm[]];

  /** Checks `node` and revives its terms; prefer {@linkcode add} or `.add()`. */
  constructor(node: FormulaSumNode) {
    if (!Array.isArray(node.terms) || node.terms.length === 0) {
      throw new SpecError("a formula sum needs at least one term");
    }
    const [head, ...rest] = node.terms.map((t) => reviveTerm(t, "add()"));
    if (!(head instanceof BrmsFormula || head instanceof MvBrmsFormula)) {
      throw new SpecError(
        `add(): the first term must be bf() or mvbf(), got ${describe(head)}`,
      );
    }
    assignFrozen(this, { kind: "formulasum", terms: [head, ...rest] });
  }

  /**
   * Adds more terms (see {@linkcode add}).
   *
   * @example
   * ```ts
   * import { bf, setRescor } from "./mod.ts";
   * String(bf("y1 ~ x").add(bf("y2 ~ x")).add(setRescor(false)));
   * // brms::bf(y1 ~ x) + brms::bf(y2 ~ x) + brms::set_rescor(FALSE)
   * ```
   */
  add(...terms: FormulaTerm[]): FormulaSum {
    return add(this, ...terms);
  }

  /** R code: the terms joined by ` + `. */
  toString(): string {
    return this.terms.map((t) => (t instanceof FormulaSum ? `(${t})` : String(t))).join(" + ");
  }
}

/**
 * Adds terms to a formula the way `+` works in brms, as a function:
 * `add(a, b, c)` is `a + b + c`. The first argument must be a `bf()`,
 * `mvbf()` or an earlier sum; the meaning of the sum (a distributional
 * formula, a family, a second response making the model multivariate, …) is
 * decided by brms's own `+` in R.
 *
 * @example
 * ```ts
 * import { add, bf, lf, nlf, poisson } from "./mod.ts";
 * const f = add(bf("y ~ 1"), nlf("sigma ~ a * x"), lf("a ~ 1"), poisson());
 * String(f);
 * // brms::bf(y ~ 1) + brms::nlf(sigma ~ a * x) + brms::lf(a ~ 1)
 * //   + brms::brmsfamily("poisson", link = "log")   (one line)
 * ```
 */
export function add(formula: Formula, ...terms: FormulaTerm[]): FormulaSum {
  const head = reviveTerm(formula, "add()");
  const start = head instanceof FormulaSum ? head.terms : [head];
  return new FormulaSum({
    kind: "formulasum",
    terms: [...start, ...terms] as unknown as FormulaSumNode["terms"],
  });
}
