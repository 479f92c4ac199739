/**
 * Extraction time of a large multivariate fit (issue 18): the brms_multivariate vignette's model
 * (two gaussian responses with residual correlation, group-level terms correlated across
 * responses) on data shaped like its BTdata (828 observations; MCMCglmm, which ships BTdata, is
 * not installed here, so R makes data of the same shape), 2 chains × 500 draws. Measured in the
 * same worker and run:
 *
 * - brmsts: `toInferenceData(fit, { groups: ["posterior_predictive"] })` and
 *   `["log_likelihood"]` (what brm() spends after sampling on these two groups);
 * - baseline: R's own `posterior_predict(fit)` + `log_lik(fit)` on the same fit.
 *
 * Target: ≤ 1.1×. Run: `deno run -A bench/extract_bench.ts` or `bun bench/extract_bench.ts`.
 *
 * @module
 */
import { brm, toInferenceData } from "../brms/mod.ts";
import { bf, mvbind, setRescor } from "../formula/mod.ts";
import { callR, evalR, rCode, shutdown } from "../worker/mod.ts";
import { median, report } from "./_util.ts";

const BT = `local({ set.seed(1); n <- 828
  fosternest <- factor(sample(1:104, n, TRUE)); dam <- factor(sample(1:106, n, TRUE))
  sex <- factor(sample(c("Fem", "Male", "UNK"), n, TRUE)); hatchdate <- rnorm(n)
  u <- rnorm(104)[fosternest]; v <- rnorm(106)[dam]
  data.frame(tarsus = 0.3 * (sex == "Male") + 0.5 * u + 0.4 * v + rnorm(n),
             back = -0.2 * hatchdate + 0.3 * u + 0.2 * v + rnorm(n),
             sex, hatchdate, fosternest, dam) })`;

const fit = await brm({
  formula: bf(mvbind("tarsus", "back"), "~ sex + hatchdate + (1|p|fosternest) + (1|q|dam)")
    .add(setRescor(true)),
  data: rCode(BT),
  chains: 2,
  iter: 1000,
  seed: 1,
  returnIdata: false,
});
console.log(`sampling took ${((fit.timings.sample ?? 0) / 1000).toFixed(1)} s`);
await evalR(
  "bench_x_r <- function(f) { set.seed(1); brms::posterior_predict(f); brms::log_lik(f); NULL }",
);
const rTimes: number[] = [], tsTimes: number[] = [];
for (let rep = 0; rep < 3; rep++) {
  const t0 = performance.now();
  await toInferenceData(fit.r, { groups: ["posterior_predictive"], seed: 1 });
  await toInferenceData(fit.r, { groups: ["log_likelihood"] });
  tsTimes.push((performance.now() - t0) / 1000);
  const t1 = performance.now();
  await callR("bench_x_r", [fit]);
  rTimes.push((performance.now() - t1) / 1000);
}
report(
  "posterior_predictive + log_likelihood",
  median(tsTimes),
  "s",
  { name: "R posterior_predict + log_lik", value: median(rTimes) },
  "≤ 1.1×",
);
fit.r.dispose();
await shutdown();
