/**
 * Pure TypeScript: the R code the DSL renders, JSON round trips and escaping.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  acformula,
  add,
  Beta,
  bf,
  brmsfamily,
  categorical,
  cox,
  cumulative,
  Family,
  fromJSON,
  Gamma,
  gaussian,
  hurdle_poisson,
  inverse_gaussian,
  lf,
  mixture,
  mvbf,
  mvbind,
  nlf,
  poisson,
  prior,
  PriorList,
  priors,
  setMecor,
  setNl,
  setRescor,
  skew_normal,
  student,
  von_mises,
  zero_inflated_poisson,
} from "../formula/mod.ts";
import { camelToSnake, rString, rValue } from "../formula/render.ts";

describe("formulas render as calls to brms's bf, lf and nlf", () => {
  it("renders a plain formula verbatim inside brms::bf()", () => {
    assert.equal(String(bf("y ~ x + (1 | g)")), "brms::bf(y ~ x + (1 | g))");
  });

  it("renders distributional sub-formulas as further arguments", () => {
    assert.equal(String(bf("y ~ x", "sigma ~ x")), "brms::bf(y ~ x, sigma ~ x)");
  });

  it("renders every bf option under brms's argument name, in brms's order", () => {
    const f = bf("y ~ x", {
      decomp: "QR",
      sparse: false,
      cmc: false,
      center: false,
      loop: false,
      nl: false,
      autocor: "~ ar(time)",
      family: poisson(),
      fixed: { sigma: 2, sigma2: "sigma1" },
    });
    assert.equal(
      String(f),
      'brms::bf(y ~ x, sigma = 2, sigma2 = "sigma1", ' +
        'family = brms::brmsfamily("poisson", link = "log"), autocor = ~ ar(time), ' +
        'nl = FALSE, loop = FALSE, center = FALSE, cmc = FALSE, sparse = FALSE, decomp = "QR")',
    );
  });

  it("splits a multi-line formula string into the main formula and parameter formulas", () => {
    const f = bf(
      `
      y ~ b1 * exp(b2 * x)   # the model
      b1 ~ 1 +
        (1 | g)
      b2 ~ 1
    `,
      { nl: true },
    );
    assert.equal(f.formula, "y ~ b1 * exp(b2 * x)");
    assert.deepEqual(f.pforms, ["b1 ~ 1 + (1 | g)", "b2 ~ 1"]);
    assert.equal(String(f), "brms::bf(y ~ b1 * exp(b2 * x), b1 ~ 1 + (1 | g), b2 ~ 1, nl = TRUE)");
  });

  it("keeps a line that continues an open bracket with the formula it belongs to", () => {
    const f = bf("y ~ s(x,\n  k = 5) +\n  z\nsigma ~ z");
    assert.deepEqual([f.formula, ...(f.pforms ?? [])], ["y ~ s(x, k = 5) + z", "sigma ~ z"]);
  });

  it("renders lf() and nlf() with their options", () => {
    assert.equal(
      String(
        lf("a ~ 1", "b ~ 1 + (1 | g)", { resp: "y", center: false, cmc: false, decomp: "QR" }),
      ),
      'brms::lf(a ~ 1, b ~ 1 + (1 | g), resp = "y", center = FALSE, cmc = FALSE, decomp = "QR")',
    );
    assert.equal(
      String(nlf("sigma ~ a * exp(b * x)", { resp: "y", loop: false })),
      'brms::nlf(sigma ~ a * exp(b * x), resp = "y", loop = FALSE)',
    );
  });

  it("renders lf() and nlf() given inside bf() as arguments of brms::bf()", () => {
    assert.equal(
      String(bf("y ~ a", lf("a ~ x", { cmc: false }), { nl: true })),
      "brms::bf(y ~ a, brms::lf(a ~ x, cmc = FALSE), nl = TRUE)",
    );
  });
});

describe("composition renders brms's + between the terms", () => {
  it("adds nlf(), lf() and a family with the method", () => {
    const f = bf("y ~ 1").add(nlf("sigma ~ a * exp(b * x)")).add(lf("a ~ 1", "b ~ 1"))
      .add(student());
    assert.equal(
      String(f),
      "brms::bf(y ~ 1) + brms::nlf(sigma ~ a * exp(b * x)) + brms::lf(a ~ 1, b ~ 1) + " +
        'brms::brmsfamily("student", link = "identity")',
    );
  });

  it("gives the same tree from the variadic function as from chained methods", () => {
    const chained = bf("y1 ~ x").add(bf("y2 ~ x")).add(setRescor(false));
    const variadic = add(bf("y1 ~ x"), bf("y2 ~ x"), setRescor(false));
    assert.deepEqual(JSON.parse(JSON.stringify(chained)), JSON.parse(JSON.stringify(variadic)));
    assert.equal(String(variadic), "brms::bf(y1 ~ x) + brms::bf(y2 ~ x) + brms::set_rescor(FALSE)");
  });

  it("parenthesises a sum added as a term so R evaluates it first", () => {
    const f = bf("y1 ~ x").add(bf("y2 ~ x").add(lf("sigma ~ x")));
    assert.equal(String(f), "brms::bf(y1 ~ x) + (brms::bf(y2 ~ x) + brms::lf(sigma ~ x))");
  });

  it("renders acformula, set_mecor and set_nl terms", () => {
    const f = bf("y ~ me(x, sdx)").add(
      acformula("~ arma(time, gr = g, p = 1, q = 1)", { resp: "y" }),
      setMecor(false),
      setNl(true, { dpar: "sigma", resp: "y" }),
    );
    assert.equal(
      String(f),
      "brms::bf(y ~ me(x, sdx)) + " +
        'brms::acformula(~ arma(time, gr = g, p = 1, q = 1), resp = "y") + ' +
        'brms::set_mecor(FALSE) + brms::set_nl(TRUE, dpar = "sigma", resp = "y")',
    );
  });

  it("renders mvbf() with formulas, bf() values and rescor", () => {
    const f = mvbf("y1 ~ x\ny2 ~ z", bf("y3 ~ w", "sigma ~ w"), { rescor: false });
    assert.equal(
      String(f),
      "brms::mvbf(y1 ~ x, y2 ~ z, brms::bf(y3 ~ w, sigma ~ w), rescor = FALSE)",
    );
  });

  it("builds mvbind() formula text from response names", () => {
    assert.equal(String(mvbind("tarsus", "back")), "mvbind(tarsus, back)");
    assert.equal(
      String(bf(mvbind("tarsus", "back"), "~ sex")),
      "brms::bf(mvbind(tarsus, back) ~ sex)",
    );
    assert.equal(
      String(bf(`${mvbind("tarsus", "back")} ~ sex`).add(setRescor(true))),
      "brms::bf(mvbind(tarsus, back) ~ sex) + brms::set_rescor(TRUE)",
    );
  });
});

describe("families render as brms::brmsfamily() with an explicit link", () => {
  it("fills in brms's default link", () => {
    assert.equal(String(poisson()), 'brms::brmsfamily("poisson", link = "log")');
    assert.equal(
      String(inverse_gaussian()),
      'brms::brmsfamily("inverse.gaussian", link = "1/mu^2")',
    );
    assert.equal(String(von_mises()), 'brms::brmsfamily("von_mises", link = "tan_half")');
  });

  it("maps camelCase link options to brms's link_<dpar> arguments", () => {
    assert.equal(
      String(skew_normal({ link: "log", linkSigma: "identity", linkAlpha: "softplus" })),
      'brms::brmsfamily("skew_normal", link = "log", link_sigma = "identity", ' +
        'link_alpha = "softplus")',
    );
    assert.equal(
      String(hurdle_poisson({ linkHu: "identity" })),
      'brms::brmsfamily("hurdle_poisson", link = "log", link_hu = "identity")',
    );
  });

  it("renders threshold, refcat (null as NA) and bhaz", () => {
    assert.equal(
      String(cumulative({ link: "probit", linkDisc: "softplus", threshold: "sum_to_zero" })),
      'brms::brmsfamily("cumulative", link = "probit", link_disc = "softplus", ' +
        'threshold = "sum_to_zero")',
    );
    assert.equal(
      String(categorical({ refcat: null })),
      'brms::brmsfamily("categorical", link = "logit", refcat = NA)',
    );
    assert.equal(
      String(cox({ bhaz: { df: 3, intercept: false } })),
      'brms::brmsfamily("cox", link = "log", bhaz = list(df = 3, intercept = FALSE))',
    );
  });

  it("accepts brms's alternative family spellings and canonicalises them", () => {
    assert.equal(String(brmsfamily("zi_poisson")), String(zero_inflated_poisson()));
    assert.equal(String(brmsfamily("normal")), String(gaussian()));
    assert.equal(String(brmsfamily("Gamma", "identity")), String(Gamma("identity")));
    assert.equal(String(brmsfamily("Beta")), String(Beta()));
  });

  it("renders mixtures with nmix and order", () => {
    assert.equal(
      String(mixture(gaussian(), "student", { nmix: [2, 1], order: false })),
      'brms::mixture(brms::brmsfamily("gaussian", link = "identity"), ' +
        'brms::brmsfamily("student", link = "identity"), nmix = c(2, 1), order = FALSE)',
    );
  });

  it("adds a family given by name to a formula through bf()", () => {
    assert.equal(
      String(bf("y ~ x", { family: "negbinomial" })),
      'brms::bf(y ~ x, family = brms::brmsfamily("negbinomial", link = "log"))',
    );
  });
});

describe("priors render as brms::set_prior() combined with +", () => {
  it("renders the class positionally given and options by brms's names", () => {
    assert.equal(
      String(prior("normal(0, 1)", "b", { coef: "x", resp: "y", dpar: "sigma" })),
      'brms::set_prior("normal(0, 1)", class = "b", coef = "x", resp = "y", dpar = "sigma")',
    );
    assert.equal(
      String(prior("uniform(0, 10)", { class: "b", nlpar: "a", lb: 0, ub: "10" })),
      'brms::set_prior("uniform(0, 10)", class = "b", nlpar = "a", lb = 0, ub = "10")',
    );
  });

  it("combines priors from methods, arrays, plain objects and priors() into one list", () => {
    const a = prior("normal(0, 1)", "b");
    const b = prior("exponential(1)", "sd", { group: "g" });
    const c = prior("lkj(2)", "cor");
    const expected = 'brms::set_prior("normal(0, 1)", class = "b") + ' +
      'brms::set_prior("exponential(1)", class = "sd", group = "g") + ' +
      'brms::set_prior("lkj(2)", class = "cor")';
    assert.equal(String(a.add(b).add(c)), expected);
    assert.equal(String(priors([a, [b]], c)), expected);
    assert.equal(String(a.add([b, c])), expected);
    const plain = priors({ prior: "normal(0, 1)", class: "b" }, [
      { prior: "exponential(1)", class: "sd", group: "g" },
      c,
    ]);
    assert.equal(String(plain), expected);
    assert.equal(String(priors()), "NULL");
  });

  it("escapes quotes, backslashes and newlines in prior code", () => {
    assert.equal(
      String(prior('target += normal_lpdf(b | 0, "1") \\\n', { check: false })),
      'brms::set_prior("target += normal_lpdf(b | 0, \\"1\\") \\\\\\n", check = FALSE)',
    );
  });
});

describe("R literals", () => {
  it("escapes control and non-ASCII characters so the code is plain ASCII", () => {
    assert.equal(rString("a\tb\u0001é😀"), '"a\\tb\\x01\\u{e9}\\U{1f600}"');
  });

  it("renders numbers, booleans, null, vectors and named lists", () => {
    assert.equal(rValue([1.5, -Infinity, NaN]), "c(1.5, -Inf, NaN)");
    assert.equal(
      rValue({ a: true, "b c": null, d: [] }),
      "list(a = TRUE, `b c` = NULL, d = list())",
    );
  });

  it("converts camelCase option names to snake_case argument names", () => {
    assert.equal(camelToSnake("dropUnusedLevels"), "drop_unused_levels");
    assert.equal(camelToSnake("samplePrior"), "sample_prior");
  });
});

describe("trees are plain JSON and fromJSON revives them", () => {
  it("serialises a formula sum to a plain tree", () => {
    const f = bf("y ~ x", "sigma ~ x").add(student({ linkNu: "identity" }));
    assert.deepEqual(JSON.parse(JSON.stringify(f)), {
      kind: "formulasum",
      terms: [
        { kind: "brmsformula", formula: "y ~ x", pforms: ["sigma ~ x"] },
        { kind: "brmsfamily", family: "student", link: "identity", links: { nu: "identity" } },
      ],
    });
  });

  it("revives every kind of tree to the same R code", () => {
    const trees = [
      bf("y ~ a", lf("a ~ x"), { nl: true, family: mixture("gaussian", "gaussian") }),
      bf("y1 ~ x").add(bf("y2 ~ x").add(lf("sigma ~ x")), setRescor(false), setMecor(true)),
      mvbf("y1 ~ x", bf("y2 ~ x", { autocor: acformula("~ ar(t)") })).add(setNl(false)),
      bf("y ~ 1").add(nlf("sigma ~ a * x", { loop: false }), cox({ bhaz: { df: 4 } })),
      prior("normal(0, 1)", "b", { lb: 0 }),
      priors(prior("normal(0, 1)"), prior("cauchy(0, 2)", "sd")),
    ];
    for (const t of trees) {
      const json = JSON.stringify(t);
      const revived = fromJSON(JSON.parse(json));
      assert.equal(String(revived), String(t));
      assert.equal(JSON.stringify(revived), json);
      assert.equal(String(fromJSON(json)), String(t));
    }
  });

  it("revives into the DSL classes and freezes the values", () => {
    const revived = fromJSON({ kind: "brmsfamily", family: "poisson", link: "sqrt" });
    assert.ok(revived instanceof Family);
    assert.equal(String(revived), 'brms::brmsfamily("poisson", link = "sqrt")');
    assert.ok(Object.isFrozen(revived));
    const list = fromJSON({ kind: "brmspriors", priors: [{ kind: "brmsprior", prior: "" }] });
    assert.ok(list instanceof PriorList);
    assert.equal(String(list), 'brms::set_prior("")');
  });
});
