/**
 * Worker benchmarks (issue 2), printed as ratios against baselines measured in the same run:
 * - round trip of a trivial call (median of 1000) against a raw JSON-lines round trip to an echo
 *   subprocess of the same runtime (the IPC floor); target ≤ 100 µs;
 * - cold start, spawn until `library(brms)` is loaded, against `Rscript -e 'library(brms)'`;
 *   target ≤ 1.1×.
 *
 * Run: `deno run -A bench/worker_bench.ts` or `bun bench/worker_bench.ts`.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import process from "node:process";
import { RWorker } from "../worker/mod.ts";
import { median, report } from "./_util.ts";

const N = 1000;

async function ipcFloor(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "brmsts-bench-"));
  const file = join(dir, "echo.mjs");
  writeFileSync(
    file,
    `import { createInterface } from "node:readline";
const rl = createInterface({ input: process.stdin });
rl.on("line", (l) => process.stdout.write(l + "\\n"));`,
  );
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  const argv = g.Bun ? [process.execPath, file] : [g.Deno.execPath(), "run", "-A", file];
  const child = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
  let pending: ((s: string) => void) | undefined;
  let buf = "";
  child.stdout!.on("data", (d) => {
    buf += d;
    const nl = buf.indexOf("\n");
    if (nl >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      pending?.(line);
    }
  });
  const times: number[] = [];
  for (let i = 0; i < N + 100; i++) {
    const t = performance.now();
    await new Promise<string>((res) => {
      pending = res;
      child.stdin!.write(JSON.stringify({ kind: "eval", id: i, code: "1" }) + "\n");
    });
    if (i >= 100) times.push(performance.now() - t);
  }
  child.kill();
  rmSync(dir, { recursive: true, force: true });
  return median(times) * 1000;
}

async function roundTrip(): Promise<number> {
  const w = new RWorker();
  w.setConsoleOutput("silent");
  await w.eval("1");
  const times: number[] = [];
  for (let i = 0; i < N + 100; i++) {
    const t = performance.now();
    await w.eval("1");
    if (i >= 100) times.push(performance.now() - t);
  }
  await w.shutdown();
  return median(times) * 1000;
}

async function coldStart(): Promise<{ ours: number; rscript: number }> {
  const ours: number[] = [], rscript: number[] = [];
  for (let i = 0; i < 3; i++) {
    let t = performance.now();
    spawnSync("Rscript", ["-e", "suppressPackageStartupMessages(library(brms))"], {
      stdio: "ignore",
    });
    rscript.push(performance.now() - t);
    t = performance.now();
    const w = new RWorker();
    w.setConsoleOutput("silent");
    await w.eval("suppressPackageStartupMessages(library(brms))");
    ours.push(performance.now() - t);
    await w.shutdown();
  }
  return { ours: median(ours), rscript: median(rscript) };
}

// deno-lint-ignore no-explicit-any
const rt = (globalThis as any).Bun ? "bun" : "deno";
console.log(`# worker benchmarks (${rt})`);
const floor = await ipcFloor();
const rtt = await roundTrip();
report(
  "round trip evalR('1'), median of 1000",
  rtt,
  "us",
  { name: "raw pipe echo", value: floor },
  "<= 100 us",
);
const cold = await coldStart();
report("cold start to library(brms), median of 3", cold.ours, "ms", {
  name: "Rscript",
  value: cold.rscript,
}, "<= 1.1x");
