/**
 * One function per family function exported by brms 2.18, named as in R (the
 * stats families are in `families_stats.ts`). Each takes the link, or an
 * options object with `link` and the `link<Dpar>` / `threshold` / `refcat` /
 * `bhaz` options of the family, typed from the table in `links.ts` and
 * checked at run time. All of them render as `brms::brmsfamily(...)`.
 * Families that brms only offers through `brmsfamily()` are available the
 * same way: `brmsfamily("com_poisson")`.
 *
 * @module
 */

import { type FamilyConstructor, familyConstructor as ctor } from "./brmsfamily.ts";

/**
 * The adjacent-category ordinal family.
 *
 * @example
 * ```ts
 * String(acat("probit")); // brms::brmsfamily("acat", link = "probit")
 * ```
 */
export const acat: FamilyConstructor<"acat"> = ctor("acat");

/**
 * The asymmetric Laplace (quantile regression) family.
 *
 * @example
 * ```ts
 * String(asym_laplace({ linkQuantile: "identity" })); // brms::brmsfamily("asym_laplace", link = "identity", link_quantile = "identity")
 * ```
 */
export const asym_laplace: FamilyConstructor<"asym_laplace"> = ctor("asym_laplace");

/**
 * The Bernoulli (binary responses) family.
 *
 * @example
 * ```ts
 * String(bernoulli("probit")); // brms::brmsfamily("bernoulli", link = "probit")
 * ```
 */
export const bernoulli: FamilyConstructor<"bernoulli"> = ctor("bernoulli");

/**
 * The beta (responses in (0, 1)); named `Beta` as in brms family.
 *
 * @example
 * ```ts
 * String(Beta()); // brms::brmsfamily("beta", link = "logit")
 * ```
 */
export const Beta: FamilyConstructor<"beta"> = ctor("beta");

/**
 * The beta-binomial (use with `| trials()`) family.
 *
 * @example
 * ```ts
 * String(beta_binomial({ linkPhi: "identity" })); // brms::brmsfamily("beta_binomial", link = "logit", link_phi = "identity")
 * ```
 */
export const beta_binomial: FamilyConstructor<"beta_binomial"> = ctor("beta_binomial");

/**
 * The categorical (unordered outcomes) family.
 *
 * @example
 * ```ts
 * String(categorical({ refcat: "b" })); // brms::brmsfamily("categorical", link = "logit", refcat = "b")
 * ```
 */
export const categorical: FamilyConstructor<"categorical"> = ctor("categorical");

/**
 * The Cox proportional hazards family.
 *
 * @example
 * ```ts
 * String(cox({ bhaz: { df: 3 } })); // brms::brmsfamily("cox", link = "log", bhaz = list(df = 3))
 * ```
 */
export const cox: FamilyConstructor<"cox"> = ctor("cox");

/**
 * The continuation-ratio ordinal family.
 *
 * @example
 * ```ts
 * String(cratio("cloglog")); // brms::brmsfamily("cratio", link = "cloglog")
 * ```
 */
export const cratio: FamilyConstructor<"cratio"> = ctor("cratio");

/**
 * The cumulative ordinal family.
 *
 * @example
 * ```ts
 * String(cumulative({ link: "probit", threshold: "equidistant" })); // brms::brmsfamily("cumulative", link = "probit", threshold = "equidistant")
 * ```
 */
export const cumulative: FamilyConstructor<"cumulative"> = ctor("cumulative");

/**
 * The Dirichlet (compositional responses) family.
 *
 * @example
 * ```ts
 * String(dirichlet()); // brms::brmsfamily("dirichlet", link = "logit")
 * ```
 */
export const dirichlet: FamilyConstructor<"dirichlet"> = ctor("dirichlet");

/**
 * The exponentially modified Gaussian family.
 *
 * @example
 * ```ts
 * String(exgaussian({ linkBeta: "identity" })); // brms::brmsfamily("exgaussian", link = "identity", link_beta = "identity")
 * ```
 */
export const exgaussian: FamilyConstructor<"exgaussian"> = ctor("exgaussian");

/**
 * The exponential family.
 *
 * @example
 * ```ts
 * String(exponential()); // brms::brmsfamily("exponential", link = "log")
 * ```
 */
export const exponential: FamilyConstructor<"exponential"> = ctor("exponential");

/**
 * The Fréchet family.
 *
 * @example
 * ```ts
 * String(frechet()); // brms::brmsfamily("frechet", link = "log")
 * ```
 */
export const frechet: FamilyConstructor<"frechet"> = ctor("frechet");

/**
 * The generalised extreme value family.
 *
 * @example
 * ```ts
 * String(gen_extreme_value({ linkXi: "identity" })); // brms::brmsfamily("gen_extreme_value", link = "identity", link_xi = "identity")
 * ```
 */
export const gen_extreme_value: FamilyConstructor<"gen_extreme_value"> = ctor("gen_extreme_value");

/**
 * The geometric family.
 *
 * @example
 * ```ts
 * String(geometric()); // brms::brmsfamily("geometric", link = "log")
 * ```
 */
export const geometric: FamilyConstructor<"geometric"> = ctor("geometric");

/**
 * The hurdle gamma family.
 *
 * @example
 * ```ts
 * String(hurdle_gamma()); // brms::brmsfamily("hurdle_gamma", link = "log")
 * ```
 */
export const hurdle_gamma: FamilyConstructor<"hurdle_gamma"> = ctor("hurdle_gamma");

/**
 * The hurdle log-normal family.
 *
 * @example
 * ```ts
 * String(hurdle_lognormal()); // brms::brmsfamily("hurdle_lognormal", link = "identity")
 * ```
 */
export const hurdle_lognormal: FamilyConstructor<"hurdle_lognormal"> = ctor("hurdle_lognormal");

/**
 * The hurdle negative binomial family.
 *
 * @example
 * ```ts
 * String(hurdle_negbinomial()); // brms::brmsfamily("hurdle_negbinomial", link = "log")
 * ```
 */
export const hurdle_negbinomial: FamilyConstructor<"hurdle_negbinomial"> = ctor(
  "hurdle_negbinomial",
);

/**
 * The hurdle Poisson family.
 *
 * @example
 * ```ts
 * String(hurdle_poisson({ linkHu: "identity" })); // brms::brmsfamily("hurdle_poisson", link = "log", link_hu = "identity")
 * ```
 */
export const hurdle_poisson: FamilyConstructor<"hurdle_poisson"> = ctor("hurdle_poisson");

/**
 * The logistic-normal (compositional responses) family.
 *
 * @example
 * ```ts
 * String(logistic_normal({ refcat: "a" })); // brms::brmsfamily("logistic_normal", link = "identity", refcat = "a")
 * ```
 */
export const logistic_normal: FamilyConstructor<"logistic_normal"> = ctor("logistic_normal");

/**
 * The log-normal family.
 *
 * @example
 * ```ts
 * String(lognormal()); // brms::brmsfamily("lognormal", link = "identity")
 * ```
 */
export const lognormal: FamilyConstructor<"lognormal"> = ctor("lognormal");

/**
 * The multinomial (use with `| trials()`) family.
 *
 * @example
 * ```ts
 * String(multinomial()); // brms::brmsfamily("multinomial", link = "logit")
 * ```
 */
export const multinomial: FamilyConstructor<"multinomial"> = ctor("multinomial");

/**
 * The negative binomial family.
 *
 * @example
 * ```ts
 * String(negbinomial("identity")); // brms::brmsfamily("negbinomial", link = "identity")
 * ```
 */
export const negbinomial: FamilyConstructor<"negbinomial"> = ctor("negbinomial");

/**
 * The shifted log-normal family.
 *
 * @example
 * ```ts
 * String(shifted_lognormal()); // brms::brmsfamily("shifted_lognormal", link = "identity")
 * ```
 */
export const shifted_lognormal: FamilyConstructor<"shifted_lognormal"> = ctor("shifted_lognormal");

/**
 * The skew normal family.
 *
 * @example
 * ```ts
 * String(skew_normal()); // brms::brmsfamily("skew_normal", link = "identity")
 * ```
 */
export const skew_normal: FamilyConstructor<"skew_normal"> = ctor("skew_normal");

/**
 * The stopping-ratio ordinal family.
 *
 * @example
 * ```ts
 * String(sratio()); // brms::brmsfamily("sratio", link = "logit")
 * ```
 */
export const sratio: FamilyConstructor<"sratio"> = ctor("sratio");

/**
 * The Student-t family.
 *
 * @example
 * ```ts
 * String(student({ linkNu: "identity" })); // brms::brmsfamily("student", link = "identity", link_nu = "identity")
 * ```
 */
export const student: FamilyConstructor<"student"> = ctor("student");

/**
 * The von Mises (circular responses) family.
 *
 * @example
 * ```ts
 * String(von_mises()); // brms::brmsfamily("von_mises", link = "tan_half")
 * ```
 */
export const von_mises: FamilyConstructor<"von_mises"> = ctor("von_mises");

/**
 * The Weibull family.
 *
 * @example
 * ```ts
 * String(weibull()); // brms::brmsfamily("weibull", link = "log")
 * ```
 */
export const weibull: FamilyConstructor<"weibull"> = ctor("weibull");

/**
 * The Wiener diffusion (use with `| dec()`) family.
 *
 * @example
 * ```ts
 * String(wiener()); // brms::brmsfamily("wiener", link = "identity")
 * ```
 */
export const wiener: FamilyConstructor<"wiener"> = ctor("wiener");

/**
 * The zero-inflated beta family.
 *
 * @example
 * ```ts
 * String(zero_inflated_beta()); // brms::brmsfamily("zero_inflated_beta", link = "logit")
 * ```
 */
export const zero_inflated_beta: FamilyConstructor<"zero_inflated_beta"> = ctor(
  "zero_inflated_beta",
);

/**
 * The zero-inflated beta-binomial family.
 *
 * @example
 * ```ts
 * String(zero_inflated_beta_binomial()); // brms::brmsfamily("zero_inflated_beta_binomial", link = "logit")
 * ```
 */
export const zero_inflated_beta_binomial: FamilyConstructor<"zero_inflated_beta_binomial"> = ctor(
  "zero_inflated_beta_binomial",
);

/**
 * The zero-inflated binomial family.
 *
 * @example
 * ```ts
 * String(zero_inflated_binomial()); // brms::brmsfamily("zero_inflated_binomial", link = "logit")
 * ```
 */
export const zero_inflated_binomial: FamilyConstructor<"zero_inflated_binomial"> = ctor(
  "zero_inflated_binomial",
);

/**
 * The zero-inflated negative binomial family.
 *
 * @example
 * ```ts
 * String(zero_inflated_negbinomial()); // brms::brmsfamily("zero_inflated_negbinomial", link = "log")
 * ```
 */
export const zero_inflated_negbinomial: FamilyConstructor<"zero_inflated_negbinomial"> = ctor(
  "zero_inflated_negbinomial",
);

/**
 * The zero-inflated Poisson family.
 *
 * @example
 * ```ts
 * String(zero_inflated_poisson({ linkZi: "identity" })); // brms::brmsfamily("zero_inflated_poisson", link = "log", link_zi = "identity")
 * ```
 */
export const zero_inflated_poisson: FamilyConstructor<"zero_inflated_poisson"> = ctor(
  "zero_inflated_poisson",
);

/**
 * The zero-one-inflated beta family.
 *
 * @example
 * ```ts
 * String(zero_one_inflated_beta()); // brms::brmsfamily("zero_one_inflated_beta", link = "logit")
 * ```
 */
export const zero_one_inflated_beta: FamilyConstructor<"zero_one_inflated_beta"> = ctor(
  "zero_one_inflated_beta",
);
