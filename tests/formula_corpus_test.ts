/**
 * Corpus, part 1 (model structure): each model is written with the DSL and as brms R code, and
 * `makeStancode` must equal `make_stancode` from the R text byte for byte. Part 2: families.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { evalR, rCode, shutdown } from "../worker/mod.ts";
import { makeStancode, makeStandata, type StancodeOptions } from "../brms/postfit/stancode.ts";
import {
  acformula,
  bf,
  gaussian,
  lf,
  mvbf,
  mvbind,
  negbinomial,
  nlf,
  poisson,
  prior,
  setMecor,
  setNl,
  setRescor,
  student,
} from "../formula/mod.ts";
import { rString } from "../formula/render.ts";

/** Synthetic data, built by the same R expression on both sides. */
const D = `local({
  set.seed(20221)
  n <- 60
  data.frame(
    y = rnorm(n), y1 = rnorm(n), y2 = rnorm(n), x = rnorm(n), z = rnorm(n),
    g = factor(rep(1:6, 10)), h = factor(rep(1:10, each = 6)), time = rep(1:10, each = 6),
    f = factor(rep(c("a", "b"), 30)), sdx = runif(n, 0.1, 0.5), xo = rep(1:4, 15),
    cnt = rpois(n, 3), ymis = c(NA, rnorm(n - 1)), xmis = c(rnorm(n - 2), NA, NA)
  )
})`;
const data = rCode(D);
const epilepsy = rCode("brms::epilepsy");

/** Starting the worker can take several seconds; Bun's default test timeout is 5 s. */
const SLOW = { timeout: 120_000 };

interface Spec {
  name: string;
  dsl: () => StancodeOptions;
  r: string;
}

const CORPUS: Spec[] = [
  {
    name: "a Poisson model with a random intercept and a prior on the coefficients",
    dsl: () => ({
      formula: bf("count ~ zAge + zBase * Trt + (1 | patient)"),
      data: epilepsy,
      family: poisson(),
      priors: prior("normal(0, 1)", "b"),
    }),
    r: "count ~ zAge + zBase * Trt + (1 | patient), data = brms::epilepsy, family = poisson(), " +
      "prior = brms::prior(normal(0, 1), class = b)",
  },
  {
    name: "correlated random slopes with priors per group and on the correlation",
    dsl: () => ({
      formula: "count ~ zAge + (1 + zAge | patient) + (1 | visit)",
      data: epilepsy,
      family: "poisson",
      priors: [prior("exponential(1)", "sd", { group: "patient" }), prior("lkj(2)", "cor")],
    }),
    r: "count ~ zAge + (1 + zAge | patient) + (1 | visit), data = brms::epilepsy, " +
      "family = poisson(), prior = c(brms::prior(exponential(1), class = sd, group = patient), " +
      "brms::prior(lkj(2), class = cor))",
  },
  {
    name: "uncorrelated random effects written with ||",
    dsl: () => ({ formula: bf("y ~ x + (1 + x || g)"), data }),
    r: `y ~ x + (1 + x || g), data = ${D}`,
  },
  {
    name: "a correlation ID shared by the mean and sigma formulas",
    dsl: () => ({ formula: bf("y ~ x + (1 | p | g)", "sigma ~ x + (1 | p | g)"), data }),
    r: `brms::bf(y ~ x + (1 | p | g), sigma ~ x + (1 | p | g)), data = ${D}`,
  },
  {
    name: "a correlation ID shared by two responses with residual correlation",
    dsl: () => ({
      formula: bf("y1 ~ x + (1 | p | g)").add(bf("y2 ~ z + (1 | p | g)"), setRescor(true)),
      data,
    }),
    r: "brms::bf(y1 ~ x + (1 | p | g)) + brms::bf(y2 ~ z + (1 | p | g)) + " +
      `brms::set_rescor(TRUE), data = ${D}`,
  },
  {
    name: "random effects by a factor with gr() and a multi-membership term with mm()",
    dsl: () => ({ formula: bf("y ~ x + (1 | gr(g, by = f)) + (1 | mm(g, h))"), data }),
    r: `y ~ x + (1 | gr(g, by = f)) + (1 | mm(g, h)), data = ${D}`,
  },
  {
    name: "a distributional Student-t model with a prior on nu",
    dsl: () => ({
      formula: bf("y ~ x", "sigma ~ x"),
      data,
      family: student(),
      priors: prior("gamma(2, 0.1)", "nu"),
    }),
    r: `brms::bf(y ~ x, sigma ~ x), data = ${D}, family = brms::student(), ` +
      "prior = brms::prior(gamma(2, 0.1), class = nu)",
  },
  {
    name: "a sigma formula added with lf()",
    dsl: () => ({ formula: bf("y ~ x").add(lf("sigma ~ z + (1 | g)")), data }),
    r: `brms::bf(y ~ x) + brms::lf(sigma ~ z + (1 | g)), data = ${D}`,
  },
  {
    name: "a fixed distributional parameter",
    dsl: () => ({ formula: bf("y ~ x", { fixed: { sigma: 0.5 } }), data }),
    r: `brms::bf(y ~ x, sigma = 0.5), data = ${D}`,
  },
  {
    name: "a non-linear model written as a multi-line string with priors on the nlpars",
    dsl: () => ({
      formula: bf(
        `
        y ~ b1 * exp(b2 * x)
        b1 + b2 ~ 1 + (1 | g)
      `,
        { nl: true },
      ),
      data,
      priors: prior("normal(1, 2)", "b", { nlpar: "b1" }).add(
        prior("normal(0, 2)", "b", { nlpar: "b2", lb: -5, ub: 5 }),
      ),
    }),
    r: `brms::bf(y ~ b1 * exp(b2 * x), b1 + b2 ~ 1 + (1 | g), nl = TRUE), data = ${D}, ` +
      'prior = c(brms::prior(normal(1, 2), nlpar = "b1"), ' +
      'brms::prior(normal(0, 2), nlpar = "b2", lb = -5, ub = 5))',
  },
  {
    name: "a non-linear sigma formula with nlf() and lf()",
    dsl: () => ({
      formula: bf("y ~ x").add(nlf("sigma ~ a * exp(b * z)")).add(lf("a ~ 1", "b ~ 1")),
      data,
      priors: [
        prior("normal(0, 1)", "b", { nlpar: "a" }),
        prior("normal(0, 1)", "b", { nlpar: "b" }),
      ],
    }),
    r: `brms::bf(y ~ x) + brms::nlf(sigma ~ a * exp(b * z)) + brms::lf(a ~ 1, b ~ 1), data = ${D}, ` +
      "prior = brms::prior(normal(0, 1), nlpar = a) + brms::prior(normal(0, 1), nlpar = b)",
  },
  {
    name: "a formula made non-linear by set_nl()",
    dsl: () => ({
      formula: bf("y ~ a * exp(b * x)").add(lf("a ~ 1", "b ~ 1 + (1 | g)"), setNl()),
      data,
      priors: [prior("normal(0, 1)", { nlpar: "a" }), prior("normal(0, 1)", { nlpar: "b" })],
    }),
    r: `brms::bf(y ~ a * exp(b * x)) + brms::lf(a ~ 1, b ~ 1 + (1 | g)) + brms::set_nl(), ` +
      `data = ${D}, prior = c(brms::set_prior("normal(0, 1)", nlpar = "a"), ` +
      'brms::set_prior("normal(0, 1)", nlpar = "b"))',
  },
  {
    name: "a non-linear model without the loop over observations",
    dsl: () => ({
      formula: bf("y ~ b1 * x^b2", "b1 + b2 ~ 1", { nl: true, loop: false }),
      data,
      priors: prior("normal(0, 1)", "b", { nlpar: "b1" }).add(
        prior("normal(0, 1)", "b", { nlpar: "b2" }),
      ),
    }),
    r: `brms::bf(y ~ b1 * x^b2, b1 + b2 ~ 1, nl = TRUE, loop = FALSE), data = ${D}, ` +
      "prior = brms::prior(normal(0, 1), nlpar = b1) + brms::prior(normal(0, 1), nlpar = b2)",
  },
  {
    name: "uncentred predictors",
    dsl: () => ({ formula: bf("y ~ x + z", { center: false }), data }),
    r: `brms::bf(y ~ x + z, center = FALSE), data = ${D}`,
  },
  {
    name: "a QR decomposition of the design matrix",
    dsl: () => ({ formula: bf("y ~ x + z", { decomp: "QR" }), data }),
    r: `brms::bf(y ~ x + z, decomp = "QR"), data = ${D}`,
  },
  {
    name: "cell-mean coding switched off",
    dsl: () => ({ formula: bf("y ~ 0 + f", { cmc: false }), data }),
    r: `brms::bf(y ~ 0 + f, cmc = FALSE), data = ${D}`,
  },
  {
    name: "two responses without residual correlation, built by adding formulas",
    dsl: () => ({ formula: bf("y1 ~ x").add(bf("y2 ~ z")).add(setRescor(false)), data }),
    r: `brms::mvbf(y1 ~ x, y2 ~ z, rescor = FALSE), data = ${D}`,
  },
  {
    name: "two responses bound with mvbind() with residual correlation",
    dsl: () => ({
      formula: bf(`${mvbind("y1", "y2")} ~ x + (1 | p | g)`).add(setRescor(true)),
      data,
    }),
    r: `brms::bf(mvbind(y1, y2) ~ x + (1 | p | g)) + brms::set_rescor(TRUE), data = ${D}`,
  },
  {
    name: "two responses with different families and a prior for one response",
    dsl: () => ({
      formula: mvbf(bf("y ~ x").add(gaussian()), bf("cnt ~ x", { family: "poisson" }), {
        rescor: false,
      }),
      data,
      priors: prior("normal(0, 2)", "b", { resp: "cnt" }),
    }),
    r: "brms::bf(y ~ x, family = gaussian()) + brms::bf(cnt ~ x, family = poisson()) + " +
      `brms::set_rescor(FALSE), data = ${D}, prior = brms::prior(normal(0, 2), class = b, resp = cnt)`,
  },
  {
    name: "responses given as one multi-line string to mvbf()",
    dsl: () => ({ formula: mvbf("y1 ~ x\ny2 ~ x + z", { rescor: true }), data }),
    r: `brms::bf(y1 ~ x) + brms::bf(y2 ~ x + z) + brms::set_rescor(TRUE), data = ${D}`,
  },
  {
    name: "an autoregressive term of order 2",
    dsl: () => ({ formula: bf("y ~ x + ar(time, gr = g, p = 2)"), data }),
    r: `y ~ x + ar(time, gr = g, p = 2), data = ${D}`,
  },
  {
    name: "an ARMA term added with acformula()",
    dsl: () => ({
      formula: bf("y ~ x").add(acformula("~ arma(time, gr = g, p = 1, q = 1)")),
      data,
    }),
    r: `brms::bf(y ~ x, autocor = ~ arma(time, gr = g, p = 1, q = 1)), data = ${D}`,
  },
  {
    name: "an MA term given as the autocor option of bf()",
    dsl: () => ({ formula: bf("y ~ x", { autocor: "~ ma(time, gr = g)" }), data }),
    r: `y ~ x + ma(time, gr = g), data = ${D}`,
  },
  {
    name: "thin-plate splines with s(), one by a factor",
    dsl: () => ({ formula: bf("y ~ s(x) + s(z, by = f)"), data }),
    r: `y ~ s(x) + s(z, by = f), data = ${D}`,
  },
  {
    name: "a tensor-product smooth with t2()",
    dsl: () => ({ formula: bf("y ~ t2(x, z)"), data }),
    r: `y ~ t2(x, z), data = ${D}`,
  },
  {
    name: "a Gaussian process with gp()",
    dsl: () => ({ formula: bf("y ~ gp(x)"), data }),
    r: `y ~ gp(x), data = ${D}`,
  },
  {
    name: "an approximate two-dimensional Gaussian process",
    dsl: () => ({ formula: bf("y ~ gp(x, z, k = 5, c = 5/4)"), data }),
    r: `y ~ gp(x, z, k = 5, c = 5/4), data = ${D}`,
  },
  {
    name: "a monotonic effect with mo() and a Dirichlet prior on its simplex",
    dsl: () => ({
      formula: bf("y ~ mo(xo) + x"),
      data,
      priors: prior("dirichlet(2)", "simo", { coef: "moxo1" }),
    }),
    r: `y ~ mo(xo) + x, data = ${D}, ` +
      "prior = brms::prior(dirichlet(2), class = simo, coef = moxo1)",
  },
  {
    name: "missing values imputed during fitting with mi()",
    dsl: () => ({
      formula: bf("ymis | mi() ~ mi(xmis) + z").add(bf("xmis | mi() ~ z"), setRescor(false)),
      data,
    }),
    r: "brms::bf(ymis | mi() ~ mi(xmis) + z) + brms::bf(xmis | mi() ~ z) + " +
      `brms::set_rescor(FALSE), data = ${D}`,
  },
  {
    name: "a prior written as raw Stan code with check = FALSE",
    dsl: () => ({
      formula: bf("y ~ x"),
      data,
      priors: prior("target += normal_lpdf(b[1] | 0, 1)", { check: false }),
    }),
    r: `y ~ x, data = ${D}, ` +
      'prior = brms::set_prior("target += normal_lpdf(b[1] | 0, 1)", check = FALSE)',
  },
  {
    name: "priors on the intercept, sigma and one group-level coefficient",
    dsl: () => ({
      formula: bf("y ~ x + (1 + x | g)"),
      data,
      priors: [
        prior("student_t(3, 0, 2.5)", "Intercept"),
        prior("exponential(1)", "sigma"),
        prior("normal(0, 1)", "sd", { group: "g", coef: "x" }),
      ],
    }),
    r: `y ~ x + (1 + x | g), data = ${D}, prior = c(` +
      "brms::prior(student_t(3, 0, 2.5), class = Intercept), " +
      "brms::prior(exponential(1), class = sigma), " +
      "brms::prior(normal(0, 1), class = sd, group = g, coef = x))",
  },
  {
    name: "prior-only sampling without normalising constants",
    dsl: () => ({
      formula: bf("y ~ x"),
      data,
      priors: prior("normal(0, 1)", "b"),
      samplePrior: "only",
      normalize: false,
    }),
    r: `y ~ x, data = ${D}, prior = brms::prior(normal(0, 1), class = b), ` +
      'sample_prior = "only", normalize = FALSE',
  },
  {
    name: "within-chain threading",
    dsl: () => ({ formula: bf("count ~ Trt"), data: epilepsy, family: poisson(), threads: 2 }),
    r: "count ~ Trt, data = brms::epilepsy, family = poisson(), threads = brms::threading(2)",
  },
  {
    name: "extra Stan code through stanvars",
    dsl: () => ({
      formula: bf("y ~ x"),
      data,
      stanvars: rCode('brms::stanvar(scode = "real shift = 1;", block = "tdata")'),
    }),
    r: `y ~ x, data = ${D}, ` +
      'stanvars = brms::stanvar(scode = "real shift = 1;", block = "tdata")',
  },
  {
    name: "a family added to the formula like + family() in brms",
    dsl: () => ({ formula: bf("count ~ Trt + (1 | patient)").add(negbinomial()), data: epilepsy }),
    r: "brms::bf(count ~ Trt + (1 | patient)) + brms::negbinomial(), data = brms::epilepsy",
  },
  {
    name: "a formula, family and priors given as R code, priors also as plain objects",
    dsl: () => ({
      formula: rCode("count ~ Trt + (1 | patient)"),
      data: epilepsy,
      family: rCode("poisson()"),
      priors: [{ prior: "normal(0, 1)", class: "b" }, { prior: "exponential(2)", class: "sd" }],
    }),
    r: "count ~ Trt + (1 | patient), data = brms::epilepsy, family = poisson(), " +
      "prior = c(brms::prior(normal(0, 1), class = b), brms::prior(exponential(2), class = sd))",
  },
  {
    name: "an extra brms argument passed with its snake_case name",
    dsl: () => ({ formula: bf("y ~ x + (1 | g)"), data, dropUnusedLevels: false }),
    r: `y ~ x + (1 | g), data = ${D}, drop_unused_levels = FALSE`,
  },
];

describe("the DSL gives byte-identical Stan code to hand-written brms code (structure)", () => {
  after(() => shutdown());

  it("covers at least 35 model specifications in this part", () => {
    assert.ok(CORPUS.length >= 35, `only ${CORPUS.length}`);
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

  // After the corpus, since it attaches brms for the rest of this worker session: brms 2.18
  // evaluates me() terms in the formula's environment, so me() needs
  // brms attached (library(brms)), on the DSL side and the R side alike.
  it(
    "generates the same Stan code for a measurement-error term with me() once brms is attached",
    SLOW,
    async () => {
      await evalR("suppressPackageStartupMessages(library(brms))");
      const ours = await makeStancode({
        formula: bf("y ~ me(x, sdx) + z").add(setMecor(false)),
        data,
      });
      const theirs = await evalR(
        `as.character(brms::make_stancode(brms::bf(y ~ me(x, sdx) + z) + brms::set_mecor(FALSE), data = ${D}))`,
      );
      assert.ok(ours.includes("Xme_1"));
      assert.equal(ours, theirs);
    },
  );

  it("gives the same Stan data as make_standata for a non-linear model", SLOW, async () => {
    const spec = CORPUS.find((s) => s.name.startsWith("a non-linear model written"))!;
    const ours = await makeStandata(spec.dsl());
    const theirs = await evalR(`brms::make_standata(${spec.r})`, { convert: "value" });
    assert.deepEqual(ours, theirs);
    assert.equal((ours as { N: number }).N, 60);
  });

  it("writes R string literals that R reads back unchanged", SLOW, async () => {
    const tricky = ['a "quoted" \\ back\\slash', "tab\tnew\nline\r", "é ü ∑ 😀", "\u0001\u007f"];
    const back = await evalR(`c(${tricky.map(rString).join(", ")})`);
    assert.deepEqual(back, tricky);
  });
});
