/**
 * The Stan code and data of a model: `makeStancode()` and `makeStandata()` (brms's
 * `make_stancode()` and `make_standata()`) for models written with the formula DSL (or as R
 * text), and `stancode()` / `standata()` of a fit (or of a specification).
 * The formula, family and priors cross to the worker as the R code of their
 * trees (`rCode(String(tree))`), where brms's own functions build them.
 *
 * @module
 */

import { callR, defaultWorker, named, RCode, rCode, RObject } from "../../worker/mod.ts";
import { fitHandle, type FitLike, type PostfitCallOptions, prepare } from "./args.ts";
import { brmsArgs, contrastsOf } from "../fit/options.ts";
import { ensureTools } from "../core/r_helpers.ts";
import { dataArg } from "../core/data.ts";
import { bf, type Formula, reviveFormula } from "../../formula/bf.ts";
import { type FamilyInput, resolveFamily } from "../../formula/brmsfamily.ts";
import { type PriorInput, priors as combinePriors } from "../../formula/prior.ts";
import { fromJSON } from "../../formula/revive.ts";
import { camelToSnake } from "../../formula/render.ts";
import { SpecError } from "../../formula/errors.ts";
import { BrmstsTypeError } from "../../errors.ts";
import { callRHelperValue } from "../../rhelpers.ts";
import { BRM_HELPERS } from "../core/r_helpers.ts";

/**
 * Options of {@linkcode makeStancode} and {@linkcode makeStandata}. Named
 * options are translated to brms's arguments (see docs/formula.md); any
 * other option is passed on with its name converted from camelCase to
 * snake_case (`dropUnusedLevels` → `drop_unused_levels`), its value as is
 * (DSL values become their R code).
 */
export interface StancodeOptions {
  /** The model formula: a `bf()`/`mvbf()` value, a sum, R formula text, or R (`RObject`, `rCode()`). */
  readonly formula: Formula | string | RObject | RCode;
  /** The data: an `RObject`, an `rCode(...)` marker, or what `dataArg` accepts. */
  readonly data: unknown;
  /** The family (value or name, or R); brms's default is gaussian. */
  readonly family?: FamilyInput | RObject | RCode;
  /** Priors: `prior()` values, plain `{ prior, class, ... }` objects, (nested) arrays, or R. */
  readonly priors?: PriorInput | RObject | RCode | null;
  /** brms's `prior` (same as `priors`; give only one of them). */
  readonly prior?: PriorInput | RObject | RCode | null;
  /** brms's `data2`: passed as is (an `RObject`, `rCode(...)` or plain values). */
  readonly data2?: unknown;
  /** brms's `stanvars`: an `RObject` or `rCode("brms::stanvar(...)")`. */
  readonly stanvars?: unknown;
  /** brms's `sample_prior`. */
  readonly samplePrior?: "no" | "yes" | "only";
  /** brms's `threads`: a number of threads or `rCode("brms::threading(...)")`. */
  readonly threads?: unknown;
  /** brms's `normalize`. */
  readonly normalize?: boolean;
  /** brms's `knots`. */
  readonly knots?: unknown;
  /** brms's `drop_unused_levels`. */
  readonly dropUnusedLevels?: boolean;
  /** Cancels the call. */
  readonly signal?: AbortSignal;
  /** Any other argument of brms's function, by camelCase name. */
  readonly [argument: string]: unknown;
}

const HANDLED = new Set(["formula", "data", "family", "priors", "prior", "signal"]);

/** Whether `v` is a value of the DSL (a tree with a `kind`). */
function isTree(v: unknown): boolean {
  return v !== null && typeof v === "object" && typeof (v as { kind?: unknown }).kind === "string";
}

/** Whether `v` is already R: a handle or an `rCode()` marker (passed as is). */
function isR(v: unknown): v is RObject | RCode {
  return v instanceof RObject || v instanceof RCode;
}

/** The named `callR` arguments for brms's make_stancode/make_standata. */
function buildArgs(options: StancodeOptions, what: string): Record<string, unknown> {
  if (options === null || typeof options !== "object") {
    throw new SpecError(`${what} expects an options object`);
  }
  if (options.formula === undefined) throw new SpecError(`${what}: 'formula' is required`);
  if (options.data === undefined) throw new SpecError(`${what}: 'data' is required`);
  if (options.priors !== undefined && options.prior !== undefined) {
    throw new SpecError(`${what}: give 'priors' or 'prior', not both`);
  }
  const f = options.formula;
  const args: Record<string, unknown> = {
    formula: isR(f)
      ? f
      : rCode(String(typeof f === "string" ? bf(f) : reviveFormula(f, `${what} 'formula'`))),
    data: dataArg(options.data),
  };
  const fam = options.family;
  if (fam !== undefined) {
    args.family = isR(fam) ? fam : rCode(String(resolveFamily(fam, `${what} 'family'`)));
  }
  const p = options.priors ?? options.prior;
  if (isR(p)) args.prior = p;
  else if (p !== undefined && p !== null) {
    const list = combinePriors(p);
    if (list.priors.length) args.prior = rCode(String(list));
  }
  for (const [key, value] of Object.entries(options)) {
    if (HANDLED.has(key) || value === undefined) continue;
    args[camelToSnake(key)] = !isR(value) && isTree(value) ? rCode(String(fromJSON(value))) : value;
  }
  const cs = contrastsOf(args.data);
  if (cs) args.brmsts_contrasts = cs;
  return args;
}

/**
 * `brms::make_stancode`/`make_standata` on `args`; through `brmsts_make` (which sets the
 * factors' contrasts first) when the data carry contrasts.
 */
async function make(
  what: "stancode" | "standata",
  args: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<unknown> {
  const opts = { signal, convert: "value" as const };
  if (args.brmsts_contrasts === undefined) return await callR(`brms::make_${what}`, args, opts);
  await ensureTools(defaultWorker(), signal);
  return await callRHelperValue(
    defaultWorker(),
    BRM_HELPERS,
    "brmsts_make",
    { what, ...args },
    opts,
  );
}

/**
 * The Stan code brms generates for a model, like `brms::make_stancode()`;
 * nothing is compiled. Errors from brms (an invalid formula, a prior on a
 * parameter that does not exist, …) arrive as the worker's `RError`.
 *
 * @example
 * ```ts
 * import { rCode } from "../../worker/mod.ts";
 * import { bf, poisson, prior } from "../../formula/mod.ts";
 * const code = await makeStancode({
 *   formula: bf("count ~ zAge + zBase * Trt + (1 | patient)"),
 *   data: rCode("brms::epilepsy"),
 *   family: poisson(),
 *   priors: [prior("normal(0, 1)", "b")],
 * });
 * console.log(code.includes("poisson_log")); // true
 * ```
 */
export async function makeStancode(options: StancodeOptions): Promise<string> {
  const args = buildArgs(options, "makeStancode()");
  const code = await make("stancode", args, options.signal);
  if (typeof code !== "string") {
    throw new BrmstsTypeError(`brms::make_stancode returned ${typeof code}, expected a string`);
  }
  return code;
}

/**
 * The data brms passes to Stan for a model, like `brms::make_standata()`,
 * converted to plain JS values (named list → object, vectors → arrays).
 *
 * @example
 * ```ts
 * import { rCode } from "../../worker/mod.ts";
 * const sdata = await makeStandata({ formula: "count ~ Trt", data: rCode("brms::epilepsy") }) as {
 *   N: number;
 * };
 * console.log(sdata.N); // 236
 * ```
 */
export async function makeStandata(options: StancodeOptions): Promise<unknown> {
  const args = buildArgs(options, "makeStandata()");
  return await make("standata", args, options.signal);
}

/**
 * Options of {@link stancode} and {@link standata} for a fit.
 *
 * @example
 * ```ts
 * const opts: FitStanOptions = { version: false };
 * ```
 */
export interface FitStanOptions extends PostfitCallOptions {
  /** Any argument of brms's `stancode()`/`standata()` (e.g. `version: false`). */
  [argument: string]: unknown;
}

function isFit(x: unknown): x is FitLike {
  return x instanceof RObject || (x !== null && typeof x === "object" && "r" in x &&
    (x as { r: unknown }).r instanceof RObject);
}

/**
 * The Stan code of a fit (`brms::stancode()`), or of a model specification (then the same as
 * {@link makeStancode}).
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const code = await stancode(fit);
 * code.includes("model {"); // true
 * const same = await stancode({ formula: "y ~ g", data: { y: [1, 2], g: ["a", "b"] } });
 * ```
 */
export async function stancode(
  fit: FitLike | StancodeOptions,
  options: FitStanOptions = {},
): Promise<string> {
  if (!isFit(fit)) return makeStancode(fit);
  const r = fitHandle(fit, "stancode()");
  const { w, call } = await prepare(options);
  const code = await w.call("brms::stancode", [r, brmsArgs(options)].flatMap(positional), {
    ...call,
    convert: "value",
  });
  if (typeof code !== "string") throw new BrmstsTypeError("brms::stancode did not return a string");
  return code;
}

/**
 * The data passed to Stan for a fit (`brms::standata()`), or for a model specification (then
 * the same as {@link makeStandata}): an object of plain values (`N`, `Y`, `X` as NdArray, …).
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const sd = await standata(fit) as { N: number };
 * sd.N; // number of observations
 * ```
 */
export async function standata(
  fit: FitLike | StancodeOptions,
  options: FitStanOptions = {},
): Promise<Record<string, unknown>> {
  if (!isFit(fit)) return await makeStandata(fit) as Record<string, unknown>;
  const r = fitHandle(fit, "standata()");
  const { w, call } = await prepare(options);
  return await w.call("brms::standata", [r, brmsArgs(options)].flatMap(positional), {
    ...call,
    convert: "value",
  }) as Record<string, unknown>;
}

function positional(x: unknown): unknown[] {
  if (x instanceof RObject) return [x];
  return Object.keys(x as object).length ? [named(x as Record<string, unknown>)] : [];
}
