/**
 * The formula DSL: brms formulas, families and priors as plain,
 * JSON-serialisable values whose `toString()` is the R code that builds them
 * with brms's own functions inside the worker.
 *
 * @example
 * ```ts
 * import { bf, lf, prior, setRescor, student } from "./mod.ts";
 * const f = bf("y1 ~ x + (1 | p | g)").add(lf("sigma ~ x"), student())
 *   .add(bf("y2 ~ x + (1 | p | g)"), setRescor(false));
 * const p = prior("normal(0, 1)", "b").add(prior("exponential(1)", "sd", { resp: "y1" }));
 * console.log(String(f), String(p));
 * ```
 *
 * @module
 */

export { SpecError } from "./errors.ts";
export { bf, type BfOptions, BrmsFormula, type BrmsFormulaNode } from "./bf.ts";
export {
  type BfPart,
  lf,
  type LfOptions,
  LinearFormulas,
  type LinearFormulasNode,
  nlf,
  type NlfOptions,
  NonlinearFormula,
  type NonlinearFormulaNode,
} from "./lf.ts";
export { mvbf, MvBrmsFormula, type MvBrmsFormulaNode } from "./bf.ts";
export { MvBind, mvbind } from "./mvbind.ts";
export {
  AcFormula,
  acformula,
  type AcFormulaNode,
  SetMecor,
  setMecor,
  type SetMecorNode,
  SetNl,
  setNl,
  type SetNlNode,
  SetRescor,
  setRescor,
  type SetRescorNode,
} from "./terms.ts";
export {
  add,
  type Formula,
  FormulaSum,
  type FormulaSumNode,
  type FormulaTerm,
  type FormulaTermNode,
} from "./bf.ts";
export {
  type AnyFamilyOptions,
  type BaselineHazard,
  brmsfamily,
  type Dpar,
  Family,
  type FamilyConstructor,
  type FamilyInput,
  type FamilyName,
  type FamilyNode,
  type FamilyOptions,
  type LinkOf,
  Mixture,
  mixture,
  type MixtureNode,
  type MixtureOptions,
  type Threshold,
} from "./brmsfamily.ts";
export * from "./families.ts";
export * from "./families_stats.ts";
export {
  Prior,
  prior,
  type PriorInput,
  PriorList,
  type PriorListNode,
  type PriorNode,
  type PriorOptions,
  priors,
  type PriorSpec,
} from "./prior.ts";
export { fromJSON, type Tree } from "./revive.ts";
export type { DparsOf, ExtrasOf, FamilyTable } from "./brmsfamily.ts";
export type { RLiteral } from "./render.ts";
export { DPAR_LINKS, FAMILIES, THRESHOLDS } from "./links.ts";
// Formula text checks (parsed in TypeScript, never evaluated)
export { singleExpression } from "./scan.ts";
// Custom families and Stan variables (brms's custom_family(), stanvar()): issue 18.
export {
  CustomFamily,
  customFamily,
  type CustomFamilyNode,
  type CustomFamilyOptions,
  stanvar,
  type StanvarBlock,
  type StanvarOptions,
  Stanvars,
  type StanvarsNode,
} from "./custom.ts";
// Within-chain threading as a value (brms's threading()): issue 18.
export { Threading, threading, type ThreadingNode, type ThreadingOptions } from "./threading.ts";
// Prior text as R's deparser writes it (brms's prior()), verbatim with priorString(): issue 18.
export { deparseNumber, deparsePrior } from "./deparse.ts";
export { priorString } from "./prior.ts";
// Formula and prior policy for untrusted input (checked in TypeScript, never evaluated): issue 27.
export {
  checkFormula,
  checkFormulaValue,
  checkPrior,
  FORMULA_FUNCTIONS,
  formulaParameters,
  type FormulaPolicy,
  FormulaPolicyError,
  PRIOR_FUNCTIONS,
} from "./policy.ts";
