/**
 * The one option mapper: brmsts's options → brms's arguments, camelCase names mapped to brms's
 * snake_case ones. `brmArgs` for `brm()` (DSL values to their R code, plain prior objects to
 * `brms::set_prior()` calls), `brmsArgs` for the post-fit functions.
 *
 * @module
 */
import { fitHandleOf, RCode, rCode, RObject } from "../../worker/mod.ts";
import { bf, reviveFormula } from "../../formula/bf.ts";
import { resolveFamily } from "../../formula/brmsfamily.ts";
import {
  prior as makePrior,
  type PriorInput,
  priors as combinePriors,
} from "../../formula/prior.ts";
import { fromJSON } from "../../formula/revive.ts";
import { camelToSnake, opt, rCall, type RLiteral, rString } from "../../formula/render.ts";
import { SpecError } from "../../formula/errors.ts";
import { singleExpression } from "../../formula/mod.ts";
import { dataArg } from "../core/data.ts";
import { Categorical, DataFrame } from "../../data/mod.ts";

/**
 * brmsts's names of brms/rstan arguments whose brms name differs (everything else is converted
 * from camelCase to snake_case, which leaves snake_case names unchanged).
 *
 * @example
 * ```ts
 * import { ARG_NAMES } from "./options.ts";
 * ARG_NAMES.priors; // "prior"
 * ```
 */
export const ARG_NAMES: Readonly<Record<string, string>> = {
  priors: "prior",
  samplePrior: "sample_prior",
  savePars: "save_pars",
  dropUnusedLevels: "drop_unused_levels",
  stanModelArgs: "stan_model_args",
  stanFuns: "stan_funs",
  fileRefit: "file_refit",
  covRanef: "cov_ranef",
};

/**
 * Options of `brm()` that brmsts handles itself (never sent to R).
 *
 * @example
 * ```ts
 * import { LOCAL_OPTIONS } from "./options.ts";
 * LOCAL_OPTIONS.has("returnIdata"); // true
 * ```
 */
export const LOCAL_OPTIONS = new Set([
  "returnIdata",
  "idataGroups",
  "cache",
  "cacheDir",
  "cacheMaxBytes",
  "onProgress",
  "progress",
  "signal",
  "worker",
  "dataName",
  "formulaPolicy",
]);

/**
 * A prior as a plain object, as in brms's `set_prior()`.
 *
 * @example
 * ```ts
 * import type { PlainPrior } from "./options.ts";
 * const p: PlainPrior = { prior: "exponential(1)", class: "sd", group: "patient" };
 * ```
 */
export interface PlainPrior {
  /** The prior in Stan syntax, e.g. `normal(0, 1)`. */
  prior: string;
  /** Parameter class (`b`, `sd`, `Intercept`, …). */
  class?: string;
  /** Coefficient name within the class. */
  coef?: string;
  /** Grouping factor (group-level parameters). */
  group?: string;
  /** Response (multivariate models). */
  resp?: string;
  /** Distributional parameter. */
  dpar?: string;
  /** Non-linear parameter. */
  nlpar?: string;
  /** Lower bound. */
  lb?: number | string;
  /** Upper bound. */
  ub?: number | string;
  /** brms's `check` (validate the prior; default true). */
  check?: boolean;
}

/**
 * brms's `save_pars()` as an object.
 *
 * @example
 * ```ts
 * import type { SavePars } from "./options.ts";
 * const keepAll: SavePars = { all: true };
 * ```
 */
export interface SavePars {
  /** Keep group-level effects (all, or those of the groups named). */
  group?: boolean | string[];
  /** Keep latent variables (all, or those named). */
  latent?: boolean | string[];
  /** Keep every parameter. */
  all?: boolean;
  /** Further parameters to keep, by name. */
  manual?: string[];
}

function isTree(v: unknown): boolean {
  return v !== null && typeof v === "object" && typeof (v as { kind?: unknown }).kind === "string";
}

function isR(v: unknown): boolean {
  return v instanceof RObject || v instanceof RCode;
}

function priorsArg(p: unknown): unknown {
  if (p === null) return null;
  if (isR(p)) return p;
  const norm = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(norm);
    if (x !== null && typeof x === "object" && !isTree(x) && "prior" in x) {
      const { prior, ...rest } = x as PlainPrior;
      return makePrior(prior, rest);
    }
    return x;
  };
  const list = combinePriors(norm(p) as PriorInput);
  return list.priors.length ? rCode(String(list)) : null;
}

function savePars(v: unknown): unknown {
  if (isR(v) || v === null) return v;
  if (typeof v !== "object") {
    throw new SpecError("brm(): 'savePars' must be an object like { all: true }");
  }
  const s = v as SavePars;
  return rCode(rCall("brms::save_pars", [], [
    ["group", opt(s.group as RLiteral | undefined)],
    ["latent", opt(s.latent as RLiteral | undefined)],
    ["all", opt(s.all)],
    ["manual", opt(s.manual as RLiteral | undefined)],
  ]));
}

function value(v: unknown): unknown {
  if (isR(v)) return v;
  if (isTree(v)) return rCode(String(fromJSON(v)));
  return v;
}

/**
 * The contrasts of a data frame's factors (`Categorical.contrasts`) by column name, or
 * `undefined` when none has any. R sets them with `contrasts<-` (`brmsts_apply_contrasts` in
 * sampling.R), so a matrix is completed and named as R does it.
 *
 * @example
 * ```ts
 * import { Categorical, DataFrame } from "../../data/mod.ts";
 * const g = Categorical.from(["a", "b", "c"]).withContrasts("contr.sum");
 * contrastsOf(new DataFrame({ g })); // { g: "contr.sum" }
 * ```
 */
export function contrastsOf(data: unknown): Record<string, unknown> | undefined {
  if (!(data instanceof DataFrame)) return undefined;
  const cs: Record<string, unknown> = {};
  for (const [name, col] of data.entries()) {
    if (col instanceof Categorical && col.contrasts !== undefined) cs[name] = col.contrasts;
  }
  return Object.keys(cs).length ? cs : undefined;
}

/**
 * The named arguments of `brms::brm()` for `options` (brmsts's own options left out).
 *
 * @example
 * ```ts
 * import { rCode } from "../../worker/mod.ts";
 * const args = brmArgs({
 *   formula: "count ~ Trt", data: rCode("brms::epilepsy"), family: "poisson",
 *   priors: [{ prior: "normal(0, 1)", class: "b" }], samplePrior: "yes",
 * });
 * Object.keys(args); // ["formula", "data", "family", "prior", "sample_prior"]
 * ```
 */
export function brmArgs(options: Record<string, unknown>): Record<string, unknown> {
  if (options === null || typeof options !== "object") {
    throw new SpecError("brm() expects an options object");
  }
  if (options.formula === undefined) throw new SpecError("brm(): 'formula' is required");
  if (options.data === undefined) throw new SpecError("brm(): 'data' is required");
  if (options.priors !== undefined && options.prior !== undefined) {
    throw new SpecError("brm(): give 'priors' or 'prior', not both");
  }
  const f = options.formula;
  const args: Record<string, unknown> = {
    formula: isR(f)
      ? f
      : rCode(String(typeof f === "string" ? bf(f) : reviveFormula(f, "brm() 'formula'"))),
    data: dataArg(options.data),
  };
  const cs = contrastsOf(args.data);
  if (cs) args.brmsts_contrasts = cs;
  for (const [key, v] of Object.entries(options)) {
    if (v === undefined || key === "formula" || key === "data" || LOCAL_OPTIONS.has(key)) continue;
    const name = ARG_NAMES[key] ?? camelToSnake(key);
    switch (name) {
      case "family":
        args.family = isR(v) ? v : rCode(String(resolveFamily(v, "brm() 'family'")));
        break;
      case "prior":
        args.prior = priorsArg(v);
        break;
      case "save_pars":
        args.save_pars = savePars(v);
        break;
      case "threads":
        args.threads = typeof v === "number" ? rCode(`brms::threading(${v})`) : value(v);
        break;
      case "control":
        args.control = isR(v) ? v : Object.fromEntries(
          Object.entries(v as Record<string, unknown>).map(([k, x]) => [camelToSnake(k), x]),
        );
        break;
      default:
        args[name] = value(v);
    }
  }
  return args;
}

/**
 * brmsts option names whose brms argument differs beyond camelCase → snake_case; all other
 * names are converted (`allowNewLevels` → `allow_new_levels`) and passed on.
 */
const POSTFIT_NAMES: Readonly<Record<string, string>> = {
  reFormula: "re_formula",
  momentMatch: "moment_match",
};

/**
 * Options handled by brmsts itself (never sent to brms).
 *
 * @example
 * ```ts
 * LOCAL.has("newdata"); // true
 * ```
 */
export const LOCAL = new Set(["signal", "onLog", "worker", "newdata", "seed", "ndraws", "drawIds"]);

/**
 * `re_formula`: `null` → `NA` (no group-level effects), a string → an R formula, undefined →
 * brms's default (all group-level effects).
 *
 * @example
 * ```ts
 * reFormulaArg(null); // rCode("NA")
 * reFormulaArg("~ (1 | g)"); // rCode('stats::as.formula("~ (1 | g)")')
 * ```
 */
export function reFormulaArg(v: unknown): unknown {
  if (v === null) return rCode("NA");
  if (typeof v === "string") {
    // Checked in TypeScript first: R's as.formula() evaluates text that is not a formula.
    return rCode(`stats::as.formula(${rString(singleExpression(v, "reFormula"))})`);
  }
  return v;
}

/**
 * The named R arguments for `options` (local options left out): camelCase → snake_case,
 * `reFormula` as a formula, `FitResult`s as their handles.
 *
 * @example
 * ```ts
 * import { brmsArgs } from "./options.ts";
 * brmsArgs({ allowNewLevels: true, reFormula: null, signal: undefined });
 * // { allow_new_levels: true, re_formula: rCode("NA") }
 * ```
 */
export function brmsArgs(
  options: object,
  skip: ReadonlySet<string> = LOCAL,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options as Record<string, unknown>)) {
    if (v === undefined || skip.has(k) || LOCAL.has(k)) continue;
    const name = POSTFIT_NAMES[k] ?? camelToSnake(k);
    out[name] = name === "re_formula" ? reFormulaArg(v) : unwrapFit(v);
  }
  return out;
}

/**
 * A fit argument (an object holding a brmsfit handle as `r`, like brm()'s result) becomes its
 * handle; anything else is returned unchanged.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * unwrapFit(fit) === fit.r; // true for brm()'s result
 * ```
 */
export function unwrapFit(v: unknown): unknown {
  return fitHandleOf(v) ?? v;
}
