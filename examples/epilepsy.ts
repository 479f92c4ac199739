/**
 * The reference example: brms's epilepsy model, fitted by real brms in the R worker.
 *
 *   count ~ zAge + zBase * Trt + (1 | patient), family poisson,
 *   priors normal(0, 1) on b, exponential(1) on sd of patient, student_t(3, 0, 2.5) on Intercept,
 *   4 chains × 2000 iterations.
 *
 * Prints a summary table like brms's (estimate, error, 95% interval, Rhat, bulk/tail ESS) and
 * the time of each phase. The first run compiles the Stan model (about a minute); later runs,
 * also in new processes, reuse it from the cache.
 *
 * Run: `npm run example` (or `deno run -A examples/epilepsy.ts`, `bun examples/epilepsy.ts`).
 *
 * @module
 */
import { availableParallelism } from "node:os";
import process from "node:process";
import { brm, getData } from "../brms/mod.ts";
import { summarizeDraws, type SummaryRow } from "../stats/mod.ts";
import { shutdown } from "../worker/mod.ts";
import { plotPosterior } from "../plot/mod.ts";
import { fitReport } from "../plot/report.ts";
import { resolve } from "node:path";

const t0 = performance.now();
const epilepsy = await getData("epilepsy");
const tData = performance.now() - t0;

const fit = await brm({
  formula: "count ~ zAge + zBase * Trt + (1 | patient)",
  data: epilepsy,
  family: "poisson",
  priors: [
    { prior: "normal(0, 1)", class: "b" },
    { prior: "exponential(1)", class: "sd", group: "patient" },
    { prior: "student_t(3, 0, 2.5)", class: "Intercept" },
  ],
  chains: 4,
  iter: 2000,
  cores: Math.min(4, availableParallelism()),
  seed: 2024,
  dataName: "epilepsy", // the Data: line of summaries and the fit report
});

const tSum0 = performance.now();
const post = fit.idata.group("posterior");
const wanted = post.varNames().filter((v) => /^(b|sd|cor|sigma|shape|nu)_|^sigma$|^shape$/.test(v));
const rows = summarizeDraws(fit.idata, { varNames: wanted, probs: [0.025, 0.975] });
const tSum = performance.now() - tSum0;

function table(title: string, rs: SummaryRow[], strip: RegExp): void {
  if (!rs.length) return;
  const head = [
    "",
    "Estimate",
    "Est.Error",
    "l-95% CI",
    "u-95% CI",
    "Rhat",
    "Bulk_ESS",
    "Tail_ESS",
  ];
  const body = rs.map((r) => [
    r.variable.replace(strip, ""),
    r.mean.toFixed(2),
    r.sd.toFixed(2),
    r["q2.5"].toFixed(2),
    r["q97.5"].toFixed(2),
    r.rhat.toFixed(2),
    Math.round(r.ess_bulk).toString(),
    Math.round(r.ess_tail).toString(),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(`\n${title}`);
  console.log(line(head));
  for (const b of body) console.log(line(b));
}

const { chains, draws } = fit.idata.chainsAndDraws();
console.log(" Family: poisson\n  Links: mu = log");
console.log("Formula: count ~ zAge + zBase * Trt + (1 | patient)");
console.log(`   Data: epilepsy (Number of observations: ${epilepsy.nrow})`);
console.log(`  Draws: ${chains} chains, each with iter = 2000; warmup = 1000; thin = 1;`);
console.log(`         total post-warmup draws = ${chains * draws}`);
table(
  "Group-Level Effects:\n~patient (Number of levels: 59)",
  rows.filter((r) => r.variable.startsWith("sd_patient__")),
  /^sd_patient__/,
);
table("Population-Level Effects:", rows.filter((r) => r.variable.startsWith("b_")), /^b_/);

let divergent = 0;
for (const d of fit.idata.get("sample_stats", "divergent__").data) divergent += d;
console.log(`\nDivergent transitions: ${divergent}`);
console.log(`InferenceData groups: ${fit.idata.groups().join(", ")}`);

const ms = (x?: number) => (x === undefined ? "-" : `${(x / 1000).toFixed(2)} s`);
const t = fit.timings;
console.log(
  `\nTimings: data ${ms(tData)} | prepare ${ms(t.prepare)} | load ${ms(t.load)} | compile ` +
    `${ms(t.compile)} | sample ${ms(t.sample)} | extract ${ms(t.extract)} | summary ${ms(tSum)} ` +
    `| brm() total ${ms(t.total)}`,
);
console.log(
  `Compiled model: ${
    fit.compiled ? "compiled now (cached for next time)" : `reused (${fit.cache})`
  }`,
);
// Plots: the population-level effects as intervals (PNG) and a self-contained fit report.
const png = resolve("epilepsy-intervals.png");
await plotPosterior(fit.idata, {
  kind: "intervals",
  varNames: wanted.filter((v) => v.startsWith("b_")),
})
  .save(png, { scale: 2 });
const report = await fitReport(fit, resolve("epilepsy-report.html"));
console.log(`\nPlot: ${png}\nFit report: ${report.path}`);
await shutdown();
process.exit(0);
