/**
 * brmMultiple(): brms's brm_multiple over an array of data sets and over a mice `mids`, against
 * brm_multiple called in the same worker with the same seed (the shared gaussian model: no new
 * compile).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { GAUSSIAN_PRIORS, groupData } from "./brm_shared.ts";
import { callR, evalR, type RObject, shutdown } from "../worker/mod.ts";
import { DataFrame } from "../data/mod.ts";
import { brm, brmMultiple, type FitResult, type MultipleFitResult } from "../brms/mod.ts";

describe("brmMultiple() against brms's brm_multiple", () => {
  const d1 = new DataFrame(groupData(45, 11)), d2 = new DataFrame(groupData(45, 13));
  let fit: FitResult;
  before(async () => {
    fit = await brm({
      formula: "y ~ g",
      data: d1,
      priors: GAUSSIAN_PRIORS,
      chains: 1,
      iter: 300,
      seed: 1,
      refresh: 0,
    });
    await evalR(`vg_m_ref <- function(fit, d1, d2, seed) {
  set.seed(seed)
  m <- brms::brm_multiple(data = list(d1, d2), fit = fit, chains = 2, iter = 300, seed = seed,
    refresh = 0)
  list(b_gb = as.double(posterior::as_draws_array(m)[, , "b_gb"]), rhats = m$rhats$b_gb)
}
vg_m_mids <- function(d) {
  d$g <- factor(d$g)
  d$obs_id <- NULL
  d$y[c(5, 9, 20, 31)] <- NA
  # y is nearly a function of g (means 0, 100, 200): keep g as the predictor all the same.
  mice::mice(d, m = 2, seed = 1, printFlag = FALSE, remove.collinear = FALSE)
}
vg_m_mids_ref <- function(fit, imp, seed) {
  set.seed(seed)
  m <- brms::brm_multiple(data = imp, fit = fit, chains = 2, iter = 300, seed = seed, refresh = 0)
  list(b_gb = as.double(posterior::as_draws_array(m)[, , "b_gb"]), rhats = m$rhats$b_gb,
       y = c(mice::complete(imp, 1)$y[c(5, 9)], mice::complete(imp, 2)$y[c(5, 9)]))
}`);
  });
  after(async () => {
    fit?.r.dispose();
    await shutdown();
  });

  it("combines the fits to every data set with brms's names and per-data-set R-hats", async () => {
    const m = await brmMultiple([d1, d2], {
      formula: "y ~ g",
      priors: GAUSSIAN_PRIORS,
      chains: 2,
      iter: 300,
      seed: 9,
      refresh: 0,
    });
    try {
      assert.equal(m.ndata, 2);
      assert.equal(m.compiled, false);
      const got = m.idata.get("posterior", "b_gb");
      assert.deepEqual(got.shape, [4, 150]);
      const want = await callR("vg_m_ref", [fit, d1, d2, 9], { convert: "value" }) as {
        b_gb: number[];
        rhats: number[];
      };
      // as_draws_array is draws x chains, column-major: chain c's draws contiguous, as in idata.
      assert.deepEqual(Array.from(got.data as Float64Array), Array.from(want.b_gb));
      assert.ok(m.rhats, "rhats");
      assert.equal(m.rhats!.nrow, 2);
      assert.deepEqual(Array.from(m.rhats!.column("b_gb") as Float64Array), Array.from(want.rhats));
    } finally {
      m.r.dispose();
    }
  });

  it("takes an R mids handle from mice, as brm_multiple does (same model: no compile)", async () => {
    const imp = await callR("vg_m_mids", [d1], { convert: "handle" }) as RObject;
    let m: MultipleFitResult | undefined;
    try {
      assert.ok(imp.inherits("mids"));
      m = await brmMultiple(imp, {
        formula: "y ~ g",
        priors: GAUSSIAN_PRIORS,
        chains: 2,
        iter: 300,
        seed: 5,
        refresh: 0,
      });
      assert.equal(m.ndata, 2);
      assert.equal(m.compiled, false);
      const got = m.idata.get("posterior", "b_gb");
      assert.deepEqual(got.shape, [4, 150]);
      const want = await callR("vg_m_mids_ref", [fit, imp, 5], { convert: "value" }) as {
        b_gb: number[];
        rhats: number[];
        y: number[];
      };
      // The two imputations differ where y was missing: two data sets, not one twice.
      assert.notDeepEqual(want.y.slice(0, 2), want.y.slice(2));
      assert.deepEqual(Array.from(got.data as Float64Array), Array.from(want.b_gb));
      assert.deepEqual(Array.from(m.rhats!.column("b_gb") as Float64Array), Array.from(want.rhats));
    } finally {
      m?.r.dispose();
      imp.dispose();
    }
  });
});
