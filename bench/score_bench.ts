/**
 * Scorer benchmark (issue 26): the expected response of 10,000 new rows × 4,000 draws,
 * summarised per row (mean, sd, 2.5% and 97.5% quantiles), in pure TS (`loadScorer(bytes)
 * .summary(rows, { chunkRows })`) against brms in R on the same fit in the same run
 * (`posterior_summary(posterior_epred(fit, newdata))`, timed inside R, so neither side pays
 * for moving data). Also the artifact's size against the fit's RDS.
 *
 * The model: gaussian `y ~ f * x + (1 + x | g)` (the scorer tests' model, so the compiled
 * model is shared), 2 chains × (250 warmup + 2,000 draws) = 4,000 draws. Memory of the TS side
 * is bounded by one chunk: ndraws × chunkRows doubles (reported), plus the design columns.
 *
 * Run: `deno run -A bench/score_bench.ts [--rows 1e4] [--chunk 500]` or
 * `bun bench/score_bench.ts`.
 *
 * @module
 */
import process from "node:process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultWorker, shutdown } from "../worker/mod.ts";
import { brm, type FitResult, saveRds } from "../brms/mod.ts";
import { exportScorer } from "../brms/postfit/export_scorer.ts";
import { loadScorer } from "../score/mod.ts";
import { report } from "./_util.ts";
import { newData, trainData } from "../tests/score_corpus.ts";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROWS = arg("rows", 1e4);
const CHUNK = arg("chunk", 500);
const MiB = 1048576;

const w = defaultWorker();
w.setConsoleOutput("silent");
const fit = (await brm({
  formula: "y ~ f * x + (1 + x | g)",
  data: trainData(),
  family: "gaussian",
  chains: 2,
  iter: 2250,
  warmup: 250,
  seed: 3,
  refresh: 0,
  returnIdata: false,
} as never)) as FitResult;
const rows = newData(2024, ROWS);

await w.eval(`brmsts_sb_time <- function(fit, nd) {
  nd <- as.data.frame(nd, stringsAsFactors = FALSE)
  gc()
  t <- system.time({
    ep <- brms::posterior_epred(fit, newdata = nd)
    s <- brms::posterior_summary(ep, probs = c(0.025, 0.975))
  })[["elapsed"]]
  list(seconds = as.double(t), mean1 = as.double(s[1, 1]), ndraws = nrow(ep))
}`);
const r = await w.call("brmsts_sb_time", [fit.r, rows], { convert: "value" }) as {
  seconds: number;
  mean1: number;
  ndraws: number;
};

const bytes = await exportScorer(fit);
const t0 = performance.now();
const scorer = loadScorer(bytes);
const tLoad = (performance.now() - t0) / 1000;
const rss0 = process.memoryUsage().rss;
const t1 = performance.now();
const s = scorer.summary(rows, { chunkRows: CHUNK, probs: [0.025, 0.975] });
const tScore = (performance.now() - t1) / 1000;
const rss1 = process.memoryUsage().rss;

const dir = mkdtempSync(join(tmpdir(), "brmsts-score-bench-"));
const rds = join(dir, "fit.rds");
await saveRds(fit, rds);
const rdsBytes = statSync(rds).size;
rmSync(dir, { recursive: true, force: true });

console.log(
  `score bench: ${ROWS} rows × ${scorer.ndraws} draws (R: ${r.ndraws}), chunk ${CHUNK} rows; ` +
    `first row mean TS ${s.mean[0]} vs R ${r.mean1}`,
);
report(
  "TS summary(epred), pure TS",
  tScore,
  "s",
  { name: "R epred+summary", value: r.seconds },
  "≤ 1",
);
report("TS loadScorer (checksum + decode)", tLoad, "s", {
  name: "R epred+summary",
  value: r.seconds,
}, "-");
console.log(
  `TS chunk bound: ${(scorer.ndraws * CHUNK * 8 / MiB).toFixed(1)} MiB per chunk buffer; ` +
    `RSS growth during the summary ${((rss1 - rss0) / MiB).toFixed(1)} MiB ` +
    `(full draws × rows would be ${(scorer.ndraws * ROWS * 8 / MiB).toFixed(0)} MiB)`,
);
report("artifact bytes (all draws)", bytes.length / MiB, "MiB", {
  name: "fit RDS",
  value: rdsBytes / MiB,
}, "-");
await shutdown();
