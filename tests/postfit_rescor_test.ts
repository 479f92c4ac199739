/**
 * Multivariate models with residual correlation (`set_rescor(TRUE)`): the likelihood does not
 * factor by response, so `log_likelihood` is brms's joint pointwise log-likelihood, one variable
 * named after all responses (`y1_y2`), [chain, draw, obs_id], equal to `brms::log_lik(fit)`
 * bit for bit, and PSIS-LOO on it equals `brms::loo(fit)`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { MV_RESCOR_MODEL, mvData } from "./brm_shared.ts";
import { callR, defaultWorker, evalR, shutdown } from "../worker/mod.ts";
import type { NdArray } from "../data/mod.ts";
import { brm, type FitResult, logLik } from "../brms/mod.ts";
import { loo as psisLoo } from "../stats/mod.ts";
import type { Variable } from "../idata/mod.ts";

const DATA = mvData(40);
const N = DATA.y1.length;

/** Asserts that a [chain, draw, obs] variable equals R's draws × obs matrix (C order, as NdArray). */
function sameAsR(v: Variable, r: NdArray, what: string): void {
  const [S, n] = r.shape;
  const [C, D, N2] = v.shape;
  assert.equal(C * D, S, `${what}: draws`);
  assert.equal(N2, n, `${what}: observations`);
  const want = r.data as Float64Array;
  for (let s = 0; s < S; s++) {
    for (let j = 0; j < n; j++) {
      const got = v.data[s * n + j];
      if (!Object.is(got, want[s * n + j])) {
        assert.fail(`${what}[draw ${s}, obs ${j}]: ${got} != ${want[s * n + j]}`);
      }
    }
  }
}

describe("log-likelihood of a multivariate model with residual correlation", () => {
  let fit: FitResult;

  before(async () => {
    defaultWorker().setConsoleOutput("silent");
    fit = await brm({
      formula: MV_RESCOR_MODEL.formula,
      priors: MV_RESCOR_MODEL.priors,
      data: DATA,
      chains: 2,
      iter: 300,
      seed: 5,
      refresh: 0,
    });
    await evalR(`
      hb_ll <- function(fit) { m <- brms::log_lik(fit); array(as.double(m), dim(m)) }
      hb_loo <- function(fit) {
        l <- suppressWarnings(brms::loo(fit))
        unname(c(l$estimates[, 1], l$estimates[, 2]))
      }
    `);
  });

  after(() => shutdown());

  it("is one joint variable named after all responses, equal to brms::log_lik(fit)", async () => {
    const ll = fit.idata.group("log_likelihood");
    assert.deepEqual(ll.varNames(), ["y1_y2"]);
    const v = ll.get("y1_y2");
    assert.deepEqual(v.dims, ["chain", "draw", "obs_id"]);
    assert.deepEqual(v.shape, [2, 150, N]);
    const r = await callR("hb_ll", [fit.r]) as NdArray;
    sameAsR(v, r, "fit.idata log_likelihood");
    const post = await logLik(fit);
    sameAsR(post.idata.get("log_likelihood", "y1_y2"), r, "logLik(fit)");
  });

  it("gives PSIS-LOO equal to brms::loo(fit)", async () => {
    const r = await callR("hb_loo", [fit.r]) as number[];
    const loo = psisLoo(fit.idata, { rEff: "auto" });
    const got = [loo.elpd_loo, loo.p_loo, loo.looic, loo.se_elpd_loo, loo.se_p_loo, loo.se_looic];
    got.forEach((g, i) => {
      assert.ok(Math.abs(g - r[i]) <= 1e-8 * Math.max(1, Math.abs(r[i])), `${i}: ${g} vs ${r[i]}`);
    });
  });
});
