/**
 * Worker benchmarks (issue 2), printed as ratios against baselines measured in the same run:
 * - round trip of a trivial call (median of 1000) against raw JSON-lines round trips to an echo
 *   subprocess of the same runtime, over child-process streams and over FIFOs (the floor of
 *   the worker's own transport); target ≤ 100 µs;
 * - cold start, spawn until `library(brms)` is loaded, against `Rscript -e 'library(brms)'`;
 *   target ≤ 1.1×.
 *
 * Run: `deno run -A bench/worker_bench.ts` or `bun bench/worker_bench.ts`.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  read,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
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

/**
 * The floor of the worker's own transport: a JSON line echoed over two FIFOs, the child
 * reading with blocking `readSync` and this process with `node:fs`'s asynchronous `read`.
 */
async function fifoFloor(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "brmsts-bench-"));
  const [req, resp] = [join(dir, "req"), join(dir, "resp")];
  spawnSync("mkfifo", [req, resp]);
  const file = join(dir, "echo.mjs");
  writeFileSync(
    file,
    `import fs from "node:fs";
const [a, b] = process.argv.slice(-2);
const i = fs.openSync(a, "r"), o = fs.openSync(b, "w");
const buf = new Uint8Array(65536);
for (;;) {
  const n = fs.readSync(i, buf);
  if (n <= 0) break;
  fs.writeSync(o, buf.subarray(0, n));
}`,
  );
  const wfd = openSync(req, constants.O_RDWR), rfd = openSync(resp, constants.O_RDWR);
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  const argv = g.Bun ? [process.execPath, file] : [g.Deno.execPath(), "run", "-A", file];
  const child = spawn(argv[0], [...argv.slice(1), req, resp], { stdio: "inherit" });
  const buf = new Uint8Array(65536);
  const times: number[] = [];
  for (let i = 0; i < N + 100; i++) {
    const t = performance.now();
    writeSync(wfd, JSON.stringify({ kind: "eval", id: i, code: "1" }) + "\n");
    const n = await new Promise<number>((res, rej) =>
      read(rfd, buf, 0, buf.length, null, (e, k) => (e ? rej(e) : res(k)))
    );
    JSON.parse(new TextDecoder().decode(buf.subarray(0, n)));
    if (i >= 100) times.push(performance.now() - t);
  }
  child.kill();
  closeSync(wfd);
  closeSync(rfd);
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
const fifo = await fifoFloor();
const rtt = await roundTrip();
report(
  "round trip evalR('1'), median of 1000",
  rtt,
  "us",
  { name: "child-process stream echo", value: floor },
  "<= 100 us",
);
report(
  "round trip evalR('1'), median of 1000",
  rtt,
  "us",
  { name: "FIFO echo (our transport)", value: fifo },
  "<= 100 us",
);
const cold = await coldStart();
report("cold start to library(brms), median of 3", cold.ours, "ms", {
  name: "Rscript",
  value: cold.rscript,
}, "<= 1.1x");
