/**
 * The brms_customfamilies vignette in TypeScript: customFamily() and stanvar() give brms's Stan
 * code byte for byte (against Rscript running the vignette's R code), a fit samples the draws
 * R's own Stan call gets from the data R builds, the R helpers given as source make the
 * post-fit calls work, and callR()/call() take the fit wherever they take an RObject.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { TEST_CACHE } from "./brm_shared.ts";
import { rscript } from "./_rscript.ts";
import { callR, evalR, shutdown } from "../worker/mod.ts";
import {
  brm,
  exposeFunctions,
  type FitResult,
  getData,
  logLik,
  makeStancode,
} from "../brms/mod.ts";
import { posteriorEpred, posteriorPredict } from "../brms/postfit/mod.ts";
import { customFamily, stanvar } from "../formula/mod.ts";
import { SpecError } from "../formula/errors.ts";

const STAN_FUNS = `
  real beta_binomial2_lpmf(int y, real mu, real phi, int T) {
    return beta_binomial_lpmf(y | T, mu * phi, (1 - mu) * phi);
  }
  int beta_binomial2_rng(real mu, real phi, int T) {
    return beta_binomial_rng(T, mu * phi, (1 - mu) * phi);
  }
`;

/** The vignette's model in R, verbatim (its family, stanvars and formula). */
const R_MODEL = `
data("cbpp", package = "lme4")
beta_binomial2 <- brms::custom_family(
  "beta_binomial2", dpars = c("mu", "phi"),
  links = c("logit", "log"),
  lb = c(0, 0), ub = c(1, NA),
  type = "int", vars = "vint1[n]"
)
stan_funs <- ${JSON.stringify(STAN_FUNS)}
stanvars <- brms::stanvar(scode = stan_funs, block = "functions")
vg_form <- incidence | vint(size) ~ period + (1|herd)
`;

/** The R-side helpers (R only: no exposed Stan functions needed). */
const LOG_LIK = `function(i, prep) {
  mu <- brms::get_dpar(prep, "mu", i = i)
  phi <- brms::get_dpar(prep, "phi", i = i)
  trials <- prep$data$vint1[i]
  y <- prep$data$Y[i]
  lchoose(trials, y) + lbeta(y + mu * phi, trials - y + (1 - mu) * phi) -
    lbeta(mu * phi, (1 - mu) * phi)
}`;
const PREDICT = `function(i, prep, ...) {
  mu <- brms::get_dpar(prep, "mu", i = i)
  phi <- brms::get_dpar(prep, "phi", i = i)
  trials <- prep$data$vint1[i]
  rbinom(length(mu), trials, rbeta(length(mu), mu * phi, (1 - mu) * phi))
}`;
const EPRED = `function(prep) {
  mu <- brms::get_dpar(prep, "mu")
  trials <- prep$data$vint1
  trials <- matrix(trials, nrow = nrow(mu), ncol = ncol(mu), byrow = TRUE)
  mu * trials
}`;

const family = customFamily("beta_binomial2", {
  dpars: ["mu", "phi"],
  links: ["logit", "log"],
  lb: [0, 0],
  ub: [1, null],
  type: "int",
  vars: "vint1[n]",
  logLik: LOG_LIK,
  posteriorPredict: PREDICT,
  posteriorEpred: EPRED,
});
const stanvars = stanvar({ scode: STAN_FUNS, block: "functions" });
const FORMULA = "incidence | vint(size) ~ period + (1|herd)";

describe("custom families and stanvars (brms_customfamilies vignette)", () => {
  let fit: FitResult;
  before(async () => {
    fit = await brm({
      formula: FORMULA,
      data: await getData("cbpp", { package: "lme4" }),
      family,
      stanvars,
      chains: 1,
      iter: 300,
      warmup: 150,
      seed: 7,
      refresh: 0,
    });
    await evalR(`${R_MODEL}
vg_t_ref <- function(fit) {
  sdata <- brms::make_standata(vg_form, data = cbpp, family = beta_binomial2, stanvars = stanvars)
  sf <- rstan::sampling(fit$fit@stanmodel, data = sdata, iter = 300, warmup = 150, chains = 1,
    seed = 7, init = "random", refresh = 0)
  a <- as.array(sf)
  list(b_Intercept = as.double(a[, 1, "b_Intercept"]), phi = as.double(a[, 1, "phi"]))
}
vg_t_expose <- function(fit, y, mu, phi, T, dir) {
  # rstan's own expose, into an environment of its own (Rcpp reuses the build in dir).
  old <- list.files(dir, pattern = "[.]cpp$", recursive = TRUE, full.names = TRUE)
  e <- new.env()
  rstan::expose_stan_functions(fit$fit, env = e, cacheDir = dir)
  new <- setdiff(list.files(dir, pattern = "[.]cpp$", recursive = TRUE, full.names = TRUE), old)
  unlink(new[!grepl("/sourcecpp_", new)])
  list(exposed = e$beta_binomial2_lpmf(y, mu, phi, T),
       closed = lchoose(T, y) + lbeta(y + mu * phi, T - y + (1 - mu) * phi) -
         lbeta(mu * phi, (1 - mu) * phi))
}
vg_t_loglik <- function(fit) {
  d <- posterior::as_draws_matrix(fit)
  mu <- brms::posterior_linpred(fit, transform = TRUE)
  phi <- as.double(d[, "phi"])
  y <- cbpp$incidence; n <- cbpp$size
  out <- mu
  for (i in seq_along(y)) {
    out[, i] <- lchoose(n[i], y[i]) + lbeta(y[i] + mu[, i] * phi, n[i] - y[i] + (1 - mu[, i]) * phi) -
      lbeta(mu[, i] * phi, (1 - mu[, i]) * phi)
  }
  as.double(out)
}`);
  });
  after(async () => {
    fit?.r.dispose();
    await shutdown();
  });

  it("renders brms's custom_family() and stanvar() calls", () => {
    assert.equal(
      String(customFamily("beta_binomial2", {
        dpars: ["mu", "phi"],
        links: ["logit", "log"],
        lb: [0, 0],
        ub: [1, null],
        type: "int",
        vars: "vint1[n]",
      })),
      'brms::custom_family("beta_binomial2", dpars = c("mu", "phi"), links = c("logit", "log"), ' +
        'type = "int", lb = c(0, 0), ub = c(1, NA), vars = "vint1[n]")',
    );
    assert.equal(
      String(stanvar({ x: [1, 2], name: "w" }).add(stanvar({ scode: "real a;", block: "tdata" }))),
      'brms::stanvar(x = c(1, 2), name = "w") + brms::stanvar(scode = "real a;", block = "tdata")',
    );
  });

  it("rejects malformed custom families and stanvars with a SpecError", () => {
    assert.throws(() => customFamily("bb", { dpars: ["phi", "mu"] }), SpecError);
    assert.throws(() => customFamily("bb", { dpars: ["mu", "phi"], links: ["logit"] }), SpecError);
    assert.throws(() => customFamily("bb", { dpars: ["mu"], lb: [0, 1] }), SpecError);
    assert.throws(() => customFamily("b b"), SpecError);
    assert.throws(() => stanvar({ x: 1 }), SpecError);
    assert.throws(() => stanvar({ scode: "x", block: "nowhere" as "data" }), SpecError);
  });

  it("gives the Stan code R's brms gives for the vignette's model, byte for byte", async () => {
    const ts = await makeStancode({
      formula: FORMULA,
      data: await getData("cbpp", { package: "lme4" }),
      family,
      stanvars,
    });
    const r = rscript(`${R_MODEL}
cat(brms::make_stancode(vg_form, data = cbpp, family = beta_binomial2, stanvars = stanvars))`);
    assert.equal(ts, r);
    assert.match(ts, /beta_binomial2_lpmf\(Y\[n\] \| mu\[n\], phi, vint1\[n\]\)/);
  });

  it("samples the draws that R's Stan call gets from the data R builds", async () => {
    const ref = await callR("vg_t_ref", [fit], { convert: "value" }) as {
      b_Intercept: number[];
      phi: number[];
    };
    for (const v of ["b_Intercept", "phi"] as const) {
      const got = fit.idata.get("posterior", v);
      assert.deepEqual(got.shape, [1, 150]);
      assert.deepEqual(Array.from(got.data as Float64Array), Array.from(ref[v]), v);
    }
  });

  it("computes log_lik with the family's R helper, equal to the beta-binomial density", async () => {
    const want = await callR("vg_t_loglik", [fit], { convert: "value" }) as number[];
    const ll = await logLik(fit);
    const v = ll.idata.get("log_likelihood", "incidence");
    assert.deepEqual(v.shape, [1, 150, 56]);
    // want is draws × observations, column-major: observation i's draws are contiguous.
    const got = v.data as Float64Array;
    for (let d = 0; d < 150; d++) {
      for (let i = 0; i < 56; i++) {
        const a = got[d * 56 + i], b = want[i * 150 + d];
        if (Math.abs(a - b) > 1e-12 * Math.max(1, Math.abs(b))) {
          assert.fail(`log_lik[${d}, ${i}]: ${a} != ${b}`);
        }
      }
    }
    const pp = fit.idata.get("posterior_predictive", "incidence").data as Float64Array;
    const size = (await getData("cbpp", { package: "lme4" })).column(
      "size",
    ) as unknown as ArrayLike<number>;
    for (let k = 0; k < pp.length; k++) {
      const n = size[k % 56];
      if (!(pp[k] >= 0 && pp[k] <= n && Number.isInteger(pp[k]))) {
        assert.fail(`posterior_predictive[${k}] = ${pp[k]} outside 0..${n}`);
      }
    }
    const ep = await posteriorEpred(fit);
    assert.equal(ep.idata.get("posterior", "incidence_mean").shape.join(), "1,150,56");
    const pr = await posteriorPredict(fit, { ndraws: 10 });
    assert.equal(pr.idata.get("posterior_predictive", "incidence").shape.join(), "1,10,56");
  });

  it("exposes the model's Stan functions to R: called from TS, equal to R's own expose", async () => {
    const dir = join(TEST_CACHE, "functions");
    const t0 = performance.now();
    const names = await exposeFunctions(fit);
    // About a minute of C++ the first time; from the cache (Rcpp's, under dir) afterwards.
    process.stderr.write(`exposeFunctions: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    assert.deepEqual([...names].sort(), ["beta_binomial2_lpmf", "beta_binomial2_rng"]);
    const got = await callR("beta_binomial2_lpmf", [3, 0.2, 5, 10]) as number;
    const want = await callR("vg_t_expose", [fit, 3, 0.2, 5, 10, dir], { convert: "value" }) as {
      exposed: number;
      closed: number;
    };
    assert.equal(got, want.exposed);
    assert.ok(Math.abs(got - want.closed) < 1e-12, `${got} vs ${want.closed}`);
    const draw = await callR("beta_binomial2_rng", [0.3, 5, 10]) as number;
    assert.ok(Number.isInteger(draw) && draw >= 0 && draw <= 10, String(draw));
    // Rcpp writes each call's code to a new file in the cache: none of them is left behind.
    const platform = readdirSync(dir).filter((n) => n.startsWith("sourceCpp-"));
    for (const p of platform) {
      const top = readdirSync(join(dir, p)).filter((n) => n.endsWith(".cpp"));
      const built = readdirSync(join(dir, p)).filter((n) => n.startsWith("sourcecpp_"))
        .flatMap((b) => readdirSync(join(dir, p, b)));
      assert.deepEqual(top.filter((n) => !built.includes(n)), [], "stray code files");
    }
  });

  it("takes the fit in callR() and call() wherever an RObject is taken", async () => {
    const viaCallR = await callR("brms::ndraws", [fit]);
    const viaCall = await callR("brms::ndraws", [fit]);
    const viaHandle = await callR("brms::ndraws", [fit.r]);
    assert.equal(viaCallR, 150);
    assert.equal(viaCall, 150);
    assert.equal(viaHandle, 150);
    const h = await callR("brms::hypothesis", { x: fit, hypothesis: "Intercept > -10" }, {
      convert: "handle",
    });
    assert.ok((h as { inherits(c: string): boolean }).inherits("brmshypothesis"));
  });
});
