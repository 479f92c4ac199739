/**
 * Custom families and Stan variables: brms's `custom_family()` and `stanvar()` as values of the
 * DSL, rendered as the R code that builds them with brms's own functions.
 *
 * The R-side helpers of a custom family (`log_lik`, `posterior_predict`, `posterior_epred`) are
 * R source written by the user: they are trusted code, evaluated in the worker when the family
 * is built (each must be one R expression that evaluates to a function; it is read with R's
 * `str2lang()`, so it cannot break out of the call it is placed in). Formula text, in contrast,
 * is never evaluated.
 *
 * @module
 */

import { SpecError } from "./errors.ts";
import { assignFrozen, checkKeys, isPlainObject, kindOf } from "./_node.ts";
import { describe } from "./scan.ts";
import { rCall, type RLiteral, rNumber, rString, rValue } from "./render.ts";

/** Options of {@linkcode customFamily}: brms's `custom_family()` arguments, camelCase. */
export interface CustomFamilyOptions {
  /** Distributional parameters; the first must be `"mu"` (brms's default: `["mu"]`). */
  readonly dpars?: readonly string[];
  /** One link per parameter (brms's default: `"identity"`). */
  readonly links?: readonly string[];
  /** `"real"` (default) or `"int"`: the type of the response. */
  readonly type?: "real" | "int";
  /** Lower bounds per parameter; `null` for none (R's `NA`). */
  readonly lb?: readonly (number | null)[];
  /** Upper bounds per parameter; `null` for none (R's `NA`). */
  readonly ub?: readonly (number | null)[];
  /** Names of further variables passed to the Stan function (e.g. `"vint1[n]"`). */
  readonly vars?: readonly string[] | string;
  /** Whether the likelihood loops over observations (brms's default `true`). */
  readonly loop?: boolean;
  /** brms's `specials`. */
  readonly specials?: readonly string[];
  /** brms's `threshold` (ordinal custom families). */
  readonly threshold?: string;
  /** R source of `log_lik_<name>`: a function `(i, prep)` (trusted user code). */
  readonly logLik?: string;
  /** R source of `posterior_predict_<name>`: a function `(i, prep, ...)` (trusted user code). */
  readonly posteriorPredict?: string;
  /** R source of `posterior_epred_<name>`: a function `(prep)` (trusted user code). */
  readonly posteriorEpred?: string;
}

/** Plain JSON form of a {@linkcode CustomFamily}. */
export interface CustomFamilyNode extends CustomFamilyOptions {
  /** The node's kind. */
  readonly kind: "customfamily";
  /** The node's name. */
  readonly name: string;
}

const CUSTOM_KEYS = [
  "dpars",
  "links",
  "type",
  "lb",
  "ub",
  "vars",
  "loop",
  "specials",
  "threshold",
  "logLik",
  "posteriorPredict",
  "posteriorEpred",
] as const;

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

function strings(v: unknown, key: string, what: string): readonly string[] | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string" && x !== "")) {
    return v as string[];
  }
  throw new SpecError(`${what}: '${key}' must be a non-empty array of strings, got ${describe(v)}`);
}

function bounds(v: unknown, key: string, n: number, what: string) {
  if (v === undefined) return undefined;
  if (
    Array.isArray(v) && v.length === n &&
    v.every((x) => x === null || (typeof x === "number" && !Number.isNaN(x)))
  ) return v as (number | null)[];
  throw new SpecError(
    `${what}: '${key}' must give one number or null per parameter (${n}), got ${describe(v)}`,
  );
}

function source(v: unknown, key: string, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string" && v.trim() !== "" && !v.includes("\0")) return v;
  throw new SpecError(`${what}: '${key}' must be R source of a function, got ${describe(v)}`);
}

/** `c(0, NA)` for bounds. */
function rBounds(b: readonly (number | null)[] | undefined): string | undefined {
  return b === undefined
    ? undefined
    : `c(${b.map((x) => (x === null ? "NA" : rNumber(x))).join(", ")})`;
}

/** R code evaluating trusted R source to one value (one expression only). */
function rSource(src: string | undefined): string | undefined {
  return src === undefined ? undefined : `eval(str2lang(${rString(src)}))`;
}

/**
 * A custom response family, like `brms::custom_family()`: use it as `family` in `brm()` /
 * `makeStancode()` or add it to a formula. Its Stan functions (`<name>_lpdf`/`_lpmf`, `_rng`)
 * come as a {@linkcode stanvar} in the `functions` block.
 *
 * @example
 * ```ts
 * import { customFamily } from "./custom.ts";
 * const bb = customFamily("beta_binomial2", {
 *   dpars: ["mu", "phi"], links: ["logit", "log"], lb: [0, 0], ub: [1, null],
 *   type: "int", vars: "vint1[n]",
 * });
 * String(bb);
 * // brms::custom_family("beta_binomial2", dpars = c("mu", "phi"), links = c("logit", "log"),
 * //   type = "int", lb = c(0, 0), ub = c(1, NA), vars = "vint1[n]")   (one line)
 * ```
 */
export class CustomFamily implements CustomFamilyNode {
  /** See the options of the constructor function. */
  declare readonly kind: "customfamily";
  /** See the options of the constructor function. */
  declare readonly name: string;
  /** See the options of the constructor function. */
  declare readonly dpars?: readonly string[];
  /** See the options of the constructor function. */
  declare readonly links?: readonly string[];
  /** See the options of the constructor function. */
  declare readonly type?: "real" | "int";
  /** See the options of the constructor function. */
  declare readonly lb?: readonly (number | null)[];
  /** See the options of the constructor function. */
  declare readonly ub?: readonly (number | null)[];
  /** See the options of the constructor function. */
  declare readonly vars?: readonly string[] | string;
  /** See the options of the constructor function. */
  declare readonly loop?: boolean;
  /** See the options of the constructor function. */
  declare readonly specials?: readonly string[];
  /** See the options of the constructor function. */
  declare readonly threshold?: string;
  /** See the options of the constructor function. */
  declare readonly logLik?: string;
  /** See the options of the constructor function. */
  declare readonly posteriorPredict?: string;
  /** See the options of the constructor function. */
  declare readonly posteriorEpred?: string;

  /** Checks `node`; prefer {@linkcode customFamily}. */
  constructor(node: CustomFamilyNode) {
    const what = "customFamily()";
    if (!isPlainObject(node) && !(node instanceof CustomFamily)) {
      throw new SpecError(`${what} expects a tree, got ${describe(node)}`);
    }
    const { kind: _k, name, ...opts } = node;
    checkKeys(opts, CUSTOM_KEYS, what);
    if (typeof name !== "string" || !NAME.test(name)) {
      throw new SpecError(`${what}: the name must be a Stan identifier, got ${describe(name)}`);
    }
    const dpars = strings(opts.dpars, "dpars", what);
    const n = dpars?.length ?? 1;
    if (dpars && dpars[0] !== "mu") {
      throw new SpecError(`${what}: the first of 'dpars' must be "mu", got ${describe(dpars[0])}`);
    }
    const links = strings(opts.links, "links", what);
    if (links && links.length !== n) {
      throw new SpecError(`${what}: 'links' must give one link per parameter (${n})`);
    }
    if (opts.type !== undefined && opts.type !== "real" && opts.type !== "int") {
      throw new SpecError(`${what}: 'type' must be "real" or "int", got ${describe(opts.type)}`);
    }
    const vars = typeof opts.vars === "string" ? opts.vars : strings(opts.vars, "vars", what);
    if (opts.loop !== undefined && typeof opts.loop !== "boolean") {
      throw new SpecError(`${what}: 'loop' must be true or false`);
    }
    if (opts.threshold !== undefined && typeof opts.threshold !== "string") {
      throw new SpecError(`${what}: 'threshold' must be a string`);
    }
    assignFrozen(this, {
      kind: "customfamily",
      name,
      dpars,
      links,
      type: opts.type,
      lb: bounds(opts.lb, "lb", n, what),
      ub: bounds(opts.ub, "ub", n, what),
      vars,
      loop: opts.loop,
      specials: strings(opts.specials, "specials", what),
      threshold: opts.threshold,
      logLik: source(opts.logLik, "logLik", what),
      posteriorPredict: source(opts.posteriorPredict, "posteriorPredict", what),
      posteriorEpred: source(opts.posteriorEpred, "posteriorEpred", what),
    });
  }

  /** R code: `brms::custom_family(...)`. */
  toString(): string {
    const vec = (v: readonly string[] | string | undefined) =>
      v === undefined ? undefined : rValue(typeof v === "string" ? v : [...v]);
    return rCall("brms::custom_family", [rString(this.name)], [
      ["dpars", vec(this.dpars)],
      ["links", vec(this.links)],
      ["type", this.type === undefined ? undefined : rString(this.type)],
      ["lb", rBounds(this.lb)],
      ["ub", rBounds(this.ub)],
      ["vars", vec(this.vars)],
      ["loop", this.loop === undefined ? undefined : rValue(this.loop)],
      ["specials", vec(this.specials)],
      ["threshold", this.threshold === undefined ? undefined : rString(this.threshold)],
      ["log_lik", rSource(this.logLik)],
      ["posterior_predict", rSource(this.posteriorPredict)],
      ["posterior_epred", rSource(this.posteriorEpred)],
    ]);
  }
}

/**
 * brms's `custom_family(name, ...)`. The R helpers `logLik`, `posteriorPredict` and
 * `posteriorEpred` are R source of functions (trusted user code, see the module doc); with them,
 * `logLik()`, `loo()`, `posteriorPredict()` and `posteriorEpred()` work on the fit.
 *
 * @example
 * ```ts
 * import { customFamily } from "./custom.ts";
 * const fam = customFamily("beta_binomial2", {
 *   dpars: ["mu", "phi"], links: ["logit", "log"], lb: [0, 0], ub: [1, null],
 *   type: "int", vars: "vint1[n]",
 *   posteriorEpred: `function(prep) {
 *     mu <- brms::get_dpar(prep, "mu")
 *     mu * matrix(prep$data$vint1, nrow = nrow(mu), ncol = ncol(mu), byrow = TRUE)
 *   }`,
 * });
 * ```
 */
export function customFamily(name: string, options: CustomFamilyOptions = {}): CustomFamily {
  if (!isPlainObject(options)) {
    throw new SpecError(`customFamily(): options must be an object, got ${describe(options)}`);
  }
  return new CustomFamily({ ...options, kind: "customfamily", name });
}

/** Where brms puts a Stan variable or code: `stanvar()`'s `block`. */
export type StanvarBlock =
  | "data"
  | "tdata"
  | "parameters"
  | "tparameters"
  | "model"
  | "genquant"
  | "functions"
  | "likelihood";

/** Options of {@linkcode stanvar}: brms's `stanvar()` arguments, camelCase. */
export interface StanvarOptions {
  /** Data passed to Stan (an R literal: number, string, boolean or an array of them). */
  readonly x?: RLiteral;
  /** The Stan name of `x` (required with `x`). */
  readonly name?: string;
  /** Stan code to add (in `block`). */
  readonly scode?: string;
  /** The block (brms's default `"data"`). */
  readonly block?: StanvarBlock;
  /** `"start"` (default) or `"end"` of the block. */
  readonly position?: "start" | "end";
  /** Extra arguments of the partial log-likelihood (threading), Stan code. */
  readonly pllArgs?: string;
}

/** Plain JSON form of a {@linkcode Stanvars}. */
export interface StanvarsNode {
  /** The node's kind. */
  readonly kind: "stanvars";
  /** The node's vars. */
  readonly vars: readonly StanvarOptions[];
}

const STANVAR_KEYS = ["x", "name", "scode", "block", "position", "pllArgs"] as const;
const BLOCKS = [
  "data",
  "tdata",
  "parameters",
  "tparameters",
  "model",
  "genquant",
  "functions",
  "likelihood",
];

function checkStanvar(v: StanvarOptions): StanvarOptions {
  const what = "stanvar()";
  if (!isPlainObject(v)) throw new SpecError(`${what} expects options, got ${describe(v)}`);
  checkKeys(v, STANVAR_KEYS, what);
  if (v.x === undefined && v.scode === undefined) {
    throw new SpecError(`${what}: give 'x' (data) or 'scode' (Stan code)`);
  }
  if (v.x !== undefined && (typeof v.name !== "string" || !NAME.test(v.name))) {
    throw new SpecError(`${what}: 'x' needs a 'name' that is a Stan identifier`);
  }
  if (v.name !== undefined && (typeof v.name !== "string" || !NAME.test(v.name))) {
    throw new SpecError(`${what}: 'name' must be a Stan identifier, got ${describe(v.name)}`);
  }
  for (const key of ["scode", "pllArgs"] as const) {
    if (v[key] !== undefined && typeof v[key] !== "string") {
      throw new SpecError(`${what}: '${key}' must be a string of Stan code`);
    }
  }
  if (v.block !== undefined && !BLOCKS.includes(v.block as string)) {
    throw new SpecError(`${what}: 'block' must be one of ${BLOCKS.join(", ")}`);
  }
  if (v.position !== undefined && v.position !== "start" && v.position !== "end") {
    throw new SpecError(`${what}: 'position' must be "start" or "end"`);
  }
  return v;
}

/**
 * Stan variables and code for brms's `stanvars` argument: one or more `stanvar()`s, combined
 * with `.add()` the way `+` combines them in brms.
 *
 * @example
 * ```ts
 * import { stanvar } from "./custom.ts";
 * const sv = stanvar({ scode: "real f(real x) { return x; }", block: "functions" })
 *   .add(stanvar({ x: 2.5, name: "s" }));
 * String(sv);
 * // brms::stanvar(scode = "real f(real x) { return x; }", block = "functions")
 * //   + brms::stanvar(x = 2.5, name = "s")   (one line)
 * ```
 */
export class Stanvars implements StanvarsNode {
  /** See the options of the constructor function. */
  declare readonly kind: "stanvars";
  /** See the options of the constructor function. */
  declare readonly vars: readonly StanvarOptions[];

  /** Checks `node`; prefer {@linkcode stanvar}. */
  constructor(node: StanvarsNode) {
    if (kindOf(node) !== "stanvars" || !Array.isArray(node.vars) || node.vars.length === 0) {
      throw new SpecError(`stanvars expects at least one stanvar(), got ${describe(node)}`);
    }
    assignFrozen(this, {
      kind: "stanvars",
      vars: node.vars.map((v) => checkStanvar({ ...v })),
    });
  }

  /**
   * Combines with more Stan variables (brms's `+` on stanvars).
   *
   * @example
   * ```ts
   * import { stanvar } from "./custom.ts";
   * stanvar({ x: 1, name: "a" }).add(stanvar({ x: 2, name: "b" })).vars.length; // 2
   * ```
   */
  add(...more: Stanvars[]): Stanvars {
    return new Stanvars({
      kind: "stanvars",
      vars: [this, ...more].flatMap((s) => reviveStanvars(s, "stanvars.add()").vars),
    });
  }

  /** R code: the `brms::stanvar(...)` calls joined by ` + `. */
  toString(): string {
    return this.vars.map((v) =>
      rCall("brms::stanvar", [], [
        ["x", v.x === undefined ? undefined : rValue(v.x)],
        ["name", v.name === undefined ? undefined : rString(v.name)],
        ["scode", v.scode === undefined ? undefined : rString(v.scode)],
        ["block", v.block === undefined ? undefined : rString(v.block)],
        ["position", v.position === undefined ? undefined : rString(v.position)],
        ["pll_args", v.pllArgs === undefined ? undefined : rString(v.pllArgs)],
      ])
    ).join(" + ");
  }
}

/**
 * brms's `stanvar(x, name, scode, block, position, pll_args)`: data or Stan code added to the
 * generated Stan program. Pass it (or several combined with `.add()`) as `stanvars` to `brm()`,
 * `makeStancode()` or `makeStandata()`.
 *
 * @example
 * ```ts
 * import { stanvar } from "./custom.ts";
 * const funs = stanvar({
 *   scode: "real twice(real x) { return 2 * x; }",
 *   block: "functions",
 * });
 * String(funs); // brms::stanvar(scode = "real twice(real x) { return 2 * x; }", block = "functions")
 * ```
 */
export function stanvar(options: StanvarOptions): Stanvars {
  return new Stanvars({ kind: "stanvars", vars: [options] });
}

/**
 * Revives stanvars from a class instance or a plain tree (parsed JSON).
 *
 * @example
 * ```ts
 * import { reviveStanvars } from "./custom.ts";
 * String(reviveStanvars({ kind: "stanvars", vars: [{ x: 1, name: "a" }] }, "stanvars"));
 * // brms::stanvar(x = 1, name = "a")
 * ```
 */
export function reviveStanvars(v: unknown, what: string): Stanvars {
  if (v instanceof Stanvars) return v;
  if (kindOf(v) === "stanvars") return new Stanvars(v as StanvarsNode);
  throw new SpecError(`${what} expects stanvar() values, got ${describe(v)}`);
}
