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
import { brm } from "../brms/mod.ts";

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
