/**
 * Formulas: `bf()` (brms's `bf`/`brmsformula`), `mvbf()` (brms's `mvbf`/`mvbrmsformula`) and
 * their composition the way `+` works in brms (`add()`, `.add()`). TypeScript keeps a sum as a
 * list of terms and renders it with `+`; brms's own `+` methods decide what the sum means when
 * the R code runs. The classes live in one module because they refer to each other (a sum holds
 * formulas, a formula adds into a sum). Formulas are R formula text, checked by R and brms.
 *
 * @module
 */

import { MvBind } from "./mvbind.ts";
import { SpecError } from "./errors.ts";
import { assignFrozen, checkKeys, kindOf, optBool, optDecomp, splitOptions } from "./_node.ts";
import { describe, singleExpression, splitFormulas } from "./scan.ts";
import { Family, Mixture, resolveFamily } from "./brmsfamily.ts";
import { AcFormula, SetMecor, SetNl, SetRescor } from "./terms.ts";
import { opt, rCall, rValue } from "./render.ts";
import { CustomFamily } from "./custom.ts";
import { type BfPart, LinearFormulas, NonlinearFormula } from "./lf.ts";
import {
  BF_OPTIONS,
  type BfOptions,
  type BrmsFormulaNode,
  checkFixed,
  type FormulaSumNode,
  type MvBrmsFormulaNode,
  reviveBfPart,
} from "./bf_nodes.ts";
export type {
  BfOptions,
  BrmsFormulaNode,
  FormulaSumNode,
  FormulaTermNode,
  MvBrmsFormulaNode,
} from "./bf_nodes.ts";

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

/**
 * Revives a formula term: class instances are returned as they are, plain
 * trees (parsed JSON) are rebuilt and checked.
 *
 * @example
 * ```ts
 * import { reviveTerm } from "./bf.ts";
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
 * import { reviveFormula } from "./bf.ts";
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
