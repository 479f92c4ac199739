/**
 * The plain JSON forms of formulas (`bf()`, `mvbf()`, sums of terms) and the checks of `bf()`'s
 * options, shared by the formula classes in `bf.ts`.
 *
 * @module
 */

import { SpecError } from "./errors.ts";
import { kindOf } from "./_node.ts";
import { describe, singleExpression } from "./scan.ts";
import type { FamilyInput, FamilyNode, MixtureNode } from "./brmsfamily.ts";
import type { AcFormula, AcFormulaNode, SetMecorNode, SetNlNode, SetRescorNode } from "./terms.ts";
import { isSyntacticName } from "./render.ts";
import type { CustomFamilyNode } from "./custom.ts";
import {
  type BfPart,
  LinearFormulas,
  type LinearFormulasNode,
  NonlinearFormula,
  type NonlinearFormulaNode,
} from "./lf.ts";

/** Options of {@linkcode bf}, named as in brms's `bf()` (see docs/formula.md). */
export interface BfOptions {
  /** The response family; also settable by adding a family with `.add()`. */
  readonly family?: FamilyInput;
  /** Autocorrelation: a one-sided formula text or an {@linkcode acformula}. */
  readonly autocor?: string | AcFormula;
  /** brms's `nl` argument. */
  readonly nl?: boolean;
  /** brms's `loop` argument. */
  readonly loop?: boolean;
  /** brms's `center` argument. */
  readonly center?: boolean;
  /** brms's `cmc` argument. */
  readonly cmc?: boolean;
  /** brms's `sparse` argument. */
  readonly sparse?: boolean;
  /** brms's `decomp` argument. */
  readonly decomp?: "none" | "QR";
  /**
   * Fixed or equated parameters, brms's named `...` arguments: `{ sigma: 2 }`
   * → `sigma = 2`, `{ sigma2: "sigma1" }` → `sigma2 = "sigma1"`.
   */
  readonly fixed?: Readonly<Record<string, number | string>>;
}

/** Plain JSON form of a {@linkcode BrmsFormula}. */
export interface BrmsFormulaNode extends Omit<BfOptions, "family" | "autocor"> {
  /** The node's kind tag. */
  readonly kind: "brmsformula";
  /** The formula text. */
  readonly formula: string;
  /** The further parts (distributional and non-linear formulas). */
  readonly pforms?: ReadonlyArray<string | LinearFormulasNode | NonlinearFormulaNode>;
  /** The family (brms's `family`). */
  readonly family?: FamilyNode | MixtureNode;
  /** The autocorrelation structure (brms's `autocor`). */
  readonly autocor?: string | AcFormulaNode;
}

/** The option names of `bf()`. */
export const BF_OPTIONS = [
  "family",
  "autocor",
  "nl",
  "loop",
  "center",
  "cmc",
  "sparse",
  "decomp",
  "fixed",
];
/** Formal arguments of `brms::bf()`; fixed parameters must not be mistaken for them. */
const BF_FORMALS = [...BF_OPTIONS.filter((o) => o !== "fixed"), "formula", "flist", "unused"];

/** Revives a part of `bf()` (formula text, `lf()` or `nlf()`), checked. */
export function reviveBfPart(p: unknown, what: string): BfPart {
  if (typeof p === "string") return singleExpression(p, what);
  if (p instanceof LinearFormulas || p instanceof NonlinearFormula) return p;
  const kind = kindOf(p);
  if (kind === "lf") return new LinearFormulas(p as LinearFormulasNode);
  if (kind === "nlf") return new NonlinearFormula(p as NonlinearFormulaNode);
  throw new SpecError(`${what}: expected formula text, lf() or nlf(), got ${describe(p)}`);
}

/** Checks `bf()`'s fixed parameters (names and values). */
export function checkFixed(
  fixed: unknown,
  what: string,
): Record<string, number | string> | undefined {
  if (fixed === undefined) return undefined;
  if (fixed === null || typeof fixed !== "object" || Array.isArray(fixed)) {
    throw new SpecError(`${what}: 'fixed' must be an object, got ${describe(fixed)}`);
  }
  const out: Record<string, number | string> = {};
  for (const [name, value] of Object.entries(fixed)) {
    if (!isSyntacticName(name) || BF_FORMALS.includes(name) || "formula".startsWith(name)) {
      throw new SpecError(`${what}: '${name}' cannot be used as a fixed parameter name`);
    }
    if (
      !(typeof value === "number" && Number.isFinite(value)) &&
      !(typeof value === "string" && value)
    ) {
      throw new SpecError(
        `${what}: fixed parameter '${name}' must be a finite number or a parameter name, got ${
          describe(value)
        }`,
      );
    }
    out[name] = value;
  }
  return out;
}

/** Plain JSON form of a {@linkcode MvBrmsFormula}. */
export interface MvBrmsFormulaNode {
  /** The node's kind tag. */
  readonly kind: "mvbrmsformula";
  /** brms's `forms` argument. */
  readonly forms: ReadonlyArray<string | BrmsFormulaNode | MvBrmsFormulaNode | FormulaSumNode>;
  /** brms's `rescor` argument. */
  readonly rescor?: boolean;
}

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
