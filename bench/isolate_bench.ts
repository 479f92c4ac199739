/**
 * Isolated jobs (issue 24, item 1), ratios measured in the same run:
 * - job start, from the request to the job's first R instruction (R's clock), median of 3: a
 *   fresh copy of a warm worker (`RWorker.isolated`) against a fresh R (`new RWorker()` +
 *   `library(brms)`, what a cluster job paid before); target ≤ 0.2 s vs ≥ 4 s;
 * - 12 fits of a cached small model on one worker, each in a fresh copy (`isolate: true`)
 *   against the 12 in one R (`--jobs-per-r 12`); target ≤ 1.5×;
 * - the draws of an isolated fit against a plain fit with the same seed: bit-identical.
 *
 * Run: `deno run -A bench/isolate_bench.ts [fits]` or `bun bench/isolate_bench.ts [fits]`
 * (BRMSTS_CACHE_DIR shares the compiled model).
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import process from "node:process";
import { brm, RWorker } from "../mod.ts";
import { median } from "./_util.ts";

const FITS = Number(process.argv[2] ?? 12);
const data = { y: [1.2, 0.4, 2.2, 1.9, 3.1, 2.5, 0.7, 1.4], x: [0, 1, 0, 1, 2, 2, 0, 1] };
const fitOpts = { formula: "y ~ x", data, chains: 1, iter: 300, seed: 7, refresh: 0 };
const FIRST = "as.numeric(Sys.time()) * 1000";
const load = () => execFileSync("uptime", { encoding: "utf8" }).trim();

console.log(`load before: ${load()}`);
const w = new RWorker();
w.setConsoleOutput("silent");
await w.eval("suppressPackageStartupMessages({library(brms); library(rstan)}); invisible(NULL)");
const plain = await brm({ ...fitOpts, worker: w, progress: false }); // compiles or loads once

const copyStart: number[] = [], freshStart: number[] = [];
for (let i = 0; i < 3; i++) {
  let t0 = Date.now();
  const first = await w.isolated((iw) => iw.eval(FIRST)) as number;
  copyStart.push((first - t0) / 1000);
  t0 = Date.now();
  const f = new RWorker();
  f.setConsoleOutput("silent");
  await f.eval("suppressPackageStartupMessages({library(brms); library(rstan)}); invisible(NULL)");
  freshStart.push(((await f.eval(FIRST) as number) - t0) / 1000);
  await f.shutdown();
}
const cs = median(copyStart), fs = median(freshStart);
console.log(`job start, isolated copy: ${copyStart.map((x) => x.toFixed(3)).join(", ")} s`);
console.log(`job start, fresh R:       ${freshStart.map((x) => x.toFixed(3)).join(", ")} s`);
console.log(`median ${cs.toFixed(3)} s vs ${fs.toFixed(2)} s: ratio ${(cs / fs).toFixed(3)}`);

const isoRuns: number[] = [], sharedRuns: number[] = [];
for (let r = 0; r < 3; r++) {
  // Alternating order: shared R first on even rounds, copies first on odd ones.
  for (const side of r % 2 ? ["iso", "shared"] : ["shared", "iso"]) {
    const t0 = performance.now();
    for (let i = 0; i < FITS; i++) {
      await brm({ ...fitOpts, worker: w, progress: false, isolate: side === "iso" });
    }
    (side === "iso" ? isoRuns : sharedRuns).push((performance.now() - t0) / 1000);
  }
}
const iso = median(isoRuns), shared = median(sharedRuns);
console.log(`${FITS} fits, a copy each:  ${isoRuns.map((x) => x.toFixed(1)).join(", ")} s`);
console.log(`${FITS} fits, one R:        ${sharedRuns.map((x) => x.toFixed(1)).join(", ")} s`);
console.log(`median ratio ${(iso / shared).toFixed(3)} (target ≤ 1.5)`);

const forked = await brm({ ...fitOpts, worker: w, progress: false, isolate: true });
let same = true;
for (const v of plain.idata.group("posterior").vars.keys()) {
  const a = plain.idata.get("posterior", v).data as Float64Array;
  const b = forked.idata.get("posterior", v).data as Float64Array;
  same &&= a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}
console.log(`draws bit-identical to the plain fit: ${same}`);
console.log(`load after: ${load()}`);
await w.shutdown();
