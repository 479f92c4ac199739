/**
 * Corpus, part 2 (families and addition terms): each model is written with the DSL and as
 * hand-written brms R code; the Stan code from `makeStancode` must be byte-identical to
 * `make_stancode` evaluated from the R text.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { evalR, rCode, shutdown } from "../worker/mod.ts";
import { makeStancode, type StancodeOptions } from "../brms/postfit/stancode.ts";
import {
  acat,
  asym_laplace,
  bernoulli,
  Beta,
  beta_binomial,
  bf,
  binomial,
  brmsfamily,
  categorical,
  cox,
  cratio,
  cumulative,
  dirichlet,
  exgaussian,
  frechet,
  Gamma,
  gaussian,
  gen_extreme_value,
  geometric,
  hurdle_gamma,
  hurdle_lognormal,
  hurdle_negbinomial,
  hurdle_poisson,
  inverse_gaussian,
  lognormal,
  mixture,
  multinomial,
  negbinomial,
  poisson,
  prior,
  shifted_lognormal,
  skew_normal,
  sratio,
  student,
  von_mises,
  weibull,
  wiener,
  zero_inflated_beta,
  zero_inflated_binomial,
  zero_inflated_negbinomial,
  zero_inflated_poisson,
  zero_one_inflated_beta,
} from "../formula/mod.ts";

/** Synthetic data, built by the same R expression on both sides. */
const D = `local({
  set.seed(20222)
  n <- 60
  d <- data.frame(
    y = rnorm(n), x = rnorm(n), z = rnorm(n), g = factor(rep(1:6, 10)),
    w = runif(n, 0.5, 2), sey = runif(n, 0.1, 1), cnt = rpois(n, 3), expo = runif(n, 1, 3),
    ntr = 10L, k = rbinom(n, 10, 0.3), yb = rbinom(n, 1, 0.5), ypos = exp(rnorm(n)),
    yprop = plogis(rnorm(n)), yzi = c(0, 0, plogis(rnorm(n - 2))),
    yzo = c(0, 1, plogis(rnorm(n - 2))), ycat = factor(rep(c("a", "b", "c"), 20)),
    yang = runif(n, -3, 3), rt = runif(n, 0.3, 2), dec = rbinom(n, 1, 0.5)
  )
  p <- matrix(rexp(3 * n), n, dimnames = list(NULL, c("a", "b", "c")))
  d$P <- p / rowSums(p)
  d$C <- matrix(rpois(3 * n, 5), n, dimnames = list(NULL, c("a", "b", "c")))
  d$size <- rowSums(d$C)
  d
})`;
const data = rCode(D);
const kidney = rCode("brms::kidney");
const inhaler = rCode("brms::inhaler");

/** Starting the worker can take several seconds; Bun's default test timeout is 5 s. */
const SLOW = { timeout: 120_000 };

interface Spec {
  name: string;
  dsl: () => StancodeOptions;
  r: string;
}

/** A spec on the synthetic data: formula text, DSL family, R arguments after the data. */
const simple = (name: string, formula: string, family: () => unknown, rFamily: string): Spec => ({
  name,
  dsl: () => ({ formula: bf(formula), data, family: family() as StancodeOptions["family"] }),
  r: `${formula}, data = ${D}, family = ${rFamily}`,
});

const CORPUS: Spec[] = [
  simple(
    "a Bernoulli model with a probit link",
    "yb ~ x",
    () => bernoulli("probit"),
    'brms::bernoulli("probit")',
  ),
  simple("a binomial model with | trials()", "k | trials(ntr) ~ x", () => binomial(), "binomial()"),
  simple(
    "a beta-binomial model with | trials()",
    "k | trials(ntr) ~ x",
    () => beta_binomial({ linkPhi: "softplus" }),
    'brms::beta_binomial(link_phi = "softplus")',
  ),
  simple(
    "a Poisson model with an exposure through | rate()",
    "cnt | rate(expo) ~ x",
    () => poisson(),
    "poisson()",
  ),
  {
    name: "a negative binomial model with a shape formula",
    dsl: () => ({ formula: bf("cnt ~ x", "shape ~ z"), data, family: negbinomial() }),
    r: `brms::bf(cnt ~ x, shape ~ z), data = ${D}, family = brms::negbinomial()`,
  },
  simple(
    "a geometric model with a square-root link",
    "cnt ~ x",
    () => geometric("sqrt"),
    'brms::geometric("sqrt")',
  ),
  simple(
    "a Conway-Maxwell-Poisson model",
    "cnt ~ x",
    () => brmsfamily("com_poisson"),
    'brms::brmsfamily("com_poisson")',
  ),
  simple(
    "a discrete Weibull model",
    "cnt ~ x",
    () => brmsfamily("discrete_weibull"),
    'brms::brmsfamily("discrete_weibull")',
  ),
  simple(
    "a negbinomial2 model",
    "cnt ~ x",
    () => brmsfamily("negbinomial2"),
    'brms::brmsfamily("negbinomial2")',
  ),
  simple("a Gaussian model with | weights()", "y | weights(w) ~ x", () => gaussian(), "gaussian()"),
  simple(
    "a meta-analytic model with | se()",
    "y | se(sey, sigma = TRUE) ~ x + (1 | g)",
    () => "gaussian",
    "gaussian()",
  ),
  simple(
    "a truncated log-normal model with | trunc()",
    "ypos | trunc(lb = 0, ub = 10) ~ x",
    () => lognormal(),
    "brms::lognormal()",
  ),
  {
    name: "a censored Weibull survival model with | cens() and a random intercept",
    dsl: () => ({
      formula: bf("time | cens(censored) ~ age + sex + (1 | patient)"),
      data: kidney,
      family: weibull(),
    }),
    r: "time | cens(censored) ~ age + sex + (1 | patient), data = brms::kidney, family = brms::weibull()",
  },
  {
    name: "a Cox model with a baseline hazard of 3 degrees of freedom",
    dsl: () => ({
      formula: "time | cens(censored) ~ age + sex",
      data: kidney,
      family: cox({ bhaz: { df: 3 } }),
    }),
    r: "time | cens(censored) ~ age + sex, data = brms::kidney, family = brms::cox(bhaz = list(df = 3))",
  },
  simple(
    "a gamma model with an identity link",
    "ypos ~ x",
    () => Gamma("identity"),
    'Gamma("identity")',
  ),
  simple("an inverse Gaussian model", "ypos ~ x", () => inverse_gaussian(), "inverse.gaussian()"),
  simple(
    "an exponentially modified Gaussian model",
    "ypos ~ x",
    () => exgaussian(),
    "brms::exgaussian()",
  ),
  simple(
    "a shifted log-normal model",
    "ypos ~ x",
    () => shifted_lognormal(),
    "brms::shifted_lognormal()",
  ),
  simple("a Fréchet model", "ypos ~ x", () => frechet(), "brms::frechet()"),
  simple(
    "a generalised extreme value model",
    "y ~ x",
    () => gen_extreme_value(),
    "brms::gen_extreme_value()",
  ),
  simple(
    "a skew normal model with an identity link for sigma",
    "y ~ x",
    () => skew_normal({ linkSigma: "identity" }),
    'brms::skew_normal(link_sigma = "identity")',
  ),
  simple(
    "a Student-t model with an identity link for nu",
    "y ~ x",
    () => student({ linkNu: "identity" }),
    'brms::student(link_nu = "identity")',
  ),
  {
    name: "a quantile regression with the asymmetric Laplace family and a fixed quantile",
    dsl: () => ({
      formula: bf("y ~ x", { fixed: { quantile: 0.25 } }),
      data,
      family: asym_laplace(),
    }),
    r: `brms::bf(y ~ x, quantile = 0.25), data = ${D}, family = brms::asym_laplace()`,
  },
  simple("a von Mises model for angles", "yang ~ x", () => von_mises(), "brms::von_mises()"),
  {
    name: "a Wiener diffusion model with | dec() and a boundary-separation formula",
    dsl: () => ({ formula: bf("rt | dec(dec) ~ x", "bs ~ z"), data, family: wiener() }),
    r: `brms::bf(rt | dec(dec) ~ x, bs ~ z), data = ${D}, family = brms::wiener()`,
  },
  {
    name: "a beta model with a precision formula",
    dsl: () => ({ formula: bf("yprop ~ x", "phi ~ z"), data, family: Beta() }),
    r: `brms::bf(yprop ~ x, phi ~ z), data = ${D}, family = brms::Beta()`,
  },
  simple(
    "a zero-inflated beta model",
    "yzi ~ x",
    () => zero_inflated_beta(),
    "brms::zero_inflated_beta()",
  ),
  simple(
    "a zero-one-inflated beta model",
    "yzo ~ x",
    () => zero_one_inflated_beta(),
    "brms::zero_one_inflated_beta()",
  ),
  {
    name: "a zero-inflated Poisson model with a zi formula",
    dsl: () => ({ formula: bf("cnt ~ x", "zi ~ z"), data, family: zero_inflated_poisson() }),
    r: `brms::bf(cnt ~ x, zi ~ z), data = ${D}, family = brms::zero_inflated_poisson()`,
  },
  simple(
    "a zero-inflated negative binomial model",
    "cnt ~ x + (1 | g)",
    () => zero_inflated_negbinomial(),
    "brms::zero_inflated_negbinomial()",
  ),
  simple(
    "a zero-inflated binomial model",
    "k | trials(ntr) ~ x",
    () => zero_inflated_binomial(),
    "brms::zero_inflated_binomial()",
  ),
  {
    name: "a hurdle Poisson model with a hu formula",
    dsl: () => ({ formula: bf("cnt ~ x", "hu ~ z"), data, family: hurdle_poisson() }),
    r: `brms::bf(cnt ~ x, hu ~ z), data = ${D}, family = brms::hurdle_poisson()`,
  },
  simple(
    "a hurdle negative binomial model",
    "cnt ~ x",
    () => hurdle_negbinomial(),
    "brms::hurdle_negbinomial()",
  ),
  simple("a hurdle gamma model", "ypos ~ x", () => hurdle_gamma(), "brms::hurdle_gamma()"),
  simple(
    "a hurdle log-normal model with an identity link for hu",
    "ypos ~ x",
    () => hurdle_lognormal({ linkHu: "identity" }),
    'brms::hurdle_lognormal(link_hu = "identity")',
  ),
  {
    name: "a cumulative probit model with a random intercept",
    dsl: () => ({
      formula: bf("rating ~ treat + period + carry + (1 | subject)"),
      data: inhaler,
      family: cumulative("probit"),
      priors: prior("normal(0, 5)", "Intercept"),
    }),
    r: "rating ~ treat + period + carry + (1 | subject), data = brms::inhaler, " +
      'family = brms::cumulative("probit"), prior = brms::prior(normal(0, 5), class = Intercept)',
  },
  {
    name: "an adjacent-category model with a category-specific effect cs()",
    dsl: () => ({
      formula: bf("rating ~ period + carry + cs(treat)"),
      data: inhaler,
      family: acat(),
    }),
    r: "rating ~ period + carry + cs(treat), data = brms::inhaler, family = brms::acat()",
  },
  {
    name: "a stopping-ratio model with equidistant thresholds",
    dsl: () => ({
      formula: bf("rating ~ treat"),
      data: inhaler,
      family: sratio({ threshold: "equidistant" }),
    }),
    r: 'rating ~ treat, data = brms::inhaler, family = brms::sratio(threshold = "equidistant")',
  },
  {
    name: "a continuation-ratio model with a cloglog link",
    dsl: () => ({ formula: bf("rating ~ treat"), data: inhaler, family: cratio("cloglog") }),
    r: 'rating ~ treat, data = brms::inhaler, family = brms::cratio("cloglog")',
  },
  simple(
    "a categorical model with a chosen reference category",
    "ycat ~ x",
    () => categorical({ refcat: "b" }),
    'brms::categorical(refcat = "b")',
  ),
  simple("a Dirichlet model for proportions", "P ~ x", () => dirichlet(), "brms::dirichlet()"),
  simple(
    "a multinomial model with | trials()",
    "C | trials(size) ~ x",
    () => multinomial(),
    "brms::multinomial()",
  ),
  {
    name: "a two-component Gaussian mixture with priors on each component's intercept",
    dsl: () => ({
      formula: bf("y ~ x"),
      data,
      family: mixture(gaussian(), gaussian()),
      priors: [
        prior("normal(-1, 1)", "Intercept", { dpar: "mu1" }),
        prior("normal(1, 1)", "Intercept", { dpar: "mu2" }),
      ],
    }),
    r: `y ~ x, data = ${D}, family = brms::mixture(gaussian, gaussian), prior = c(` +
      "brms::prior(normal(-1, 1), Intercept, dpar = mu1), " +
      "brms::prior(normal(1, 1), Intercept, dpar = mu2))",
  },
  {
    name: "a mixture of different families with a formula for the mixing proportion",
    dsl: () => ({
      formula: bf("y ~ x", "theta2 ~ z"),
      data,
      family: mixture("gaussian", student()),
    }),
    r: `brms::bf(y ~ x, theta2 ~ z), data = ${D}, family = brms::mixture(gaussian(), brms::student())`,
  },
  {
    name: "a mixture from nmix without ordering",
    dsl: () => ({
      formula: bf("cnt ~ x"),
      data,
      family: mixture(poisson(), { nmix: 2, order: "none" }),
    }),
    r: `cnt ~ x, data = ${D}, family = brms::mixture(poisson, nmix = 2, order = "none")`,
  },
];

describe("the DSL gives byte-identical Stan code to hand-written brms code (families)", () => {
  after(() => shutdown());

  it("covers at least 40 model specifications in this part", () => {
    assert.ok(CORPUS.length >= 40, `only ${CORPUS.length}`);
    assert.equal(new Set(CORPUS.map((s) => s.name)).size, CORPUS.length);
  });

  for (const spec of CORPUS) {
    it(`generates the same Stan code for ${spec.name}`, SLOW, async () => {
      const ours = await makeStancode(spec.dsl());
      const theirs = await evalR(`as.character(brms::make_stancode(${spec.r}))`);
      assert.equal(typeof ours, "string");
      assert.ok(ours.includes("model {"));
      assert.equal(ours, theirs);
    });
  }
});
