/**
 * Jobs are data, not code: the options of a cluster job checked against an allow-list before
 * anything reaches R (unless the worker trusts its submitters, `--trust-jobs`). Every option
 * must be one of {@link JOB_OPTIONS} with a value of the right shape; formula text anywhere in
 * a formula tree passes `checkFormula`, prior text `checkPrior`. Refused, with the option or
 * function named: custom families (their R source), `stanvars`, `data2`, `file`, `init`
 * functions, `cacheDir`, any DSL tree outside formula/family/prior, any unknown option. A job
 * encoded by another client than brmsts's is just JSON: an `rCode()` or `RObject` there is a
 * plain object, refused wherever an object is not expected.
 *
 * @module
 */
import { checkFormulaValue, checkPrior, FormulaPolicyError } from "../formula/mod.ts";
import { camelToSnake } from "../formula/render.ts";
import { JobPolicyError } from "./errors.ts";

type Check = (v: unknown, at: string) => void;

const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

function bad(at: string, why: string): never {
  throw new JobPolicyError(`option '${at}' ${why}`, at);
}

const num: Check = (v, at) => {
  if (typeof v !== "number" || !Number.isFinite(v)) bad(at, "must be a finite number");
};
const bool: Check = (v, at) => {
  if (typeof v !== "boolean") bad(at, "must be true or false");
};
const oneOf = (...xs: unknown[]): Check => (v, at) => {
  if (!xs.includes(v)) bad(at, `must be one of ${xs.map((x) => JSON.stringify(x)).join(", ")}`);
};
const either = (...cs: Check[]): Check => (v, at) => {
  for (const c of cs) {
    try {
      return c(v, at);
    } catch { /* the next form */ }
  }
  bad(at, "has a value of a form this option does not take");
};
const arrayOf = (c: Check): Check => (v, at) => {
  if (!Array.isArray(v)) bad(at, "must be an array");
  v.forEach((x, i) => c(x, `${at}[${i}]`));
};
const str = (re: RegExp): Check => (v, at) => {
  if (typeof v !== "string" || !re.test(v)) bad(at, `must be a string matching ${re}`);
};
const NAME = /^[A-Za-z.][A-Za-z0-9._]*$/;
/** Numbers, and arrays/objects of numbers (initial values, knots). */
const numbers: Check = (v, at) => {
  if (typeof v === "number") return num(v, at);
  if (Array.isArray(v)) return v.forEach((x, i) => numbers(x, `${at}[${i}]`));
  if (isObj(v) && !("kind" in v)) {
    for (const [k, x] of Object.entries(v)) {
      str(NAME)(k, `${at}.${k}`);
      numbers(x, `${at}.${k}`);
    }
    return;
  }
  bad(at, "must hold numbers only");
};

const CONTROL: Record<string, Check> = {
  adapt_delta: num,
  max_treedepth: num,
  stepsize: num,
  stepsize_jitter: num,
  adapt_engaged: bool,
  adapt_gamma: num,
  adapt_kappa: num,
  adapt_t0: num,
  adapt_init_buffer: num,
  adapt_term_buffer: num,
  adapt_window: num,
  metric: oneOf("diag_e", "dense_e", "unit_e"),
};
const SAVE_PARS: Record<string, Check> = {
  group: either(bool, arrayOf(str(NAME))),
  latent: either(bool, arrayOf(str(NAME))),
  all: bool,
  manual: arrayOf(str(/^[A-Za-z][\w.[\],]*$/)),
};
const objectOf = (fields: Record<string, Check>, camel = false): Check => (v, at) => {
  if (!isObj(v) || "kind" in v) bad(at, "must be a plain object");
  for (const [k, x] of Object.entries(v)) {
    const c = fields[camel ? camelToSnake(k) : k];
    if (!c) bad(`${at}.${k}`, `is not allowed for untrusted jobs`);
    c(x, `${at}.${k}`);
  }
};

/**
 * The options a job from an untrusted submitter may carry (brms's snake_case names; camelCase
 * names are converted first) and the check of each value. Extending it: add only options whose
 * values are plain data R never evaluates, reads files by or runs code from.
 *
 * @example
 * ```ts
 * import { JOB_OPTIONS } from "./_policy.ts";
 * "file" in JOB_OPTIONS; // false
 * ```
 */
export const JOB_OPTIONS: Readonly<Record<string, Check | "formula" | "family" | "prior">> = {
  formula: "formula",
  family: "family",
  prior: "prior",
  chains: num,
  iter: num,
  warmup: num,
  thin: num,
  cores: num,
  seed: num,
  refresh: num,
  silent: oneOf(0, 1, 2),
  threads: num,
  normalize: bool,
  drop_unused_levels: bool,
  knots: numbers,
  control: objectOf(CONTROL, true),
  init: either(num, oneOf("random", "0"), arrayOf(numbers)),
  inits: either(num, oneOf("random", "0"), arrayOf(numbers)),
  backend: oneOf("rstan"),
  algorithm: oneOf("sampling", "meanfield", "fullrank", "fixed_param"),
  sample_prior: oneOf("no", "yes", "only", true, false),
  save_pars: objectOf(SAVE_PARS),
  // brmsts's own options
  return_idata: bool,
  idata_groups: arrayOf(str(/^[a-z_]+$/)),
  cache: bool,
  data_name: str(/^[\w. -]{1,100}$/),
};

const ALIASES: Record<string, string> = { priors: "prior" };
const FAMILY_KINDS = new Set(["brmsfamily", "mixture"]);
const PRIOR_KINDS = new Set(["brmsprior", "brmspriors"]);
function checkPriors(v: unknown, at: string): void {
  if (v === null) return;
  if (typeof v === "string") return void checkPrior(v, at);
  if (Array.isArray(v)) return v.forEach((x, i) => checkPriors(x, `${at}[${i}]`));
  if (!isObj(v)) bad(at, "must be priors");
  if (v.kind === "brmspriors") return checkPriors(v.priors, `${at}.priors`);
  if (v.kind !== undefined && !PRIOR_KINDS.has(String(v.kind))) {
    bad(at, `holds a '${String(v.kind)}' value, which untrusted jobs may not use`);
  }
  for (const [k, x] of Object.entries(v)) {
    if (k === "kind") continue;
    if (k === "prior" || k === "lb" || k === "ub") {
      if (typeof x === "number" && k !== "prior") continue;
      if (typeof x !== "string") bad(`${at}.${k}`, "must be a string");
      checkPrior(x, `${at}.${k}`);
    } else if (["class", "coef", "group", "resp", "dpar", "nlpar"].includes(k)) {
      str(/^[\w.[\], ]*$/)(x, `${at}.${k}`);
    } else if (k === "check") bool(x, `${at}.${k}`);
    else bad(`${at}.${k}`, "is not a prior field");
  }
}

/**
 * Checks a job's options (as JSON) for a worker that does not trust its submitters; a refusal
 * is a {@link JobPolicyError} naming the option (`offender`) or the function. `columns` are the
 * data's column names: formula text may name them, the parameters on the left of its
 * formulas, and names R resolves to nothing harmful (an unknown name is R's "object not found").
 *
 * @example
 * ```ts
 * import { checkJobOptions } from "./_policy.ts";
 * checkJobOptions({ formula: "y ~ x", chains: 1, iter: 200 });
 * ```
 */
export function checkJobOptions(options: Record<string, unknown>): void {
  if (!isObj(options)) bad("options", "must be an object");
  for (const [key, v] of Object.entries(options)) {
    const name = ALIASES[key] ?? camelToSnake(key);
    const rule = Object.hasOwn(JOB_OPTIONS, name) ? JOB_OPTIONS[name] : undefined;
    if (rule === undefined) bad(key, "is not allowed for untrusted jobs (the worker's allow-list)");
    if (v === undefined || v === null) continue;
    if (typeof v === "function") bad(key, "holds a function");
    try {
      if (rule === "formula" || rule === "family") {
        if (typeof v !== "string" && (!isObj(v) || typeof v.kind !== "string")) {
          bad(key, `must be text or a ${rule} tree`);
        }
        if (rule === "family" && typeof v !== "string" && !FAMILY_KINDS.has(String(v.kind))) {
          bad(key, `holds a '${String(v.kind)}' value, which untrusted jobs may not use`);
        }
        checkFormulaValue(v, {}, key);
      } else if (rule === "prior") checkPriors(v, key);
      else rule(v, key);
    } catch (e) {
      if (!(e instanceof FormulaPolicyError)) throw e; // JobPolicyError, or malformed (SpecError)
      throw new JobPolicyError(e.message, e.offender);
    }
  }
}
