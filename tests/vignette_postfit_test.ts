/**
 * update(), bayesR2(), looR2(), marginalLikelihood() and bayesFactor() against brms's own
 * functions called on the same fits in the same worker (the shared gaussian and bivariate
 * models; the intercept-only model update() makes is compiled once, then cached as brm()'s).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { GAUSSIAN_PRIORS, groupData, MV_MODEL, mvData } from "./brm_shared.ts";
import { callR, evalR, shutdown } from "../worker/mod.ts";
import { DataFrame } from "../data/mod.ts";
import {
  bayesFactor,
  bayesR2,
  brm,
  type FitResult,
  loo,
  looCompare,
  looR2,
  marginalLikelihood,
  type R2Summary,
  summary,
  update,
} from "../brms/mod.ts";

const R_HELPERS = `
vg_p_r2 <- function(fit, what, seed = NULL, summary = TRUE) {
  if (!is.null(seed)) set.seed(seed)
  m <- switch(what, bayes = brms::bayes_R2, loo = brms::loo_R2)(fit, summary = summary)
  list(values = as.double(m), rows = as.character(rownames(m)), cols = colnames(m))
}
vg_p_update <- function(fit, d, seed) {
  f <- update(fit, newdata = d, seed = seed, refresh = 0)
  as.double(posterior::as_draws_matrix(f)[, "b_gb"])
}
vg_p_update_formula <- function(fit, small, seed) {
  # rstan::stan_model() returns a stanmodel found in the global environment with identical Stan
  # code instead of compiling it again: the one of brmsts's update(), so R compiles nothing.
  assign("vg_p_sm", rstan::get_stanmodel(small$fit), envir = globalenv())
  on.exit(rm("vg_p_sm", envir = globalenv()))
  f <- update(fit, formula. = ~ . - g, seed = seed, refresh = 0,
    prior = c(brms::set_prior("normal(0, 300)", class = "Intercept"),
              brms::set_prior("exponential(1)", class = "sigma")))
  m <- posterior::as_draws_array(f)
  list(b_Intercept = as.double(m[, , "b_Intercept"]), sigma = as.double(m[, , "sigma"]))
}
vg_p_logml <- function(fit, seed) { set.seed(seed); brms::bridge_sampler(fit)$logml }
vg_p_bf <- function(f1, f2, seed) { set.seed(seed); brms::bayes_factor(f1, f2)$bf }
`;

describe("update(), R², marginal likelihood and Bayes factors against brms", () => {
  let fit: FitResult, mv: FitResult, small: FitResult | undefined;
  const data = new DataFrame(groupData(45, 11));
  before(async () => {
    fit = await brm({
      formula: "y ~ g",
      data,
      priors: GAUSSIAN_PRIORS,
      chains: 2,
      iter: 800,
      warmup: 300,
      seed: 3,
      savePars: { all: true },
      refresh: 0,
    });
    mv = await brm({ ...MV_MODEL, data: mvData(40), chains: 1, iter: 300, seed: 5, refresh: 0 });
    await evalR(R_HELPERS);
  });
  after(async () => {
    fit?.r.dispose();
    mv?.r.dispose();
    small?.r.dispose();
    await shutdown();
  });

  it("gives brms's bayes_R2 per response, summaries and draws", async () => {
    const got = await bayesR2(mv) as Record<string, R2Summary>;
    const want = await callR("vg_p_r2", [mv, "bayes"], { convert: "value" }) as {
      values: number[];
      rows: string[];
      cols: string[];
    };
    assert.deepEqual(Object.keys(got), want.rows);
    assert.deepEqual(want.rows, ["R2y1", "R2y2"]);
    // R's matrix is column-major: row i, column j at j * nrow + i.
    want.rows.forEach((row, i) =>
      want.cols.forEach((col, j) => assert.equal(got[row][col], want.values[j * 2 + i], row + col))
    );
    const draws = await bayesR2(mv, { summary: false }) as Record<string, Float64Array>;
    const wantDraws = await callR("vg_p_r2", [mv, "bayes", null, false], {
      convert: "value",
    }) as { values: number[] };
    assert.deepEqual(
      [...draws.R2y1, ...draws.R2y2],
      Array.from(wantDraws.values),
    );
  });

  it("gives brms's loo_R2 for a seed, and the same again for the same seed", async () => {
    const a = await looR2(fit, { seed: 11 }) as Record<string, R2Summary>;
    const b = await looR2(fit, { seed: 11 }) as Record<string, R2Summary>;
    const want = await callR("vg_p_r2", [fit, "loo", 11], { convert: "value" }) as {
      values: number[];
    };
    assert.deepEqual(a, b);
    assert.deepEqual(
      [a.R2.Estimate, a.R2["Est.Error"], a.R2["Q2.5"], a.R2["Q97.5"]],
      Array.from(want.values),
    );
  });

  it("refits on new data without compiling, with the draws brms's update() gives", async () => {
    const nd = new DataFrame(groupData(45, 12));
    const again = await update(fit, { newdata: nd, seed: 21, refresh: 0 });
    try {
      assert.equal(again.compiled, false);
      assert.equal(again.cache, "memory"); // the fit's own compiled model
      const want = await callR("vg_p_update", [fit, nd, 21], { convert: "value" }) as number[];
      const got = again.idata.get("posterior", "b_gb");
      assert.deepEqual(got.shape, [2, 500]);
      assert.deepEqual(Array.from(got.data as Float64Array), Array.from(want));
    } finally {
      again.r.dispose();
    }
  });

  it("changes the formula with '~ . - g': brms recompiles, brm()'s cache serves the model, the draws are R's update()'s", async () => {
    const priors = GAUSSIAN_PRIORS.filter((p) => p.class !== "b");
    small = await update(fit, { formula: "~ . - g", priors, seed: 4, refresh: 0 });
    // The first run compiles and caches the model; later runs load it from disk.
    process.stderr.write(`update() recompile: cache ${small.cache}, compiled ${small.compiled}\n`);
    assert.ok(["compiled", "disk", "memory"].includes(small.cache), small.cache);
    assert.equal(small.compiled, small.cache === "compiled");
    const vars = small.idata.group("posterior").varNames();
    assert.ok(vars.includes("b_Intercept") && !vars.includes("b_gb"), vars.join());
    // Keyed as brm() keys it: brm() of the updated model finds it in this worker's memory.
    const same = await brm({
      formula: "y ~ 1",
      data,
      priors,
      chains: 1,
      iter: 20,
      seed: 1,
      refresh: 0,
      returnIdata: false,
    });
    same.r.dispose();
    assert.equal(same.cache, "memory");
    assert.equal(same.cacheKey, small.cacheKey);
    // R's own update() on the same fit (rstan reuses the compiled model, identical Stan code).
    const want = await callR("vg_p_update_formula", [fit, small, 4], { convert: "value" }) as {
      b_Intercept: number[];
      sigma: number[];
    };
    for (const v of ["b_Intercept", "sigma"] as const) {
      const got = small.idata.get("posterior", v);
      assert.deepEqual(got.shape, [2, 500]);
      assert.deepEqual(Array.from(got.data as Float64Array), Array.from(want[v]), v);
    }
    await assert.rejects(update(fit, { formula: "system('ls')" }), /not a formula/);
  });

  it("gives bridgesampling's log marginal likelihood and brms's Bayes factor for a seed", async () => {
    const ml = await marginalLikelihood(fit, { seed: 5, silent: true });
    const want = await callR("vg_p_logml", [fit, 5], { convert: "value" }) as number;
    assert.equal(ml.logml, want);
    assert.ok(Number.isFinite(ml.logml));
    assert.ok(small, "the intercept-only model of the previous test");
    const bf = await bayesFactor(fit, small!, { seed: 6, silent: true });
    const wantBf = await callR("vg_p_bf", [fit, small, 6], { convert: "value" }) as number;
    assert.equal(bf.bf, wantBf);
    assert.ok(bf.bf > 1e6, `g explains y (means 0, 100, 200): BF ${bf.bf}`);
    ml.r.dispose();
  });

  it("names the data and the models as the user does, never by internal names", async () => {
    const text = String(await summary(fit));
    assert.match(text, /Data: data \(Number of observations: 45\)/);
    assert.doesNotMatch(text, /\.x[0-9]/);
    const named = await update(fit, { dataName: "trial", seed: 1, refresh: 0 });
    assert.match(String(await summary(named)), /Data: trial \(Number of observations: 45\)/);
    named.r.dispose();
    const l = await loo(fit);
    assert.equal(await callR("attr", [l.r, "model_name"]), "fit");
    const rows = await looCompare({ grouped: fit, again: fit });
    assert.deepEqual(rows.map((r) => r.model).sort(), ["again", "grouped"]);
  });
});
