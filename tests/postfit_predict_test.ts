/**
 * Predictions as InferenceData: values against brms's own functions called in the same worker,
 * the group/variable/dims contract for a univariate and a multivariate model, with and without
 * newdata, obs_id labels, draw subsets and seeds.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { tableFromArrays } from "apache-arrow";
import { GAUSSIAN_PRIORS, GROUP_MEANS, groupData, mean, MV_MODEL, mvData } from "./brm_shared.ts";
import { callR, defaultWorker, evalR, rCode, RError, shutdown } from "../worker/mod.ts";
import { DataFrame, type NdArray } from "../data/mod.ts";
import { InferenceData } from "../idata/inference_data.ts";
import { brm, type FitResult } from "../brms/mod.ts";
import { predictionIdata } from "../brms/postfit/_draws.ts";
import {
  logLik,
  observedData,
  posterior,
  posteriorEpred,
  posteriorLinpred,
  posteriorPredict,
} from "../brms/postfit/mod.ts";

const DATA = groupData(45, 11);
const MV = mvData(40);
const N = DATA.y.length;

/** R helpers of this test (global env of the test's worker). */
const R_HELPERS = `
pf_t_fn <- function(what) switch(what, epred = brms::posterior_epred,
  linpred = brms::posterior_linpred, predict = brms::posterior_predict, log_lik = brms::log_lik)
pf_t_draws <- function(fit, what, newdata = NULL, seed = NULL, ...) {
  if (!is.null(seed)) set.seed(seed)
  m <- pf_t_fn(what)(fit, newdata = newdata, ...)
  array(as.double(m), dim(m))
}
pf_t_sum_ll <- function(fit, newdata = NULL, ...) sum(brms::log_lik(fit, newdata = newdata, ...))
pf_t_sample <- function(seed, n, k) { set.seed(seed); sample(n, k) - 1L }
pf_t_var <- function(fit, v) as.double(posterior::as_draws_matrix(fit)[, v])
`;

function sampleMeans(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const lvl of ["a", "b", "c"]) {
    out[lvl] = mean(DATA.y.filter((_, i) => DATA.g[i] === lvl));
  }
  return out;
}

/** Asserts two arrays of doubles are bit-identical. */
function sameBits(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${what}[${i}]: ${got[i]} != ${want[i]}`);
  }
}

function total(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

async function rDraws(fit: FitResult, what: string, args: Record<string, unknown> = {}) {
  return (await callR("pf_t_draws", { fit: fit.r, what, ...args }) as NdArray).data as Float64Array;
}

describe("predictions", () => {
  let fit: FitResult;
  let mv: FitResult;

  before(async () => {
    defaultWorker().setConsoleOutput("silent");
    fit = await brm({
      formula: "y ~ g",
      data: DATA,
      priors: GAUSSIAN_PRIORS,
      chains: 2,
      iter: 300,
      seed: 1,
      progress: false,
    });
    mv = await brm({
      ...MV_MODEL,
      data: MV,
      chains: 2,
      iter: 300,
      seed: 6,
      progress: false,
    });
    await evalR(R_HELPERS);
  });

  after(() => shutdown());

  it("posteriorEpred: means match the group means, draws equal R's posterior_epred", async () => {
    const { idata } = await posteriorEpred(fit);
    assert.deepEqual(idata.groups(), ["posterior"]);
    const v = idata.get("posterior", "y_mean");
    assert.deepEqual(v.dims, ["chain", "draw", "obs_id"]);
    assert.deepEqual(v.shape, [2, 150, N]);
    assert.deepEqual(idata.group("posterior").coords.get("obs_id"), DATA.obs_id);
    sameBits(v.data, await rDraws(fit, "epred"), "y_mean");
    const sm = sampleMeans();
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let k = 0; k < 300; k++) s += v.data[k * N + i];
      assert.ok(
        Math.abs(s / 300 - sm[DATA.g[i]]) < 0.5,
        `row ${i}: ${s / 300} vs ${sm[DATA.g[i]]}`,
      );
    }
  });

  it("posteriorEpred with newdata: predictions, obs_id from row names", async () => {
    const nd = new DataFrame({ g: ["c", "a", "b"] }, { rowNames: ["p", "q", "r"] });
    const { idata } = await posteriorEpred(fit, { newdata: nd });
    assert.deepEqual(idata.groups(), ["predictions"]);
    const v = idata.get("predictions", "y_mean");
    assert.deepEqual(v.shape, [2, 150, 3]);
    assert.deepEqual(idata.group("predictions").coords.get("obs_id"), ["p", "q", "r"]);
    sameBits(v.data, await rDraws(fit, "epred", { newdata: nd }), "y_mean");
    const sm = sampleMeans();
    ["c", "a", "b"].forEach((lvl, j) => {
      let s = 0;
      for (let k = 0; k < 300; k++) s += v.data[k * 3 + j];
      assert.ok(Math.abs(s / 300 - sm[lvl]) < 0.5, `${lvl}: ${s / 300}`);
      assert.ok(Math.abs(s / 300 - GROUP_MEANS[lvl]) < 1.5);
    });
  });

  it("accepts every data-frame form as newdata", async () => {
    const want = await rDraws(fit, "epred", { newdata: { g: ["b", "a"] } });
    const forms: unknown[] = [
      { g: ["b", "a"] },
      [{ g: "b" }, { g: "a" }],
      new DataFrame({ g: ["b", "a"] }),
      tableFromArrays({ g: ["b", "a"] }),
      rCode('data.frame(g = c("b", "a"))'),
      await evalR('data.frame(g = c("b", "a"))', { convert: "handle" }),
    ];
    for (const newdata of forms) {
      const { idata } = await posteriorEpred(fit, { newdata: newdata as never });
      sameBits(idata.get("predictions", "y_mean").data, want, String(newdata));
      assert.deepEqual(idata.group("predictions").coords.get("obs_id"), [0, 1]);
    }
  });

  it("logLik: sums equal R's sum(log_lik(fit)), with and without newdata", async () => {
    const { idata } = await logLik(fit);
    assert.deepEqual(idata.groups(), ["log_likelihood", "constant_data"]);
    const ll = idata.get("log_likelihood", "y");
    assert.deepEqual(ll.shape, [2, 150, N]);
    const want = await callR("pf_t_sum_ll", [fit.r]) as number;
    const got = total(ll.data);
    assert.ok(Math.abs(got - want) < 1e-9 * Math.abs(want), `${got} vs ${want}`);
    sameBits(ll.data, await rDraws(fit, "log_lik"), "log_lik");
    const g = idata.get("constant_data", "g");
    assert.deepEqual(g.attrs?.levels, ["a", "b", "c"]);
    assert.deepEqual(Array.from(g.data, (c) => ["a", "b", "c"][c]), DATA.g);
    assert.deepEqual(idata.group("constant_data").coords.get("obs_id"), DATA.obs_id);

    const nd = { y: [0.5, 99, 201.5], g: ["a", "b", "c"] };
    const res = await logLik(fit, { newdata: nd });
    assert.deepEqual(res.idata.groups(), ["log_likelihood", "predictions_constant_data"]);
    const ll2 = res.idata.get("log_likelihood", "y");
    assert.deepEqual(ll2.shape, [2, 150, 3]);
    const want2 = await callR("pf_t_sum_ll", [fit.r, nd]) as number;
    const got2 = total(ll2.data);
    assert.ok(Math.abs(got2 - want2) < 1e-9 * Math.abs(want2), `${got2} vs ${want2}`);
    assert.deepEqual(res.idata.group("predictions_constant_data").varNames(), ["g"]);
  });

  it("posteriorPredict: seeded like set.seed() + posterior_predict(), R's RNG restored", async () => {
    await evalR("set.seed(9)");
    const { idata } = await posteriorPredict(fit, { seed: 42 });
    const after = await evalR("runif(1)");
    assert.equal(after, await evalR("set.seed(9); runif(1)"), "R's RNG state is restored");
    assert.deepEqual(idata.groups(), ["posterior_predictive"]);
    const pp = idata.get("posterior_predictive", "y");
    assert.deepEqual(pp.dims, ["chain", "draw", "obs_id"]);
    sameBits(pp.data, await rDraws(fit, "predict", { seed: 42 }), "posterior_predict");
    const again = await posteriorPredict(fit, { seed: 42 });
    sameBits(again.idata.get("posterior_predictive", "y").data, pp.data, "same seed");

    const nd = new DataFrame({ g: ["a", "c"] }, { rowNames: ["first", "second"] });
    const pred = await posteriorPredict(fit, { newdata: nd, seed: 7 });
    assert.deepEqual(pred.idata.groups(), ["predictions", "predictions_constant_data"]);
    assert.deepEqual(pred.idata.get("predictions", "y").shape, [2, 150, 2]);
    assert.deepEqual(pred.idata.group("predictions").coords.get("obs_id"), ["first", "second"]);
    assert.deepEqual(pred.idata.group("predictions_constant_data").coords.get("obs_id"), [
      "first",
      "second",
    ]);
    sameBits(
      pred.idata.get("predictions", "y").data,
      await rDraws(fit, "predict", { newdata: nd, seed: 7 }),
      "posterior_predict(newdata)",
    );
  });

  it("posteriorLinpred equals R's posterior_linpred", async () => {
    const { idata } = await posteriorLinpred(fit);
    assert.deepEqual(idata.groups(), ["posterior"]);
    sameBits(idata.get("posterior", "y_linpred").data, await rDraws(fit, "linpred"), "linpred");
    const nd = { g: ["b"] };
    const p = await posteriorLinpred(fit, { newdata: nd, transform: true });
    assert.deepEqual(p.idata.groups(), ["predictions"]);
    sameBits(
      p.idata.get("predictions", "y_linpred").data,
      await rDraws(fit, "linpred", { newdata: nd, transform: true }),
      "linpred(transform)",
    );
  });

  it("ndraws and drawIds select draws like brms (one chain, draw = draw ids)", async () => {
    const { idata } = await posteriorEpred(fit, { ndraws: 20, seed: 3 });
    const v = idata.get("posterior", "y_mean");
    assert.deepEqual(v.shape, [1, 20, N]);
    const ids = Array.from(await callR("pf_t_sample", [3, 300, 20]) as Int32Array);
    assert.deepEqual(idata.group("posterior").coords.get("draw"), ids);
    const full = idata.group("posterior").coords.get("draw")!;
    sameBits(v.data, await rDraws(fit, "epred", { seed: 3, ndraws: 20 }), "ndraws");
    assert.equal(full.length, 20);

    const sub = await posteriorEpred(fit, { drawIds: [0, 5, 299] });
    assert.deepEqual(sub.idata.group("posterior").coords.get("draw"), [0, 5, 299]);
    sameBits(
      sub.idata.get("posterior", "y_mean").data,
      await rDraws(fit, "epred", { draw_ids: [1, 6, 300] }),
      "draw_ids",
    );
    await assert.rejects(posteriorEpred(fit, { ndraws: 1000 }), /between 1 and the maximum/);
  });

  it("posterior and observedData: parameters, responses and data", async () => {
    const post = await posterior(fit);
    assert.deepEqual(post.idata.groups(), ["posterior", "constant_data"]);
    const names = post.idata.group("posterior").varNames();
    assert.deepEqual(names, await callR("brms::variables", [fit.r]));
    const b = post.idata.get("posterior", "b_gb");
    assert.deepEqual(b.dims, ["chain", "draw"]);
    sameBits(b.data, await callR("pf_t_var", [fit.r, "b_gb"]) as Float64Array, "b_gb");
    assert.deepEqual(post.idata.group("constant_data").coords.get("obs_id"), DATA.obs_id);
    const obs = await observedData(fit);
    assert.deepEqual(obs.idata.groups(), ["observed_data", "constant_data"]);
    assert.deepEqual([...obs.idata.get("observed_data", "y").data], DATA.y);
    assert.deepEqual(obs.idata.get("observed_data", "y").dims, ["obs_id"]);
  });

  it("composes with the fit's InferenceData (merge, extend)", async () => {
    const base = new InferenceData().extend(fit.idata);
    const epred = await posteriorEpred(fit);
    base.merge("posterior", epred.idata.group("posterior"));
    assert.ok(base.group("posterior").has("y_mean") && base.group("posterior").has("b_gb"));
    const pred = await posteriorPredict(fit, { newdata: { g: ["a"] } });
    base.extend(pred.idata);
    assert.ok(base.hasGroup("predictions") && base.hasGroup("predictions_constant_data"));
    assert.deepEqual(base.get("predictions", "y").shape, [2, 150, 1]);
  });

  it("multivariate: one variable per response, values equal R's per response", async () => {
    const n = MV.x.length;
    const contract: [typeof posteriorEpred, string, string, string[]][] = [
      [posteriorPredict, "posterior_predictive", "predictions", ["y1", "y2"]],
      [posteriorEpred, "posterior", "predictions", ["y1_mean", "y2_mean"]],
      [posteriorLinpred, "posterior", "predictions", ["y1_linpred", "y2_linpred"]],
      [logLik, "log_likelihood", "log_likelihood", ["y1", "y2"]],
    ];
    const nd = rCode(
      'data.frame(x = c(-1, 0, 1), y1 = c(0, 1, 2), y2 = c(-1, 0, 1), row.names = c("lo", "mid", "hi"))',
    );
    for (const [fn, group, ndGroup, vars] of contract) {
      const a = await fn(mv);
      assert.deepEqual(a.idata.group(group).varNames(), vars, fn.name);
      for (const v of vars) {
        assert.deepEqual(a.idata.get(group, v).dims, ["chain", "draw", "obs_id"]);
        assert.deepEqual(a.idata.get(group, v).shape, [2, 150, n]);
      }
      const b = await fn(mv, { newdata: nd });
      assert.deepEqual(b.idata.group(ndGroup).varNames(), vars, `${fn.name}(newdata)`);
      assert.deepEqual(b.idata.group(ndGroup).coords.get("obs_id"), ["lo", "mid", "hi"]);
      for (const v of vars) assert.deepEqual(b.idata.get(ndGroup, v).shape, [2, 150, 3]);
    }
    const ep = (await posteriorEpred(mv)).idata;
    for (const resp of ["y1", "y2"]) {
      sameBits(ep.get("posterior", `${resp}_mean`).data, await rDraws(mv, "epred", { resp }), resp);
    }
    const ll = (await logLik(mv)).idata;
    const y1 = ll.get("log_likelihood", "y1").data, y2 = ll.get("log_likelihood", "y2").data;
    sameBits(y2, await rDraws(mv, "log_lik", { resp: "y2" }), "log_lik y2");
    let s = 0;
    for (let i = 0; i < y1.length; i++) s += y1[i] + y2[i];
    const want = await callR("pf_t_sum_ll", [mv.r]) as number;
    assert.ok(Math.abs(s - want) < 1e-9 * Math.abs(want), `${s} vs ${want}`);
    const only = await posteriorEpred(mv, { resp: "y2" });
    assert.deepEqual(only.idata.group("posterior").varNames(), ["y2_mean"]);
    const obs = await observedData(mv);
    assert.deepEqual(obs.idata.group("observed_data").varNames(), ["y1", "y2"]);
    assert.deepEqual([...obs.idata.get("observed_data", "y2").data], MV.y2);
  });

  it("arrays with a category dimension (categorical/ordinal epred) get <var>_dim_0", async () => {
    // brms returns draws x observations x categories for such families; built from R here.
    const arr = await evalR(
      'array(as.double(1:24), c(4, 3, 2), dimnames = list(NULL, NULL, c("lo", "hi")))',
    ) as NdArray;
    const idata = predictionIdata({
      responses: "z",
      vars: [{ values: arr, extra: ["lo", "hi"] }],
      obs_id: ["u", "v", "w"],
      chains: 2,
      draw_ids: null,
      constant: null,
    }, { group: "posterior", suffix: "_mean" });
    const v = idata.get("posterior", "z_mean");
    assert.deepEqual(v.dims, ["chain", "draw", "obs_id", "z_mean_dim_0"]);
    assert.deepEqual(v.shape, [2, 2, 3, 2]);
    assert.deepEqual(idata.group("posterior").coords.get("z_mean_dim_0"), ["lo", "hi"]);
    // R's arr[s, i, k] = s + 4 (i - 1) + 12 (k - 1) (1-based); chain-major draws.
    for (let s = 0; s < 4; s++) {
      for (let i = 0; i < 3; i++) {
        for (let k = 0; k < 2; k++) {
          assert.equal(v.data[((s * 3) + i) * 2 + k], s + 1 + 4 * i + 12 * k);
        }
      }
    }
  });

  it("reports newdata missing a predictor, and non-fits", async () => {
    await assert.rejects(posteriorEpred(fit, { newdata: { h: ["a"] } }), (e: unknown) => {
      assert.ok(e instanceof RError);
      assert.match(e.message, /can neither be found.*\n?.*'g'/);
      return true;
    });
    await assert.rejects(posteriorEpred(mv, { newdata: { z: [1] } }), /'x'/);
    await assert.rejects(
      posteriorEpred({ idata: fit.idata } as unknown as FitResult),
      /expected a fit/,
    );
    const env = await evalR("new.env()");
    await assert.rejects(posteriorEpred(env as never), /expected a brmsfit, got an RObject/);
  });
});
