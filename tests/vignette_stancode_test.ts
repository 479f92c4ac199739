/**
 * What brms users write, against R: mvbind() as a left-hand side (brms_multivariate vignette),
 * threading() as a value (brms_threading vignette) and prior text deparsed the way brms's
 * prior() does. Stan code and Stan data compared byte for byte with Rscript running the R
 * users' code; nothing is compiled.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { rscript } from "./_rscript.ts";
import { rCode, shutdown } from "../worker/mod.ts";
import { getData, makeStancode, makeStandata } from "../brms/mod.ts";
import {
  bf,
  deparsePrior,
  mvbind,
  poisson,
  prior,
  priorString,
  setRescor,
  threading,
} from "../formula/mod.ts";
import type { DataFrame } from "../data/mod.ts";

/** Random prior text: calls of numbers, names, operators, with random spacing. */
const numberText = fc.oneof(
  fc.integer({ min: 0, max: 2_000_000 }).map(String),
  fc.double({ min: 1e-9, max: 1e9, noNaN: true }).map((x) => String(x)),
  fc.double({ min: 1e-9, max: 1e9, noNaN: true }).map((x) => x.toExponential()),
  fc.integer({ min: 0, max: 999 }).map((x) => `${x}.50`),
  fc.integer({ min: 0, max: 99 }).map((x) => `${x}L`),
  fc.integer({ min: 1, max: 999 }).map((x) => `.${x}`),
);
const sp = fc.constantFrom("", " ", "  ");
const atom: fc.Arbitrary<string> = fc.oneof(
  numberText,
  fc.constantFrom("a", "sigma_b", "x[1]", "b.2"),
  fc.tuple(fc.constantFrom("-", "+"), numberText).map(([s, n]) => s + n),
);
const expr: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: atom },
  {
    weight: 1,
    arbitrary: fc.tuple(atom, sp, fc.constantFrom("+", "-", "*", "/", "^"), sp, atom).map((p) =>
      p.join("")
    ),
  },
);
const priorText = fc.tuple(
  fc.constantFrom("normal", "student_t", "gamma", "lkj", "R2D2"),
  fc.array(fc.tuple(sp, expr, sp).map((p) => p.join("")), { minLength: 1, maxLength: 3 }),
).map(([f, args]) => `${f}(${args.join(",")})`);

const PRIOR_CORPUS = fc.sample(priorText, { numRuns: 1000, seed: 18 });

/** Data shaped like the vignette's BTdata (MCMCglmm is not installed), made by R on both sides. */
const BT_R = `local({ set.seed(1); n <- 60; data.frame(tarsus = rnorm(n), back = rnorm(n),
  sex = factor(sample(c("Fem", "Male"), n, TRUE)), hatchdate = rnorm(n),
  fosternest = factor(sample(1:10, n, TRUE)), dam = factor(sample(1:12, n, TRUE))) })`;
const MV_RHS = "~ sex + hatchdate + (1|p|fosternest) + (1|q|dam)";
const EPI = "count ~ zAge + zBase * Trt + (1|patient)";

/** R users' code for every comparison, one Rscript run; results as JSON. */
const R_CODE = `
BTdata <- ${BT_R}
data("epilepsy", package = "brms")
library(brms)
corpus <- jsonlite::fromJSON(${JSON.stringify(JSON.stringify(PRIOR_CORPUS))})
out <- list(
  mv = make_stancode(bf(mvbind(tarsus, back) ~ sex + hatchdate + (1|p|fosternest) + (1|q|dam)) +
    set_rescor(TRUE), data = BTdata),
  thr = make_stancode(count ~ zAge + zBase * Trt + (1|patient), data = epilepsy,
    family = poisson(), threads = threading(2, grainsize = 50, static = TRUE)),
  thr_grain = make_standata(count ~ zAge + zBase * Trt + (1|patient), data = epilepsy,
    family = poisson(), threads = threading(2, grainsize = 50, static = TRUE))$grainsize,
  pri = make_stancode(count ~ zAge + zBase * Trt + (1|patient), data = epilepsy,
    family = poisson(), prior = prior(normal(0,1), class = b) +
      prior(student_t(3,0,2.5), class = Intercept) + prior(exponential( 1 ), class = sd)),
  deparsed = vapply(corpus, function(x) brms:::deparse_no_string(str2lang(x)), "")
)
cat(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA))
`;

describe("brms users' code: mvbind, threading and prior text (Stan code against R)", () => {
  let r: {
    mv: string;
    thr: string;
    thr_grain: number;
    pri: string;
    deparsed: string[];
  };
  let epilepsy: DataFrame;
  before(async () => {
    r = JSON.parse(rscript(R_CODE));
    epilepsy = await getData("epilepsy");
  });
  after(async () => {
    await shutdown();
  });

  it("writes prior text the way brms's prior() deparses it, for 1000 random priors up to 60 characters", () => {
    assert.equal(r.deparsed.length, PRIOR_CORPUS.length);
    // Up to R's width.cutoff (60 characters); R wraps longer deparses (see deparsePrior).
    const short = PRIOR_CORPUS.map((x, i) => [x, deparsePrior(x), r.deparsed[i]])
      .filter(([, ts]) => ts.length <= 60);
    assert.ok(short.length > 300, `${short.length} short priors`);
    assert.deepEqual(short.filter(([, ts, want]) => ts !== want), []);
  });

  it("leaves Stan statements and text outside R's expression grammar as written", () => {
    for (const x of ["target += normal_lpdf(b | 0, 1)", "", "normal(0, 1", "a b", "f(1)\ng(2)"]) {
      assert.equal(deparsePrior(x), x);
    }
    assert.equal(prior("normal(0,1)", "b").prior, "normal(0, 1)");
    assert.equal(priorString("normal(0,1)", "b").prior, "normal(0,1)");
    assert.equal(
      String(priorString("normal(0,1)", "b")),
      'brms::set_prior("normal(0,1)", class = "b")',
    );
  });

  it("gives R users' Stan code for priors written without spaces", async () => {
    const code = await makeStancode({
      formula: EPI,
      data: epilepsy,
      family: poisson(),
      priors: [
        prior("normal(0,1)", "b"),
        { prior: "student_t(3,0,2.5)", class: "Intercept" },
        prior("exponential( 1 )", "sd"),
      ],
    });
    assert.equal(code, r.pri);
    const verbatim = await makeStancode({
      formula: EPI,
      data: epilepsy,
      family: poisson(),
      priors: [priorString("normal(0,1)", "b")],
    });
    assert.match(verbatim, /normal_lpdf\(b \| 0,1\)/);
  });

  it("binds responses with mvbind() as a value bf() takes (brms_multivariate)", async () => {
    const f = bf(mvbind("tarsus", "back"), MV_RHS).add(setRescor(true));
    assert.equal(
      String(f),
      "brms::bf(mvbind(tarsus, back) ~ sex + hatchdate + (1|p|fosternest) + (1|q|dam)) + " +
        "brms::set_rescor(TRUE)",
    );
    const code = await makeStancode({
      formula: f,
      data: rCode(BT_R),
    });
    assert.equal(code, r.mv);
  });

  it("gives threading(threads, { grainsize, static }) the Stan code and data R's threading() gives", async () => {
    const threads = threading(2, { grainsize: 50, static: true });
    assert.equal(String(threads), "brms::threading(2, grainsize = 50, static = TRUE)");
    const opts = { formula: EPI, data: epilepsy, family: poisson(), threads };
    assert.equal(await makeStancode(opts), r.thr);
    const sdata = await makeStandata(opts) as { grainsize: number };
    assert.equal(sdata.grainsize, r.thr_grain);
    assert.equal(r.thr_grain, 50);
  });
});
