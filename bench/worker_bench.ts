/**
 * Worker benchmarks (issue 2), printed as ratios against baselines measured in the same run:
 * - round trip of a trivial call (median of 1000) against raw JSON-lines round trips to an echo
 *   subprocess of the same runtime, over child-process streams and over FIFOs (the floor of
 *   the worker's own transport); target ≤ 100 µs. Five batches of 1000, the three interleaved;
 *   every batch's median is printed, then the median and the best batch;
 * - cold start, spawn until `library(brms)` is loaded, against `Rscript -e 'library(brms)'`;
 *   target ≤ 1.1×.
 *
 * Run: `deno run -A bench/worker_bench.ts [--rtt-only]` or `bun bench/worker_bench.ts`.
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
import process from "node:process";
import { tmpdir } from "node:os";
import { RWorker } from "../worker/mod.ts";
import { median, report, RUNNER } from "./_util.ts";

const N = 1000;
const BATCHES = 5;

/** A round-trip target: one batch of N timed round trips (µs, median), then clean-up. */
interface Endpoint {
  batch(): Promise<number>;
  close(): Promise<void>;
}

async function timeBatch(once: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await once(i); // warm-up
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await once(i);
    times.push(performance.now() - t);
  }
  return median(times) * 1000;
}

/** JSON lines echoed by a subprocess of the same runtime over its stdin/stdout streams. */
function streamEcho(): Endpoint {
  const dir = mkdtempSync(join(tmpdir(), "brmsts-bench-"));
  const file = join(dir, "echo.mjs");
  writeFileSync(
    file,
    `import { createInterface } from "node:readline";
const rl = createInterface({ input: process.stdin });
rl.on("line", (l) => process.stdout.write(l + "\\n"));`,
  );
  const argv = [...RUNNER, file];
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
  return {
    batch: () =>
      timeBatch((i) =>
        new Promise<string>((res) => {
          pending = res;
          child.stdin!.write(JSON.stringify({ kind: "eval", id: i, code: "1" }) + "\n");
        })
      ),
    close: () => {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

/**
 * The floor of the worker's own transport: a JSON line echoed over two FIFOs, the child
 * reading with blocking `readSync` and this process with `node:fs`'s asynchronous `read`.
 */
function fifoEcho(): Endpoint {
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
  const argv = [...RUNNER, file];
  const child = spawn(argv[0], [...argv.slice(1), req, resp], { stdio: "inherit" });
  const buf = new Uint8Array(65536);
  return {
    batch: () =>
      timeBatch(async (i) => {
        writeSync(wfd, JSON.stringify({ kind: "eval", id: i, code: "1" }) + "\n");
        const n = await new Promise<number>((res, rej) =>
          read(rfd, buf, 0, buf.length, null, (e, k) => (e ? rej(e) : res(k)))
        );
        JSON.parse(new TextDecoder().decode(buf.subarray(0, n)));
      }),
    close: () => {
      child.kill();
      closeSync(wfd);
      closeSync(rfd);
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

async function worker(): Promise<Endpoint> {
  const w = new RWorker();
  w.setConsoleOutput("silent");
  await w.eval("1");
  return { batch: () => timeBatch(() => w.eval("1")), close: () => w.shutdown() };
}

/**
 * Round trips in BATCHES rounds, the three endpoints interleaved so that the machine's noise
 * (it moves these numbers 2x between runs here) falls on all of them alike.
 */
async function roundTrips(): Promise<{ stream: number[]; fifo: number[]; rtt: number[] }> {
  const eps = [streamEcho(), fifoEcho(), await worker()];
  const out = eps.map(() => [] as number[]);
  for (let b = 0; b < BATCHES; b++) {
    for (let k = 0; k < eps.length; k++) out[k].push(await eps[k].batch());
  }
  for (const ep of eps) await ep.close();
  return { stream: out[0], fifo: out[1], rtt: out[2] };
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
const runtime = (globalThis as any).Bun ? "bun" : "deno";
console.log(`# worker benchmarks (${runtime})`);
const rt = await roundTrips();
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(" ");
console.log(
  `round-trip medians per batch of ${N} (µs): worker ${fmt(rt.rtt)} | FIFO echo ${
    fmt(rt.fifo)
  } | stream echo ${fmt(rt.stream)}`,
);
const best = (xs: number[]) => Math.min(...xs);
for (const [label, pick] of [["median batch", median], ["best batch", best]] as const) {
  report(`round trip evalR('1'), ${label}`, pick(rt.rtt), "us", {
    name: "FIFO echo (our transport)",
    value: pick(rt.fifo),
  }, "<= 100 us");
}
report("round trip evalR('1'), median batch", median(rt.rtt), "us", {
  name: "child-process stream echo",
  value: median(rt.stream),
}, "<= 100 us");
// --rtt-only: the round trips alone (the cold start takes minutes on a loaded machine).
if (process.argv.includes("--rtt-only")) process.exit(0);
const cold = await coldStart();
report("cold start to library(brms), median of 3", cold.ours, "ms", {
  name: "Rscript",
  value: cold.rscript,
}, "<= 1.1x");
