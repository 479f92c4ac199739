/**
 * Distributional and non-linear parameter formulas: `lf()` and `nlf()` (brms's `lf`, `nlf`).
 * Formulas are R formula text, checked by R and brms; TypeScript only splits multi-line text
 * and keeps each formula a single expression.
 *
 * @module
 */

import { SpecError } from "./errors.ts";
import { assignFrozen, checkKeys, optBool, optDecomp, optString, splitOptions } from "./_node.ts";
import { singleExpression, splitFormulas } from "./scan.ts";
import { opt, rCall } from "./render.ts";

/** Options of {@linkcode lf}, as in brms's `lf()`. */
export interface LfOptions {
  /** brms's `resp` argument. */
  readonly resp?: string;
  /** brms's `center` argument. */
  readonly center?: boolean;
  /** brms's `cmc` argument. */
  readonly cmc?: boolean;
  /** brms's `sparse` argument. */
  readonly sparse?: boolean;
  /** brms's `decomp` argument. */
  readonly decomp?: "none" | "QR";
}

/** Plain JSON form of {@linkcode LinearFormulas}. */
export interface LinearFormulasNode extends LfOptions {
  /** The node's kind tag. */
  readonly kind: "lf";
  /** The formula texts. */
  readonly formulas: readonly string[];
}

/**
 * Linear formulas for distributional or non-linear parameters (brms's `lf()`).
 *
 * @example
 * ```ts
 * import { lf } from "./mod.ts";
 * String(lf("sigma ~ x", { cmc: false })); // brms::lf(sigma ~ x, cmc = FALSE)
 * ```
 */
export class LinearFormulas implements LinearFormulasNode {
  /** The node's kind tag. */
  declare readonly kind: "lf";
  /** The formula texts. */
  declare readonly formulas: readonly string[];
  /** brms's `resp` argument. */
  declare readonly resp?: string;
  /** brms's `center` argument. */
  declare readonly center?: boolean;
  /** brms's `cmc` argument. */
  declare readonly cmc?: boolean;
  /** brms's `sparse` argument. */
  declare readonly sparse?: boolean;
  /** brms's `decomp` argument. */
  declare readonly decomp?: "none" | "QR";

  /** Checks `node`; prefer {@linkcode lf}. */
  constructor(node: LinearFormulasNode) {
    const what = "lf()";
    if (!Array.isArray(node.formulas) || node.formulas.length === 0) {
      throw new SpecError(`${what} needs at least one formula`);
    }
    assignFrozen(this, {
      kind: "lf",
      formulas: node.formulas.map((f) => singleExpression(f, what)),
      resp: optString(node.resp, "resp", what),
      center: optBool(node.center, "center", what),
      cmc: optBool(node.cmc, "cmc", what),
      sparse: optBool(node.sparse, "sparse", what),
      decomp: optDecomp(node.decomp, what),
    });
  }

  /** R code: `brms::lf(...)`. */
  toString(): string {
    return rCall("brms::lf", this.formulas, [
      ["resp", opt(this.resp)],
      ["center", opt(this.center)],
      ["cmc", opt(this.cmc)],
      ["sparse", opt(this.sparse)],
      ["decomp", opt(this.decomp)],
    ]);
  }
}

/**
 * Linear formulas (one per argument, or several lines of one string),
 * optionally followed by `{ resp, center, cmc, sparse, decomp }`.
 *
 * @example
 * ```ts
 * import { bf, lf } from "./mod.ts";
 * const f = bf("y ~ a * inv_logit(x * b)", { nl: true }).add(lf("a + b ~ z", { cmc: false }));
 * String(f); // brms::bf(y ~ a * inv_logit(x * b), nl = TRUE) + brms::lf(a + b ~ z, cmc = FALSE)
 * ```
 */
export function lf(...args: [...string[], LfOptions] | string[]): LinearFormulas {
  const [texts, options] = splitOptions<string>(args);
  checkKeys(options, ["resp", "center", "cmc", "sparse", "decomp"], "lf()");
  const formulas = texts.flatMap((t) => splitFormulas(t, "lf()"));
  return new LinearFormulas({ ...options, kind: "lf", formulas });
}

/** Options of {@linkcode nlf}, as in brms's `nlf()`. */
export interface NlfOptions {
  /** brms's `resp` argument. */
  readonly resp?: string;
  /** brms's `loop` argument. */
  readonly loop?: boolean;
}

/** Plain JSON form of a {@linkcode NonlinearFormula}. */
export interface NonlinearFormulaNode extends NlfOptions {
  /** The node's kind tag. */
  readonly kind: "nlf";
  /** The formula text. */
  readonly formula: string;
  /** The further parts (distributional and non-linear formulas). */
  readonly pforms?: readonly string[];
}

/**
 * A non-linear formula for a distributional parameter (brms's `nlf()`).
 *
 * @example
 * ```ts
 * import { nlf } from "./mod.ts";
 * String(nlf("sigma ~ a * exp(b * x)")); // brms::nlf(sigma ~ a * exp(b * x))
 * ```
 */
export class NonlinearFormula implements NonlinearFormulaNode {
  /** The node's kind tag. */
  declare readonly kind: "nlf";
  /** The formula text. */
  declare readonly formula: string;
  /** The further parts (distributional and non-linear formulas). */
  declare readonly pforms?: readonly string[];
  /** brms's `resp` argument. */
  declare readonly resp?: string;
  /** brms's `loop` argument. */
  declare readonly loop?: boolean;

  /** Checks `node`; prefer {@linkcode nlf}. */
  constructor(node: NonlinearFormulaNode) {
    const what = "nlf()";
    if (node.pforms !== undefined && !Array.isArray(node.pforms)) {
      throw new SpecError(`${what}: 'pforms' must be an array of formulas`);
    }
    assignFrozen(this, {
      kind: "nlf",
      formula: singleExpression(node.formula, what),
      pforms: node.pforms?.length ? node.pforms.map((f) => singleExpression(f, what)) : undefined,
      resp: optString(node.resp, "resp", what),
      loop: optBool(node.loop, "loop", what),
    });
  }

  /** R code: `brms::nlf(...)`. */
  toString(): string {
    return rCall("brms::nlf", [this.formula, ...(this.pforms ?? [])], [
      ["resp", opt(this.resp)],
      ["loop", opt(this.loop)],
    ]);
  }
}

/**
 * A non-linear formula, optionally followed by `{ resp, loop }`. Further
 * formulas (extra arguments or lines) are passed on as brms's `...`, which
 * brms 2.18 accepts with a deprecation warning; prefer adding `lf(...)`.
 *
 * @example
 * ```ts
 * import { bf, lf, nlf } from "./mod.ts";
 * const f = bf("y ~ x").add(nlf("sigma ~ a * exp(b * x)"), lf("a ~ 1", "b ~ 1"));
 * String(f);
 * // brms::bf(y ~ x) + brms::nlf(sigma ~ a * exp(b * x)) + brms::lf(a ~ 1, b ~ 1)
 * ```
 */
export function nlf(
  formula: string,
  ...args: [...string[], NlfOptions] | string[]
): NonlinearFormula {
  const [texts, options] = splitOptions<string>(args);
  checkKeys(options, ["resp", "loop"], "nlf()");
  const [main, ...pforms] = [formula, ...texts].flatMap((t) => splitFormulas(t, "nlf()"));
  return new NonlinearFormula({ ...options, kind: "nlf", formula: main, pforms });
}

/** A parameter formula inside `bf()`: text, `lf()` or `nlf()`. */
export type BfPart = string | LinearFormulas | NonlinearFormula;
