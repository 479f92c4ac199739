/**
 * Formula text is parsed in TypeScript, never evaluated: the attack strings of issue 13 (R code
 * hidden in `{ }` blocks, behind `;`, or behind R raw strings that fooled the old scanner) are
 * SpecErrors in every option that takes a formula, before R sees them, and the marker files
 * their `system()` calls would create do not appear. Ordinary formulas (calls inside terms,
 * strings and raw strings inside calls, comments, several lines) still work.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import process from "node:process";
import { GAUSSIAN_PRIORS, groupData } from "./brm_shared.ts";
import { defaultWorker, evalR, shutdown } from "../worker/mod.ts";
import {
  acformula,
  bf,
  fromJSON,
  lf,
  mvbf,
  mvbind,
  nlf,
  singleExpression,
  SpecError,
} from "../formula/mod.ts";
import { brm, type FitResult, makeStancode } from "../brms/mod.ts";
import { conditionalEffects, posteriorEpred, posteriorPredict } from "../brms/postfit/mod.ts";

const MARK = `/tmp/brmsts-sec-${process.pid}`;
/** The attack strings, with the marker file of this test run. */
const BLOCK = `{system("touch ${MARK}-block"); ~ 1}`;
const RAW = `y ~ x + I(r"(")") , {system('touch ${MARK}-raw'); sigma ~ 1} , I(r"(")")`;
const ATTACKS = [
  BLOCK,
  RAW,
  `y ~ x; system("touch ${MARK}-semi")`,
  `system("touch ${MARK}-plus") + ~ x`,
  `if (system("touch ${MARK}-if") == 0) y ~ x`,
  `x <- system("touch ${MARK}-assign") ~ y`,
  `y ~ x\nsystem("touch ${MARK}-newline")`,
  `y ~ I(r"[)"]") , system("touch ${MARK}-raw2")`,
  `y ~ x %{% z , {system("touch ${MARK}-pct")}`,
];

function markers(): string[] {
  return ["block", "raw", "semi", "plus", "if", "assign", "newline", "raw2", "pct", "re", "brm"]
    .map((s) => `${MARK}-${s}`).filter((f) => existsSync(f));
}

function rejects(f: () => unknown, what: string): void {
  assert.throws(f, (e: unknown) => e instanceof SpecError, what);
}

describe("formula text is parsed, never evaluated", () => {
  it("rejects every attack string in every formula constructor", () => {
    for (const a of ATTACKS) {
      rejects(() => bf(a), `bf(${a})`);
      rejects(() => bf("y ~ x", a), `bf part ${a}`);
      rejects(() => lf(a), `lf(${a})`);
      rejects(() => nlf(a), `nlf(${a})`);
      rejects(() => bf("y ~ a", nlf("a ~ 1"), a), `nlf part ${a}`);
      rejects(() => mvbf(a, "z ~ 1"), `mvbf(${a})`);
      rejects(() => acformula(a), `acformula(${a})`);
      rejects(() => singleExpression(a, "reFormula"), `reFormula ${a}`);
      rejects(
        () => fromJSON({ kind: "brmsformula", formula: a, pforms: ["sigma ~ 1"] }),
        `fromJSON ${a}`,
      );
    }
    rejects(() => mvbind(`a, system("x")`), "mvbind");
    rejects(() => mvbind(`{system("x")}`), "mvbind block");
  });

  it("keeps formulas with calls, strings, raw strings and comments in terms", () => {
    assert.equal(
      String(bf('y ~ I(x^2) + s(z, bs = "cr") + poly(w, 2) # a comment')),
      'brms::bf(y ~ I(x^2) + s(z, bs = "cr") + poly(w, 2))',
    );
    assert.equal(
      singleExpression(`y ~ I(nchar(r"(a"b{;})")) + x %in% g`, "f"),
      `y ~ I(nchar(r"(a"b{;})")) + x %in% g`,
    );
    assert.equal(singleExpression("~ (1 | g)", "reFormula"), "~ (1 | g)");
    assert.equal(singleExpression("-x ~ ~z", "f"), "-x ~ ~z");
    assert.deepEqual(
      JSON.parse(JSON.stringify(bf("y ~ a * exp(b * x)\n a ~ 1 + (1 | g)\n b ~ 1", { nl: true })))
        .pforms,
      ["a ~ 1 + (1 | g)", "b ~ 1"],
    );
  });
});

describe("formula options that reach R", () => {
  const DATA = groupData(30, 5);
  let fit: FitResult;

  before(async () => {
    defaultWorker().setConsoleOutput("silent");
    fit = await brm({
      formula: "y ~ g",
      data: DATA,
      priors: GAUSSIAN_PRIORS,
      chains: 1,
      iter: 200,
      seed: 3,
      refresh: 0,
    });
  });

  after(async () => {
    for (const f of markers()) rmSync(f, { force: true });
    await shutdown();
  });

  it("rejects attack strings in reFormula before R sees them, and R runs nothing", async () => {
    const re = `{system("touch ${MARK}-re"); ~ 1}`;
    for (const a of [re, BLOCK, RAW]) {
      await assert.rejects(posteriorPredict(fit, { reFormula: a }), SpecError);
      await assert.rejects(posteriorEpred(fit, { reFormula: a }), SpecError);
      await assert.rejects(conditionalEffects(fit, { reFormula: a }), SpecError);
    }
    await assert.rejects(
      makeStancode({ formula: `{system("touch ${MARK}-brm"); y ~ g}`, data: DATA }),
      SpecError,
    );
    await assert.rejects(
      brm({ formula: RAW, data: DATA, chains: 1, iter: 10 }),
      SpecError,
    );
    // The worker is alive and the markers were never created.
    assert.equal(await evalR("1 + 1"), 2);
    assert.deepEqual(markers(), []);
    // A real reFormula still works.
    const { idata } = await posteriorEpred(fit, { reFormula: "~ 1" });
    assert.ok(idata);
  });
});
