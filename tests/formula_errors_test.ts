/**
 * Errors: what TypeScript rejects before anything reaches R, and brms's own messages
 * surfacing as RError for what only brms can check.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { evalR, rCode, RError, shutdown } from "../worker/mod.ts";
import { makeStancode } from "../brms/postfit/stancode.ts";
import {
  bf,
  brmsfamily,
  cumulative,
  fromJSON,
  lf,
  mvbind,
  poisson,
  prior,
  setRescor,
  SpecError,
  student,
} from "../formula/mod.ts";
import { FAMILIES } from "../formula/links.ts";
import { BrmstsError } from "../errors.ts";

const epilepsy = rCode("brms::epilepsy");

/** Starting the worker can take several seconds; Bun's default test timeout is 5 s. */
const SLOW = { timeout: 120_000 };

/** Asserts `fn` throws a SpecError whose message is exactly `message`. */
function throwsSpec(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SpecError, `expected SpecError, got ${e}`);
    assert.ok(e instanceof BrmstsError, "every brmsts error extends BrmstsError");
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe("families and links are rejected in TypeScript", () => {
  it("names the family and its allowed links for an invalid link", () => {
    throwsSpec(
      // @ts-expect-error: the type checker rejects the link too
      () => poisson("logit"),
      "'logit' is not a supported link for family 'poisson'.\n" +
        "Supported links are: log, identity, sqrt, softplus, squareplus",
    );
    throwsSpec(
      // @ts-expect-error: the type checker rejects the link too
      () => brmsfamily("cumulative", "log"),
      "'log' is not a supported link for family 'cumulative'.\n" +
        `Supported links are: ${FAMILIES.cumulative.links.join(", ")}`,
    );
  });

  it("lists brms's families for an unknown family name", () => {
    throwsSpec(
      () => brmsfamily("poison"),
      "'poison' is not a supported family. Supported families are:\n" +
        Object.keys(FAMILIES).join(", "),
    );
  });

  it("names the parameter and its allowed links for an invalid parameter link", () => {
    throwsSpec(
      // @ts-expect-error: the type checker rejects the link too
      () => student({ linkNu: "log" }),
      "'log' is not a supported link for parameter 'nu' of family 'student'.\n" +
        "Supported links are: logm1, identity",
    );
  });

  it("rejects link options for parameters the family does not have", () => {
    throwsSpec(
      // @ts-expect-error: poisson has no sigma, for the type checker too
      () => brmsfamily("poisson", { linkSigma: "log" }),
      "brmsfamily(): family 'poisson' has no link argument for parameter 'sigma'",
    );
    throwsSpec(
      // @ts-expect-error: gaussian has no shape, for the type checker too
      () => brmsfamily("gaussian", { linkShape: "log" }),
      "brmsfamily(): family 'gaussian' has no link argument for parameter 'shape' " +
        "(it has: link_sigma)",
    );
  });

  it("rejects family options that do not apply or do not exist", () => {
    throwsSpec(
      // @ts-expect-error: not an option of poisson, for the type checker too
      () => brmsfamily("poisson", { threshold: "flexible" }),
      "brmsfamily(): option 'threshold' does not apply to family 'poisson'",
    );
    throwsSpec(
      // @ts-expect-error: not a threshold type, for the type checker too
      () => cumulative({ threshold: "equal" }),
      "brmsfamily(): threshold 'equal' is not supported; use one of flexible, equidistant, " +
        "sum_to_zero",
    );
    throwsSpec(
      // @ts-expect-error: not an option, for the type checker too
      () => brmsfamily("gaussian", { lnk: "identity" }),
      "brmsfamily(): unknown option 'lnk' for family 'gaussian'",
    );
  });

  it("rejects an invalid family given by name to makeStancode before calling R", SLOW, async () => {
    await assert.rejects(
      makeStancode({ formula: "count ~ Trt", data: epilepsy, family: "poissson" }),
      (e: unknown) =>
        e instanceof SpecError && /'poissson' is not a supported family/.test(e.message),
    );
    await assert.rejects(
      makeStancode({
        formula: "count ~ Trt",
        data: epilepsy,
        family: JSON.parse('{"kind":"brmsfamily","family":"poisson","link":"probit"}'),
      }),
      (e: unknown) =>
        e instanceof SpecError &&
        /'probit' is not a supported link for family 'poisson'/.test(e.message),
    );
  });
});

describe("malformed specifications are rejected in TypeScript", () => {
  it("keeps formula text a single R expression", () => {
    throwsSpec(
      () => bf("y ~ x, nl = TRUE"),
      "bf() must be a single R expression, found a top-level ',' in \"y ~ x, nl = TRUE\"",
    );
    throwsSpec(() => bf("y ~ x); system('id'"), /^unbalanced '\)' in bf\(\)/);
    throwsSpec(() => lf("sigma ~ s(x"), "unclosed '(' in lf(): \"sigma ~ s(x\"");
    throwsSpec(() => bf('y ~ s(x, bs = "cr)'), /^unterminated " quote in bf\(\)/);
    throwsSpec(() => bf("y + x"), "bf(): \"y + x\" is not a formula (no '~')");
    throwsSpec(() => mvbind("y1, y2"), /^mvbind\(\) must be a single R expression/);
  });

  it("rejects unknown options and unusable fixed parameter names", () => {
    throwsSpec(
      // @ts-expect-error: not an option, for the type checker too
      () => bf("y ~ x", { nl: true, centre: false }),
      "bf(): unknown option 'centre' (allowed: family, autocor, nl, loop, center, cmc, sparse, " +
        "decomp, fixed)",
    );
    throwsSpec(
      () => bf("y ~ x", { fixed: { family: 1 } }),
      "bf(): 'family' cannot be used as a fixed parameter name",
    );
    throwsSpec(
      () => bf("y ~ x", { fixed: { form: 1 } }),
      "bf(): 'form' cannot be used as a fixed parameter name",
    );
    throwsSpec(
      // @ts-expect-error: not an option, for the type checker too
      () => prior("normal(0, 1)", "b", { coeff: "x" }),
      "prior(): unknown option 'coeff' (allowed: class, coef, group, resp, dpar, nlpar, lb, ub, " +
        "check)",
    );
    throwsSpec(() => prior("normal(0, 1)", "b", { class: "sd" }), "prior(): class given twice");
  });

  it("checks trees revived with fromJSON exactly like the constructors", () => {
    throwsSpec(
      () => fromJSON({ kind: "brmsfamily", family: "poisson", link: "logit" }),
      "'logit' is not a supported link for family 'poisson'.\n" +
        "Supported links are: log, identity, sqrt, softplus, squareplus",
    );
    throwsSpec(
      () => fromJSON({ kind: "brmsfomula", formula: "y ~ x" }),
      "fromJSON(): cannot add a 'brmsfomula' tree to a formula",
    );
    throwsSpec(
      () => fromJSON('{"formula": "y ~ x"}'),
      "fromJSON() expects a tree with a 'kind', got an object",
    );
    throwsSpec(() => fromJSON("{not json"), /^fromJSON\(\): invalid JSON/);
    throwsSpec(
      () => fromJSON({ kind: "formulasum", terms: [{ kind: "setrescor", rescor: false }] }),
      "add(): the first term must be bf() or mvbf(), got a 'setrescor' tree",
    );
  });
});

describe("what only brms can check surfaces brms's own message as an RError", () => {
  after(() => shutdown());

  /** The message brms gives for the same model written in R. */
  const rMessage = (r: string) =>
    evalR(
      `tryCatch({ brms::make_stancode(${r}); "no error" }, error = function(e) conditionMessage(e))`,
    );

  async function assertSameRError(run: () => Promise<unknown>, r: string, pattern: RegExp) {
    const expected = await rMessage(r);
    assert.match(String(expected), pattern);
    await assert.rejects(run(), (e: unknown) => {
      assert.ok(e instanceof RError, `expected RError, got ${e}`);
      assert.equal(e.message, expected);
      return true;
    });
  }

  it("reports a distributional parameter the family does not have", SLOW, async () => {
    await assertSameRError(
      () =>
        makeStancode({
          formula: bf("count ~ Trt", "sigma ~ zAge"),
          data: epilepsy,
          family: poisson(),
        }),
      "brms::bf(count ~ Trt, sigma ~ zAge), data = brms::epilepsy, family = poisson()",
      /sigma/,
    );
  });

  it("reports variables missing from the data", SLOW, async () => {
    await assertSameRError(
      () => makeStancode({ formula: "count ~ Trt + nosuchvar", data: epilepsy }),
      "count ~ Trt + nosuchvar, data = brms::epilepsy",
      /nosuchvar/,
    );
  });

  it("reports residual correlations requested for a univariate model", SLOW, async () => {
    await assertSameRError(
      () => makeStancode({ formula: bf("count ~ Trt").add(setRescor(false)), data: epilepsy }),
      "brms::bf(count ~ Trt) + brms::set_rescor(FALSE), data = brms::epilepsy",
      /rescor/,
    );
  });

  it("reports a prior on a parameter that is not in the model", SLOW, async () => {
    await assertSameRError(
      () =>
        makeStancode({
          formula: "count ~ Trt",
          data: epilepsy,
          priors: prior("normal(0, 1)", "b", { coef: "zAge" }),
        }),
      "count ~ Trt, data = brms::epilepsy, prior = brms::prior(normal(0, 1), class = b, coef = zAge)",
      /zAge/,
    );
  });

  it("reports formula text R cannot parse", SLOW, async () => {
    await assert.rejects(
      makeStancode({ formula: "count ~ Trt + (1 | )", data: epilepsy }),
      (e: unknown) => e instanceof RError && /unexpected '\)'/.test(e.message),
    );
  });
});
