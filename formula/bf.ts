/**
 * Univariate formulas: `bf()` (brms's `bf`/`brmsformula`), `lf()` and `nlf()`.
 * Formulas are R formula text, checked by R and brms; TypeScript only splits
 * multi-line text and keeps each formula a single expression.
 *
 * @module
 */

import { MvBind } from "./mvbind.ts";
import { SpecError } from "./errors.ts";
import {
  assignFrozen,
  checkKeys,
  kindOf,
  optBool,
  optDecomp,
  optString,
  splitOptions,
} from "./_node.ts";
import { describe, singleExpression, splitFormulas } from "./_scan.ts";
import {
  type FamilyInput,
  type FamilyNode,
  type Mixture,
  type MixtureNode,
  resolveFamily,
} from "./brmsfamily.ts";
import type { Family } from "./brmsfamily.ts";
import { AcFormula, type AcFormulaNode } from "./terms.ts";
import { isSyntacticName, opt, rCall, rValue } from "./render.ts";
import { add, type FormulaSum, type FormulaTerm } from "./compose.ts";

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

const BF_OPTIONS = [
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

function reviveBfPart(p: unknown, what: string): BfPart {
  if (typeof p === "string") return singleExpression(p, what);
  if (p instanceof LinearFormulas || p instanceof NonlinearFormula) return p;
  const kind = kindOf(p);
  if (kind === "lf") return new LinearFormulas(p as LinearFormulasNode);
  if (kind === "nlf") return new NonlinearFormula(p as NonlinearFormulaNode);
  throw new SpecError(`${what}: expected formula text, lf() or nlf(), got ${describe(p)}`);
}

function checkFixed(fixed: unknown, what: string): Record<string, number | string> | undefined {
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

/**
 * A univariate brms formula: the main formula, formulas of distributional or
 * non-linear parameters, and options. Combine it with other terms with
 * {@linkcode BrmsFormula.add}.
 *
 * @example
 * ```ts
 * import { bf } from "./mod.ts";
 * const f = bf("y ~ x + (1 | g)", "sigma ~ x");
 * String(f); // brms::bf(y ~ x + (1 | g), sigma ~ x)
 * JSON.stringify(f); // {"kind":"brmsformula","formula":"y ~ x + (1 | g)","pforms":["sigma ~ x"]}
 * ```
 */
export class BrmsFormula implements BrmsFormulaNode {
  /** The node's kind tag. */
  declare readonly kind: "brmsformula";
  /** The formula text. */
  declare readonly formula: string;
  /** The further parts (distributional and non-linear formulas). */
  declare readonly pforms?: readonly BfPart[];
  /** The family (brms's `family`). */
  declare readonly family?: Family | Mixture;
  /** The autocorrelation structure (brms's `autocor`). */
  declare readonly autocor?: string | AcFormula;
  /** brms's `nl` argument. */
  declare readonly nl?: boolean;
  /** brms's `loop` argument. */
  declare readonly loop?: boolean;
  /** brms's `center` argument. */
  declare readonly center?: boolean;
  /** brms's `cmc` argument. */
  declare readonly cmc?: boolean;
  /** brms's `sparse` argument. */
  declare readonly sparse?: boolean;
  /** brms's `decomp` argument. */
  declare readonly decomp?: "none" | "QR";
  /** brms's `fixed` argument. */
  declare readonly fixed?: Readonly<Record<string, number | string>>;

  /** Checks `node` and revives its children; prefer {@linkcode bf}. */
  constructor(node: BrmsFormulaNode) {
    const what = "bf()";
    if (node.pforms !== undefined && !Array.isArray(node.pforms)) {
      throw new SpecError(`${what}: 'pforms' must be an array`);
    }
    const ac = node.autocor;
    assignFrozen(this, {
      kind: "brmsformula",
      formula: singleExpression(node.formula, what),
      pforms: node.pforms?.length ? node.pforms.map((p) => reviveBfPart(p, what)) : undefined,
      fixed: checkFixed(node.fixed, what),
      family: node.family === undefined ? undefined : resolveFamily(node.family, what),
      autocor: ac === undefined || ac instanceof AcFormula
        ? ac
        : typeof ac === "string"
        ? singleExpression(ac, `${what} 'autocor'`)
        : new AcFormula(ac),
      nl: optBool(node.nl, "nl", what),
      loop: optBool(node.loop, "loop", what),
      center: optBool(node.center, "center", what),
      cmc: optBool(node.cmc, "cmc", what),
      sparse: optBool(node.sparse, "sparse", what),
      decomp: optDecomp(node.decomp, what),
    });
  }

  /**
   * Adds terms the way `+` does in brms: `lf()`, `nlf()`, `acformula()`,
   * `setNl()`, `setMecor()`, `setRescor()`, families, and further formulas
   * (which make the model multivariate).
   *
   * @example
   * ```ts
   * import { bf, lf, nlf } from "./mod.ts";
   * String(bf("y ~ 1").add(nlf("sigma ~ a * x"), lf("a ~ 1")));
   * // brms::bf(y ~ 1) + brms::nlf(sigma ~ a * x) + brms::lf(a ~ 1)
   * ```
   */
  add(...terms: FormulaTerm[]): FormulaSum {
    return add(this, ...terms);
  }

  /** R code: `brms::bf(...)`. */
  toString(): string {
    const named: [string, string | undefined][] = Object.entries(this.fixed ?? {}).map((
      [k, v],
    ) => [k, rValue(v)]);
    const ac = this.autocor;
    named.push(
      ["family", this.family === undefined ? undefined : String(this.family)],
      ["autocor", ac === undefined ? undefined : String(ac)],
      ["nl", opt(this.nl)],
      ["loop", opt(this.loop)],
      ["center", opt(this.center)],
      ["cmc", opt(this.cmc)],
      ["sparse", opt(this.sparse)],
      ["decomp", opt(this.decomp)],
    );
    const positional = [this.formula, ...(this.pforms ?? []).map(String)];
    return rCall("brms::bf", positional, named);
  }
}

/**
 * A brms formula, like `brms::bf(formula, ..., nl = , ...)`. Formulas are R
 * formula text; a string with several lines holds several formulas (the
 * first is the main one), so a brms formula can be pasted as written.
 * Distributional and non-linear parameter formulas follow as further strings,
 * `lf()` or `nlf()` values; an options object may come last.
 *
 * @example
 * ```ts
 * import { bf } from "./mod.ts";
 * const f = bf(`
 *   y ~ b1 * exp(b2 * x)
 *   b1 + b2 ~ 1 + (1 | g)
 * `, { nl: true });
 * String(f); // brms::bf(y ~ b1 * exp(b2 * x), b1 + b2 ~ 1 + (1 | g), nl = TRUE)
 * ```
 */
export function bf(
  formula: string | MvBind,
  ...args: [...BfPart[], BfOptions] | BfPart[]
): BrmsFormula {
  if (formula instanceof MvBind) {
    // bf(mvbind(y1, y2), "~ x", ...): the left-hand side, then the right-hand side.
    const [rhs, ...more] = args;
    formula = formula.formula(rhs as string);
    args = more as BfPart[];
  }
  const [parts, options] = splitOptions<BfPart>(args);
  checkKeys(options, BF_OPTIONS, "bf()");
  const [main, ...rest] = splitFormulas(formula, "bf()");
  const pforms = [
    ...rest,
    ...parts.flatMap<BfPart>((p) => (typeof p === "string" ? splitFormulas(p, "bf()") : [p])),
  ];
  return new BrmsFormula({
    ...(options as BfOptions),
    kind: "brmsformula",
    formula: main,
    pforms,
    family: options.family === undefined ? undefined : resolveFamily(options.family, "bf()"),
  } as BrmsFormulaNode);
}
