/**
 * A custom family without R-side `posterior_predict_<name>` / `log_lik_<name>` functions
 * (the brms_customfamilies vignette's beta_binomial2, defined with R code): brm() returns the fit;
 * the groups brms cannot compute are left out with a warning in the result (and the log), the
 * others are there. Once `log_lik_beta_binomial2` exists in R, the group is computed and equals
 * brms::log_lik(fit).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import "./brm_shared.ts";
import { callR, defaultWorker, evalR, type LogEntry, rCode, shutdown } from "../worker/mod.ts";
import type { NdArray } from "../data/mod.ts";
import { brm, type FitResult, toInferenceData } from "../brms/mod.ts";

const VIGNETTE = `
bb2_family <- brms::custom_family(
  "beta_binomial2", dpars = c("mu", "phi"),
  links = c("logit", "log"), lb = c(0, 0), ub = c(1, NA),
  type = "int", vars = "vint1[n]"
)
bb2_stanvars <- brms::stanvar(scode = "
  real beta_binomial2_lpmf(int y, real mu, real phi, int T) {
    return beta_binomial_lpmf(y | T, mu * phi, (1 - mu) * phi);
  }
  int beta_binomial2_rng(real mu, real phi, int T) {
    return beta_binomial_rng(T, mu * phi, (1 - mu) * phi);
  }
", block = "functions")
bb2_data <- lme4::cbpp
NULL
`;

describe("a custom family without R-side prediction functions", () => {
  let fit: FitResult;
  const log: string[] = [];

  before(async () => {
    const w = defaultWorker();
    w.setConsoleOutput("silent");
    w.onLog((e: LogEntry) => log.push(e.text));
    await evalR(VIGNETTE);
    fit = await brm({
      formula: "incidence | vint(size) ~ period",
      data: rCode("bb2_data"),
      family: rCode("bb2_family"),
      stanvars: rCode("bb2_stanvars"),
      chains: 1,
      iter: 200,
      seed: 2,
      refresh: 0,
    });
  });

  after(() => shutdown());

  it("returns the fit and leaves out the groups it cannot compute, with warnings", () => {
    assert.deepEqual(fit.r.classes, ["brmsfit"]);
    const groups = fit.idata.groups();
    assert.ok(groups.includes("posterior"), groups.join());
    assert.ok(groups.includes("observed_data"), groups.join());
    assert.ok(!groups.includes("posterior_predictive"), groups.join());
    assert.ok(!groups.includes("log_likelihood"), groups.join());
    const pp = fit.warnings.find((w) => w.includes("'posterior_predictive' left out"));
    const ll = fit.warnings.find((w) => w.includes("'log_likelihood' left out"));
    assert.ok(pp && /posterior_predict_beta_binomial2/.test(pp), fit.warnings.join("\n"));
    assert.ok(ll && /log_lik_beta_binomial2/.test(ll), fit.warnings.join("\n"));
    assert.ok(log.some((l) => l.includes("'log_likelihood' left out")), "warning in the log");
    assert.equal(fit.idata.get("posterior", "b_Intercept").shape[1], 100);
  });

  it("computes the group once the R function exists, equal to brms::log_lik()", async () => {
    await evalR(`
      log_lik_beta_binomial2 <- function(i, prep) {
        mu <- brms::get_dpar(prep, "mu", i = i)
        phi <- brms::get_dpar(prep, "phi", i = i)
        trials <- prep$data$vint1[i]
        y <- prep$data$Y[i]
        lchoose(trials, y) + lbeta(y + mu * phi, trials - y + (1 - mu) * phi) -
          lbeta(mu * phi, (1 - mu) * phi)
      }
      NULL
    `);
    const idata = await toInferenceData(fit.r, { groups: ["log_likelihood"] });
    const v = idata.get("log_likelihood", "incidence");
    const r = await callR("brms::log_lik", [fit.r]) as NdArray;
    assert.deepEqual([v.shape[0] * v.shape[1], v.shape[2]], r.shape);
    assert.deepEqual(Array.from(v.data), Array.from(r.data as Float64Array));
  });
});
