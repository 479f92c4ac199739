/**
 * What brms 2.18.0 allows, written down by hand so that TypeScript can check
 * families and links before anything reaches R.
 *
 * Sources (brms internals, read in `tests/formula_links_test.ts`, which fails
 * when this table and the installed brms disagree in either direction):
 * - `FAMILIES`: one entry per `brms:::.family_<name>()` except `info` (not a
 *   family) and `custom` (no links; custom families are built with
 *   `brms::custom_family()`, outside this table). `links` is `$links` (the
 *   first is the default), `dpars` is `c($dpars, $multi_dpars)`, `extras`
 *   lists the family-specific arguments of `brms::brmsfamily()` that apply:
 *   `threshold` (`brms:::is_ordinal`), `refcat` (`brms:::conv_cats_dpars` and
 *   `brms:::has_joint_link`), `bhaz` (`brms:::is_cox`).
 * - `DPAR_LINKS`: `brms:::links_dpars(<dpar>)` for every `link_<dpar>`
 *   argument of `brms::brmsfamily()`; the first is the default.
 * - `CONSTRUCTORS`: exported family functions of brms (and the stats family
 *   functions brms accepts) and the family each one builds.
 *
 * @module
 */

/** Per-family facts; see the module documentation for their sources. */
export const FAMILIES = {
  acat: {
    links: ["logit", "probit", "probit_approx", "cloglog", "cauchit", "softit"],
    dpars: ["mu", "disc"],
    extras: ["threshold"],
  },
  asym_laplace: {
    links: ["identity", "log", "inverse", "softplus", "squareplus"],
    dpars: ["mu", "sigma", "quantile"],
  },
  bernoulli: {
    links: ["logit", "probit", "probit_approx", "cloglog", "cauchit", "softit", "identity", "log"],
    dpars: ["mu"],
  },
  beta: {
    links: ["logit", "probit", "probit_approx", "cloglog", "cauchit", "softit", "identity", "log"],
    dpars: ["mu", "phi"],
  },
  beta_binomial: {
    links: ["logit", "probit", "probit_approx", "cloglog", "cauchit", "softit", "identity"],
    dpars: ["mu", "phi"],
  },
  binomial: {
    links: ["logit", "probit", "probit_approx", "cloglog", "cauchit", "softit", "identity", "log"],
    dpars: ["mu"],
  },
  categorical: { links: ["logit"], dpars: ["mu"], extras: ["refcat"] },
  com_poisson: {
    links: ["log", "identity", "sqrt", "softplus", "squareplus"],
    dpars: ["mu", "shape"],
  },
  cox: { links: ["log", "identity", "softplus", "squareplus"], dpars: ["mu"], extras: ["bhaz"] },
  cratio: {
    links: ["logit", "probit", "probit_approx", "cloglog", "cauchit"],
    dpars: ["mu", "disc"],
    extras: ["threshold"],
  },
  cumulative: {
    links: ["logit", "probit", "probit_approx", "cloglog", "cauchit", "softit"],
    dpars: ["mu", "disc"],
    extras: ["threshold"],
  },
  dirichlet: { links: ["logit"], dpars: ["phi", "mu"], extras: ["refcat"] },
  dirichlet2: { links: ["log", "softplus", "squareplus", "identity", "logm1"], dpars: ["mu"] },
  discrete_weibull: {
    links: ["logit", "probit", "probit_approx", "cloglog", "cauchit", "softit", "identity"],
    dpars: ["mu", "shape"],
  },
  exgaussian: {
    links: ["identity", "log", "inverse", "softplus", "squareplus"],
    dpars: ["mu", "sigma", "beta"],
  },
  exponential: { links: ["log", "identity", "inverse", "softplus", "squareplus"], dpars: ["mu"] },
  frechet: { links: ["log", "identity", "inverse", "softplus", "squareplus"], dpars: ["mu", "nu"] },
  gamma: {
    links: ["log", "identity", "inverse", "softplus", "squareplus"],
    dpars: ["mu", "shape"],
  },
  gaussian: {
    links: [
      "identity",
      "log",
      "inverse",
      "softplus",
      "squareplus",
      "logit",
      "probit",
      "probit_approx",
      "cloglog",
      "cauchit",
      "softit",
    ],
    dpars: ["mu", "sigma"],
  },
  gen_extreme_value: {
    links: ["identity", "log", "inverse", "softplus", "squareplus"],
    dpars: ["mu", "sigma", "xi"],
  },
  geometric: { links: ["log", "identity", "sqrt", "softplus", "squareplus"], dpars: ["mu"] },
  hurdle_gamma: {
    links: ["log", "identity", "inverse", "softplus", "squareplus"],
    dpars: ["mu", "shape", "hu"],
  },
  hurdle_lognormal: { links: ["identity", "inverse"], dpars: ["mu", "sigma", "hu"] },
  hurdle_negbinomial: {
    links: ["log", "identity", "sqrt", "softplus", "squareplus"],
    dpars: ["mu", "shape", "hu"],
  },
  hurdle_poisson: {
    links: ["log", "identity", "sqrt", "softplus", "squareplus"],
    dpars: ["mu", "hu"],
  },
  "inverse.gaussian": {
    links: ["1/mu^2", "inverse", "identity", "log", "softplus", "squareplus"],
    dpars: ["mu", "shape"],
  },
  logistic_normal: { links: ["identity"], dpars: ["mu", "sigma"], extras: ["refcat"] },
  lognormal: { links: ["identity", "inverse"], dpars: ["mu", "sigma"] },
  multinomial: { links: ["logit"], dpars: ["mu"], extras: ["refcat"] },
  negbinomial: {
    links: ["log", "identity", "sqrt", "softplus", "squareplus"],
    dpars: ["mu", "shape"],
  },
  negbinomial2: {
    links: ["log", "identity", "sqrt", "softplus", "squareplus"],
    dpars: ["mu", "sigma"],
  },
  poisson: { links: ["log", "identity", "sqrt", "softplus", "squareplus"], dpars: ["mu"] },
  shifted_lognormal: { links: ["identity", "inverse"], dpars: ["mu", "sigma", "ndt"] },
  skew_normal: {
    links: [
      "identity",
      "log",
      "inverse",
      "softplus",
      "squareplus",
      "logit",
      "probit",
      "probit_approx",
      "cloglog",
      "cauchit",
      "softit",
    ],
    dpars: ["mu", "sigma", "alpha"],
  },
  sratio: {
    links: ["logit", "probit", "probit_approx", "cloglog", "cauchit"],
    dpars: ["mu", "disc"],
    extras: ["threshold"],
  },
  student: {
    links: [
      "identity",
      "log",
      "inverse",
      "softplus",
      "squareplus",
      "logit",
      "probit",
      "probit_approx",
      "cloglog",
      "cauchit",
      "softit",
    ],
    dpars: ["mu", "sigma", "nu"],
  },
  von_mises: { links: ["tan_half", "identity"], dpars: ["mu", "kappa"] },
  weibull: {
    links: ["log", "identity", "inverse", "softplus", "squareplus"],
    dpars: ["mu", "shape"],
  },
  wiener: {
    links: ["identity", "log", "softplus", "squareplus"],
    dpars: ["mu", "bs", "ndt", "bias"],
  },
  zero_inflated_asym_laplace: {
    links: ["identity", "log", "inverse", "softplus", "squareplus"],
    dpars: ["mu", "sigma", "quantile", "zi"],
  },
  zero_inflated_beta: {
    links: ["logit", "probit", "probit_approx", "cloglog", "cauchit", "softit", "identity", "log"],
    dpars: ["mu", "phi", "zi"],
  },
  zero_inflated_beta_binomial: {
    links: ["logit", "probit", "probit_approx", "cloglog", "cauchit", "softit", "identity", "log"],
    dpars: ["mu", "phi", "zi"],
  },
  zero_inflated_binomial: {
    links: ["logit", "probit", "probit_approx", "cloglog", "cauchit", "softit", "identity", "log"],
    dpars: ["mu", "zi"],
  },
  zero_inflated_negbinomial: {
    links: ["log", "identity", "sqrt", "softplus", "squareplus"],
    dpars: ["mu", "shape", "zi"],
  },
  zero_inflated_poisson: {
    links: ["log", "identity", "sqrt", "softplus", "squareplus"],
    dpars: ["mu", "zi"],
  },
  zero_one_inflated_beta: {
    links: ["logit", "probit", "probit_approx", "cloglog", "cauchit", "softit", "identity", "log"],
    dpars: ["mu", "phi", "zoi", "coi"],
  },
} as const;

/** Links allowed for each distributional parameter that has a `link_<dpar>` argument. */
export const DPAR_LINKS = {
  sigma: ["log", "identity", "softplus", "squareplus"],
  shape: ["log", "identity", "softplus", "squareplus"],
  nu: ["logm1", "identity"],
  phi: ["log", "identity", "softplus", "squareplus"],
  kappa: ["log", "identity", "softplus", "squareplus"],
  beta: ["log", "identity", "softplus", "squareplus"],
  zi: ["logit", "identity"],
  hu: ["logit", "identity"],
  zoi: ["logit", "identity"],
  coi: ["logit", "identity"],
  disc: ["log", "identity", "softplus", "squareplus"],
  bs: ["log", "identity", "softplus", "squareplus"],
  ndt: ["log", "identity", "softplus", "squareplus"],
  bias: ["logit", "identity"],
  xi: ["log1p", "identity"],
  alpha: ["identity", "log", "softplus", "squareplus"],
  quantile: ["logit", "identity"],
} as const;

/** Threshold types of ordinal families (`threshold` argument of `brms::brmsfamily()`). */
export const THRESHOLDS = ["flexible", "equidistant", "sum_to_zero"] as const;

/**
 * R family functions and the brms family each builds: brms's exported
 * constructors (including `Beta`, so named because of `base::beta`) and the
 * five stats families brms accepts.
 */
export const CONSTRUCTORS = {
  acat: "acat",
  asym_laplace: "asym_laplace",
  bernoulli: "bernoulli",
  Beta: "beta",
  beta_binomial: "beta_binomial",
  categorical: "categorical",
  cox: "cox",
  cratio: "cratio",
  cumulative: "cumulative",
  dirichlet: "dirichlet",
  exgaussian: "exgaussian",
  exponential: "exponential",
  frechet: "frechet",
  gen_extreme_value: "gen_extreme_value",
  geometric: "geometric",
  hurdle_gamma: "hurdle_gamma",
  hurdle_lognormal: "hurdle_lognormal",
  hurdle_negbinomial: "hurdle_negbinomial",
  hurdle_poisson: "hurdle_poisson",
  logistic_normal: "logistic_normal",
  lognormal: "lognormal",
  multinomial: "multinomial",
  negbinomial: "negbinomial",
  shifted_lognormal: "shifted_lognormal",
  skew_normal: "skew_normal",
  sratio: "sratio",
  student: "student",
  von_mises: "von_mises",
  weibull: "weibull",
  wiener: "wiener",
  zero_inflated_beta: "zero_inflated_beta",
  zero_inflated_beta_binomial: "zero_inflated_beta_binomial",
  zero_inflated_binomial: "zero_inflated_binomial",
  zero_inflated_negbinomial: "zero_inflated_negbinomial",
  zero_inflated_poisson: "zero_inflated_poisson",
  zero_one_inflated_beta: "zero_one_inflated_beta",
  "stats::gaussian": "gaussian",
  "stats::binomial": "binomial",
  "stats::poisson": "poisson",
  "stats::Gamma": "gamma",
  "stats::inverse.gaussian": "inverse.gaussian",
} as const;
