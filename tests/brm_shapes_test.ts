/**
 * The InferenceData of brm(): groups, dims, coords and variable names of the epilepsy model
 * (the example's, with fewer iterations) and of a bivariate model written with the formula DSL.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { EPILEPSY, mvData } from "./brm_shared.ts";
import { defaultWorker, shutdown } from "../worker/mod.ts";
import { bf, prior, setRescor } from "../formula/mod.ts";
import { brm, type FitResult, getData } from "../brms/mod.ts";
import { summarizeDraws } from "../stats/summarize.ts";

const GROUPS = [
  "posterior",
  "posterior_predictive",
  "log_likelihood",
  "sample_stats",
  "observed_data",
  "constant_data",
];

describe("brm() InferenceData shapes", () => {
  let ep: FitResult;
  let mv: FitResult;

  before(async () => {
    defaultWorker().setConsoleOutput("silent");
    ep = await brm({
      ...EPILEPSY,
      priors: [...EPILEPSY.priors],
      data: await getData("epilepsy"),
      chains: 2,
      iter: 300,
      seed: 5,
      progress: false,
    });
    mv = await brm({
      formula: bf("y1 ~ x").add(bf("y2 ~ x"), setRescor(false)),
      data: mvData(40),
      priors: [
        prior("normal(0, 5)", "b", { resp: "y1" }),
        prior("normal(0, 5)", "b", { resp: "y2" }),
      ],
      chains: 2,
      iter: 300,
      seed: 6,
      progress: false,
    });
  });

  after(() => shutdown());

  it("epilepsy: groups, dims and brms's parameter names", () => {
    const { idata } = ep;
    assert.deepEqual(idata.groups(), GROUPS);
    const post = idata.group("posterior");
    assert.deepEqual(post.sizes, { chain: 2, draw: 150 });
    const names = post.varNames();
    for (
      const n of [
        "b_Intercept",
        "b_zAge",
        "b_zBase",
        "b_Trt1",
        "b_zBase:Trt1",
        "sd_patient__Intercept",
        "r_patient[1,Intercept]",
        "r_patient[59,Intercept]",
        "lprior",
        "lp__",
      ]
    ) assert.ok(names.includes(n), `missing ${n}`);
    assert.equal(names.filter((n) => n.startsWith("r_patient[")).length, 59);
    for (const n of names) {
      const v = post.get(n);
      assert.deepEqual(v.dims, ["chain", "draw"]);
      assert.deepEqual(v.shape, [2, 150]);
    }
    assert.deepEqual(post.coords.get("chain"), [0, 1]);
    assert.equal(post.coords.get("draw")?.length, 150);
  });

  it("epilepsy: per-observation groups, data and sample_stats", () => {
    const { idata } = ep;
    for (const g of ["posterior_predictive", "log_likelihood"]) {
      const ds = idata.group(g);
      assert.deepEqual(ds.varNames(), ["count"]);
      assert.deepEqual(ds.get("count").dims, ["chain", "draw", "obs_id"]);
      assert.deepEqual(ds.get("count").shape, [2, 150, 236]);
      assert.deepEqual(ds.coords.get("obs_id"), Array.from({ length: 236 }, (_, i) => i));
    }
    const obs = idata.get("observed_data", "count");
    assert.deepEqual(obs.dims, ["obs_id"]);
    assert.equal(obs.data[0], 5); // epilepsy$count[1]
    assert.deepEqual(idata.group("constant_data").varNames().sort(), [
      "Trt",
      "patient",
      "zAge",
      "zBase",
    ]);
    assert.deepEqual(idata.get("constant_data", "patient").attrs?.dtype, "category");
    assert.deepEqual(idata.group("sample_stats").varNames(), [
      "lp__",
      "accept_stat__",
      "stepsize__",
      "treedepth__",
      "n_leapfrog__",
      "divergent__",
      "energy__",
    ]);
  });

  it("epilepsy: helpers select chains and draws and summarize like posterior", () => {
    const one = ep.idata.sel({ chain: 1, draw: { start: 50, end: 100 } });
    assert.deepEqual(one.get("posterior", "b_zAge").shape, [1, 50]);
    assert.deepEqual(one.get("log_likelihood", "count").shape, [1, 50, 236]);
    const full = ep.idata.get("posterior", "b_zAge").data;
    assert.equal(one.get("posterior", "b_zAge").data[0], full[150 + 50]);
    const rows = summarizeDraws(ep.idata, { varNames: ["b_Trt1", "sd_patient__Intercept"] });
    assert.deepEqual(rows.map((r) => r.variable), ["b_Trt1", "sd_patient__Intercept"]);
    assert.ok(rows[1].mean > 0 && rows[1].rhat > 0.9 && rows[1].ess_bulk > 10);
  });

  it("multivariate: one variable per response", () => {
    const { idata } = mv;
    assert.deepEqual(idata.groups(), GROUPS);
    const names = idata.group("posterior").varNames();
    for (
      const n of ["b_y1_Intercept", "b_y2_Intercept", "b_y1_x", "b_y2_x", "sigma_y1", "sigma_y2"]
    ) assert.ok(names.includes(n), `missing ${n}`);
    for (const g of ["posterior_predictive", "log_likelihood", "observed_data"]) {
      assert.deepEqual(idata.group(g).varNames(), ["y1", "y2"], g);
    }
    assert.deepEqual(idata.get("posterior_predictive", "y2").shape, [2, 150, 40]);
    assert.deepEqual(idata.get("log_likelihood", "y1").dims, ["chain", "draw", "obs_id"]);
    const data = mvData(40);
    assert.deepEqual([...idata.get("observed_data", "y2").data], data.y2);
    assert.deepEqual(idata.group("constant_data").varNames(), ["x"]);
    // b_y1_x near 2, b_y2_x near 0.5 (the simulated slopes)
    const m = (v: string) => summarizeDraws(idata, { varNames: [v] })[0].mean;
    assert.ok(Math.abs(m("b_y1_x") - 2) < 0.6);
    assert.ok(Math.abs(m("b_y2_x") - 0.5) < 0.6);
  });

  it("merges variables into a group and extends with other groups", () => {
    const a = ep.idata.sel({});
    const lp = a.get("sample_stats", "lp__");
    a.merge("posterior", { lp_copy: lp }, {});
    assert.ok(a.group("posterior").has("lp_copy"));
    const only = mv.idata.sel({}).extend(ep.idata, { join: "left" });
    assert.deepEqual(only.get("posterior_predictive", "y1").shape, [2, 150, 40]);
  });
});
