/**
 * Categorical contrasts: a factor's `contrasts` (a contrast function's name or an NdArray
 * matrix) become its `contrasts` attribute in R, so brms's design matrix and coefficients are
 * those of R with `contrasts(d$g) <- contr.sum(3)`.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { GAUSSIAN_PRIORS, groupData, mean } from "./brm_shared.ts";
import { callR, defaultWorker, evalR, shutdown } from "../worker/mod.ts";
import { Categorical, NdArray } from "../data/mod.ts";
import { brm, getPrior, makeStandata } from "../brms/mod.ts";

/** Element [i, j] of a 2-d NdArray-like value in either storage order. */
function at(x: NdArray, i: number, j: number): number {
  const [n, k] = x.shape;
  return Number(x.order === "F" ? x.data[i + j * n] : x.data[i * k + j]);
}

describe("factor contrasts from TypeScript", () => {
  after(() => shutdown());

  it("rejects unknown contrast names and matrices of the wrong shape", () => {
    const g = Categorical.from(["a", "b", "c"]);
    assert.throws(() => g.withContrasts("contr.bogus" as never), TypeError);
    assert.throws(
      () => g.withContrasts(new NdArray(new Float64Array(4), [2, 2])),
      TypeError,
    );
    assert.equal(g.withContrasts("contr.sum").contrasts, "contr.sum");
  });

  it("gives makeStandata() the design matrix R's contrasts<- gives make_standata()", async () => {
    const d = groupData(12, 3);
    // A one-column matrix for a three-level factor: R completes it to two columns (by QR).
    const m = new NdArray(new Float64Array([-1, 0, 1]), [3, 1]);
    await evalR(`hb_sx <- function(y, g, how) {
      d <- data.frame(y = y, g = factor(g))
      if (how == "sum") stats::contrasts(d$g) <- "contr.sum"
      else stats::contrasts(d$g) <- matrix(c(-1, 0, 1), 3, 1)
      as.double(brms::make_standata(y ~ g, data = d)$X)
    }`);
    for (const [how, c] of [["sum", "contr.sum"], ["matrix", m]] as const) {
      const g = Categorical.from(d.g).withContrasts(c);
      const x = (await makeStandata({ formula: "y ~ g", data: { y: d.y, g } }) as { X: NdArray })
        .X;
      const want = await callR("hb_sx", [d.y, d.g, how]) as number[];
      // X comes back as an n × K matrix; compare it column-major, as R stores it.
      const [n, k] = x.shape;
      const got: number[] = [];
      for (let j = 0; j < k; j++) for (let i = 0; i < n; i++) got.push(at(x, i, j));
      assert.equal(got.length, want.length, how);
      got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-12, `${how} X[${i}]`));
    }
    // Without contrasts, R's default (treatment) coding: the second column is g == level 2.
    const plain = await makeStandata({ formula: "y ~ g", data: { y: d.y, g: d.g } }) as {
      X: NdArray;
    };
    for (let i = 0; i < 12; i++) assert.equal(at(plain.X, i, 1), d.g[i] === "b" ? 1 : 0);
  });

  it("names design columns and priors after a contrasts matrix's column names", async () => {
    // brms's monotonic vignette: contrasts(dat$income) <- contr.treatment(4) (columns 2, 3, 4).
    const lv = ["below_20", "20_to_40", "40_to_100", "greater_100"];
    const inc = Array.from({ length: 12 }, (_, i) => lv[i % 4]);
    const y = Array.from({ length: 12 }, (_, i) => i * 0.3);
    const m = new NdArray(
      new Float64Array([0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]),
      [4, 3],
      { dimnames: [lv, ["2", "3", "4"]], order: "F" },
    );
    const income = Categorical.from(inc, { levels: lv }).withContrasts(m);
    const data = { y, income };
    const x = (await makeStandata({ formula: "y ~ income", data }) as { X: NdArray }).X;
    const coef = (await getPrior({ formula: "y ~ income", data })).column("coef");
    await evalR(`hb_ct <- function(y, inc, lv) {
      d <- data.frame(y = y, income = factor(inc, levels = lv))
      stats::contrasts(d$income) <- stats::contr.treatment(4)
      list(x = colnames(brms::make_standata(y ~ income, data = d)$X),
           coef = brms::get_prior(y ~ income, data = d)$coef)
    }`);
    const want = await callR("hb_ct", [y, inc, lv]) as { x: string[]; coef: string[] };
    assert.deepEqual(x.dimnames?.[1], want.x);
    assert.deepEqual(x.dimnames?.[1], ["Intercept", "income2", "income3", "income4"]);
    assert.deepEqual(coef, want.coef);
  });

  it("gives brms the design matrix and coefficients of R's contr.sum", async () => {
    defaultWorker().setConsoleOutput("silent");
    const d = groupData(45, 11);
    const g = Categorical.from(d.g).withContrasts("contr.sum");
    const fit = await brm({
      formula: "y ~ g",
      data: { y: d.y, g },
      priors: GAUSSIAN_PRIORS,
      chains: 1,
      iter: 300,
      seed: 4,
      refresh: 0,
    });
    await evalR(`hb_x <- function(fit, y, g) {
      d <- data.frame(y = y, g = factor(g))
      stats::contrasts(d$g) <- stats::contr.sum(3)
      want <- brms::make_standata(y ~ g, data = d)$X
      got <- brms::standata(fit)$X
      list(same = isTRUE(all.equal(unclass(got), unclass(want), check.attributes = FALSE)),
           x = as.double(got[1:3, ]))
    }`);
    const r = await callR("hb_x", [fit.r, d.y, d.g]) as { same: boolean; x: number[] };
    assert.equal(r.same, true);
    // Sum-to-zero coding: the intercept is the mean of the group means (0, 100, 200), not the
    // first group's mean as with R's default treatment contrasts.
    const b0 = mean(fit.idata.get("posterior", "b_Intercept").data);
    assert.ok(Math.abs(b0 - 100) < 2, `b_Intercept ${b0}`);
    const b1 = mean(fit.idata.get("posterior", "b_g1").data);
    assert.ok(Math.abs(b1 - -100) < 2, `b_g1 ${b1}`);
  });
});
