/**
 * Formula and prior policy: formula text from people you do not trust, checked in TypeScript
 * (tokenised with R's lexical rules, never evaluated) so that it can only call an allow-list of
 * functions and name data columns. R evaluates the calls inside formula terms when it builds the
 * model frame (`y ~ I(system("…"))` runs `system()`), so the library's `brm()` keeps R's
 * semantics and this check is opt-in there (`formulaPolicy`); a cluster worker applies it to
 * every job unless started with `--trust-jobs`.
 *
 * The allow-list ({@link FORMULA_FUNCTIONS}) holds arithmetic and elementary math, data
 * conversions (`factor`, `as.numeric`, `scale`, `poly`, …), brms's term and addition functions
 * (`s`, `t2`, `gp`, `gr`, `mm`, `mo`, `me`, `mi`, `cs`, `offset`, `ar`, `arma`, `cosy`, `car`,
 * `sar`, `fcor`, `se`, `weights`, `trials`, `cens`, `trunc`, …) and Stan's functions used in
 * non-linear formulas (`inv_logit`, `Phi`, `fmin`, …). Extend it with care: a function belongs
 * there only if calling it with any arguments (themselves checked) cannot run R code given as
 * text (`eval`, `parse`, `get`, `do.call`, `match.fun`, `source`), touch files, the environment,
 * processes or connections, or define functions.
 *
 * @module
 */
import { SpecError } from "./errors.ts";
import { splitFormulas, type Token, tokenize } from "./scan.ts";

/**
 * A formula or prior refused by the policy: `offender` names the function, operator or name.
 *
 * @example
 * ```ts
 * import { checkFormula, FormulaPolicyError } from "./policy.ts";
 * try {
 *   checkFormula('y ~ I(system("id"))');
 * } catch (e) {
 *   if (e instanceof FormulaPolicyError) console.error(e.offender); // "system"
 * }
 * ```
 */
export class FormulaPolicyError extends SpecError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "FORMULA_POLICY";
  /** The refused function, operator, name or token. */
  readonly offender: string;
  /** Creates the error. */
  constructor(message: string, offender: string) {
    super(message);
    this.name = "FormulaPolicyError";
    this.offender = offender;
  }
}

/**
 * Functions a formula term may call by default (see the module doc before adding one).
 *
 * @example
 * ```ts
 * import { FORMULA_FUNCTIONS } from "./policy.ts";
 * FORMULA_FUNCTIONS.has("poly"); // true
 * FORMULA_FUNCTIONS.has("system"); // false
 * ```
 */
export const FORMULA_FUNCTIONS: ReadonlySet<string> = new Set([
  // elementary math
  ..."log log2 log10 log1p exp expm1 sqrt abs sign floor ceiling round signif trunc".split(" "),
  ..."sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh".split(" "),
  ..."gamma lgamma beta lbeta choose pmin pmax min max plogis qlogis pnorm qnorm".split(" "),
  // data conversions and grouping
  ..."I poly scale factor ordered relevel interaction cut c cbind mvbind ifelse is.na".split(" "),
  ..."as.numeric as.integer as.double as.factor as.ordered as.logical".split(" "),
  // brms terms
  ..."s t2 gp gr mm mmc mo me mi cs offset ar ma arma cosy unstr car sar fcor".split(" "),
  // brms addition terms (response side)
  ..."se weights trials cat thres dec cens index rate subset vreal vint".split(" "),
  // Stan functions of non-linear formulas (and brms's R versions)
  ..."inv_logit logit inv_logit_scaled logit_scaled Phi Phi_approx inv inv_sqrt square".split(" "),
  ..."fmin fmax step log_inv_logit log1m log1p_exp log_sum_exp inv_cloglog cloglog".split(" "),
]);

/**
 * Functions a prior may call: Stan's distributions and brms's special priors (brms evaluates
 * `horseshoe()`, `R2D2()`, `lasso()` and `constant()` in R).
 *
 * @example
 * ```ts
 * import { PRIOR_FUNCTIONS } from "./policy.ts";
 * PRIOR_FUNCTIONS.has("student_t"); // true
 * ```
 */
export const PRIOR_FUNCTIONS: ReadonlySet<string> = new Set([
  ..."normal std_normal student_t cauchy double_exponential logistic gumbel skew_normal".split(" "),
  ..."exp_mod_normal skew_double_exponential lognormal chi_square inv_chi_square".split(" "),
  ..."scaled_inv_chi_square exponential gamma inv_gamma weibull frechet rayleigh".split(" "),
  ..."pareto pareto_type_2 beta beta_proportion von_mises uniform lkj lkj_corr".split(" "),
  ..."lkj_corr_cholesky dirichlet constant horseshoe R2D2 lasso c sqrt log exp inv".split(" "),
  "square",
]);

const OPERATORS = new Set(
  "+ - * / ^ : | || & && ! == != < > <= >= ~ %in% %% %/%".split(" "),
);
const PRIOR_OPERATORS = new Set("+ - * / ^".split(" "));
const CONSTANTS = new Set(["TRUE", "FALSE", "T", "F", "NA", "NULL", "Inf", "NaN", "pi"]);
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Options of {@link checkFormula}.
 *
 * @example
 * ```ts
 * import type { FormulaPolicy } from "./policy.ts";
 * const p: FormulaPolicy = { allow: ["mySafeTransform"], columns: ["y", "x", "g"] };
 * ```
 */
export interface FormulaPolicy {
  /** Functions allowed besides {@link FORMULA_FUNCTIONS}. */
  allow?: Iterable<string>;
  /** The data's column names: when given, every other name is refused. */
  columns?: Iterable<string>;
  /** Further names that are not columns (non-linear and distributional parameters). */
  names?: Iterable<string>;
}

/** Name of a symbol token (backticks removed). */
function symName(t: Token): string {
  return t.text.startsWith("`") ? t.text.slice(1, -1).replace(/\\(.)/g, "$1") : t.text;
}

function refuse(what: string, found: string, offender: string, text: string): never {
  throw new FormulaPolicyError(
    `${what}: ${found} is not allowed by the formula policy in ${JSON.stringify(text)}`,
    offender,
  );
}

/**
 * Checks formula text (one or several formulas, one per line, as `bf()` takes them) against the
 * policy: calls only of allowed functions, names only of data columns (when `columns` is
 * given), no `::`, `:::`, `$`, `@`, indexing, assignment, pipes, keywords, user `%op%`s, and
 * strings only as named arguments of calls or inside `c()`. Nothing is evaluated. Returns the
 * text unchanged; a refusal is a {@link FormulaPolicyError} naming the offender.
 *
 * @example
 * ```ts
 * import { checkFormula } from "./policy.ts";
 * checkFormula("y ~ log(x) + s(z, k = 5, bs = \"cr\") + (1 | g)", { columns: ["y", "x", "z", "g"] });
 * // checkFormula('y ~ I(system("id"))') throws FormulaPolicyError (offender "system")
 * ```
 */
export function checkFormula(text: string, policy: FormulaPolicy = {}, what = "formula"): string {
  splitFormulas(text, what); // one formula per line, each a single `~` expression
  const allow = new Set([...FORMULA_FUNCTIONS, ...(policy.allow ?? [])]);
  const columns = policy.columns ? new Set(policy.columns) : undefined;
  const names = new Set(policy.names ?? []);
  const toks = tokenize(text, what);
  /** Open brackets: the function called, or "" for grouping parentheses. */
  const frames: string[] = [];
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k], prev = toks[k - 1], next = toks[k + 1];
    const call = frames.length > 0 ? frames[frames.length - 1] : undefined;
    switch (t.kind) {
      case "kw":
        refuse(what, `the keyword '${t.text}'`, t.text, text);
        break;
      case "semi":
        refuse(what, "';'", ";", text);
        break;
      case "open":
        if (t.text !== "(") refuse(what, `'${t.text}'`, t.text, text);
        if (prev?.kind === "sym") frames.push(symName(prev));
        else if (prev && (prev.kind === "close" || prev.kind === "str" || prev.kind === "num")) {
          refuse(what, "calling the value of an expression", "(", text);
        } else frames.push("");
        break;
      case "close":
        frames.pop();
        break;
      case "str":
        if (!call || !(prev?.text === "=" || call === "c")) {
          refuse(what, `the string ${t.text}`, t.text, text);
        }
        break;
      case "op":
        if (t.text === "=") {
          if (!call || prev?.kind !== "sym") refuse(what, "assignment with '='", "=", text);
        } else if (!OPERATORS.has(t.text)) refuse(what, `the operator '${t.text}'`, t.text, text);
        break;
      case "sym": {
        const name = symName(t);
        if (next?.text === "::" || next?.text === ":::") {
          refuse(what, `the operator '${next.text}'`, next.text, text);
        } else if (next?.kind === "open") {
          if (next.text === "(" && !allow.has(name)) {
            refuse(what, `calling the function '${name}'`, name, text);
          }
        } else if (next?.text === "=" && call) {
          // an argument name: `s(x, k = 5)`
        } else if (prev?.text === "|" && next?.text === "|") {
          // the ID of correlated group-level terms: `(1 | p | g)`
        } else if (
          CONSTANTS.has(name) || name === "." || name === "Intercept" || names.has(name) ||
          (columns ? columns.has(name) : true)
        ) {
          // a column, a constant, a parameter
        } else {
          refuse(what, `the name '${name}' (not a data column)`, name, text);
        }
        break;
      }
    }
  }
  return text;
}

/**
 * Checks a prior (Stan code as brms takes it, or a bound `lb`/`ub`): calls only of
 * {@link PRIOR_FUNCTIONS}, plain identifiers, numbers and arithmetic; no strings (a prior that
 * tries to leave its quotes has one), no other operator or bracket. `""` (flat) passes.
 *
 * @example
 * ```ts
 * import { checkPrior } from "./policy.ts";
 * checkPrior("student_t(3, 0, 2.5)"); // passes
 * // checkPrior('normal(0, 1)"); system("id"); ("') throws FormulaPolicyError
 * ```
 */
export function checkPrior(text: string, what = "prior"): string {
  if (typeof text !== "string") throw new SpecError(`${what} must be a string`);
  const toks = tokenize(text, what);
  const frames: boolean[] = [];
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k], prev = toks[k - 1], next = toks[k + 1];
    if (t.kind === "num" || t.kind === "comma") continue;
    if (t.kind === "close") {
      frames.pop();
      continue;
    }
    if (t.kind === "open") {
      if (t.text !== "(") refuse(what, `'${t.text}'`, t.text, text);
      if (prev && prev.kind !== "sym" && prev.kind !== "op" && prev.kind !== "comma") {
        refuse(what, "calling the value of an expression", "(", text);
      }
      frames.push(prev?.kind === "sym");
      continue;
    }
    if (t.kind === "sym") {
      const name = t.text;
      if (!IDENTIFIER.test(name)) refuse(what, `the name ${name}`, name, text);
      if (next?.kind === "open" && !PRIOR_FUNCTIONS.has(name)) {
        refuse(what, `calling the function '${name}'`, name, text);
      }
      continue;
    }
    if (t.kind === "op" && PRIOR_OPERATORS.has(t.text)) continue;
    if (t.kind === "op" && t.text === "=" && frames.at(-1) === true && prev?.kind === "sym") {
      continue; // a named argument: horseshoe(df = 3)
    }
    const found = t.kind === "str" ? `the string ${t.text}` : `'${t.text}'`;
    refuse(what, found, t.text, text);
  }
  return text;
}

/**
 * The names on the left of `~` of formula text that are single names (distributional and
 * non-linear parameters: `sigma ~ x`, `a ~ 1 + (1 | g)`), for {@link FormulaPolicy.names}.
 *
 * @example
 * ```ts
 * import { formulaParameters } from "./policy.ts";
 * formulaParameters("a ~ 1 + (1 | g)"); // ["a"]
 * ```
 */
export function formulaParameters(text: string): string[] {
  const out: string[] = [];
  for (const f of splitFormulas(text, "formula")) {
    const toks = tokenize(f, "formula");
    const tilde = toks.findIndex((t) => t.depth === 0 && t.text === "~");
    if (tilde === 1 && toks[0].kind === "sym") out.push(symName(toks[0]));
  }
  return out;
}

const FORMULA_KINDS = new Set([
  "brmsformula",
  "mvbrmsformula",
  "formulasum",
  "lf",
  "nlf",
  "acformula",
  "setrescor",
  "setmecor",
  "setnl",
  "brmsfamily",
  "mixture",
]);
const FAMILY_KINDS = new Set(["brmsfamily", "mixture"]);
/** Keys of formula trees that hold formula text. */
const FORMULA_KEYS = new Set(["formula", "formulas", "pforms", "autocor", "forms"]);

/** Collects formula texts (with where they are) and checks the kinds of a tree. */
function walk(
  what: string,
  v: unknown,
  at: string,
  kinds: Set<string>,
  texts: [string, string][],
  isText: boolean,
): void {
  if (typeof v === "string") {
    if (isText) texts.push([v, at]);
    return;
  }
  if (Array.isArray(v)) {
    return v.forEach((x, i) => walk(what, x, `${at}[${i}]`, kinds, texts, isText));
  }
  if (v === null || typeof v !== "object") return;
  const o = v as Record<string, unknown>;
  const kind = o.kind;
  if (typeof kind === "string" && !kinds.has(kind)) {
    refuse(what, `a '${kind}' value (R code the policy cannot check)`, kind, at);
  }
  for (const [k, x] of Object.entries(o)) {
    if (k === "kind") continue;
    const sub = kind === "brmsfamily" || kind === "mixture" ? FAMILY_KINDS : kinds;
    walk(what, x, `${at}.${k}`, sub, texts, FORMULA_KEYS.has(k) && kind !== "brmsfamily");
  }
}

/**
 * Checks every formula text of a formula value (text, or a `bf()`/`mvbf()`/`lf()`/`nlf()`/
 * `acformula()` tree or sum, with families and priors of the DSL inside): each passes
 * {@link checkFormula} with `policy` (the single names on the left of its formulas count as
 * parameter names), and trees that carry R code the policy cannot check (custom families,
 * stanvars) are refused. Nothing is evaluated.
 *
 * @example
 * ```ts
 * import { bf, lf } from "./mod.ts";
 * import { checkFormulaValue } from "./policy.ts";
 * checkFormulaValue(bf("y ~ a * exp(b * x)", "a ~ 1 + (1 | g)", "b ~ 1", { nl: true }));
 * ```
 */
export function checkFormulaValue(v: unknown, policy: FormulaPolicy = {}, what = "formula"): void {
  const texts: [string, string][] = [];
  if (typeof v === "string") texts.push([v, what]);
  else walk(what, JSON.parse(JSON.stringify(v ?? null)), what, FORMULA_KINDS, texts, false);
  const params = texts.flatMap(([t]) => {
    try {
      return formulaParameters(t);
    } catch {
      return [];
    }
  });
  const names = [...params, ...(policy.names ?? [])];
  for (const [t, at] of texts) checkFormula(t, { ...policy, names }, at);
}
