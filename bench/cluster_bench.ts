/**
 * Cluster benchmarks (issue 15), against baselines measured in the same run, with a real
 * nats-server on loopback and `brmsts worker` processes:
 *
 * 1. latency: a fresh process submitting a cached-model fit (`y ~ g`, 1 chain × 400) to a
 *    running warm worker, against a fresh process calling brm() for the same cached model;
 *    time from spawning the process to its first sampling event (target ≥ 5× less).
 * 2. throughput: 12 cached-model fits (1 chain × 1000) through 1 and 2 worker processes (and 1
 *    with `--jobs-per-r 12`, one R for all jobs)
 *    against the same 12 fits one after another in this process (warm R); wall time.
 *
 * Run: `deno run -A bench/cluster_bench.ts [latency] [throughput]` or `bun bench/cluster_bench.ts`.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { median, report, RUNNER } from "./_util.ts";
import { startNats } from "../tests/nats_shared.ts";
import { GAUSSIAN_PRIORS, groupData, TEST_CACHE } from "../tests/brm_shared.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const wanted = process.argv.slice(2);
const run = (n: string) => wanted.length === 0 || wanted.includes(n);

interface Worker {
  proc: ChildProcess;
  lines: Record<string, unknown>[];
}

function startWorker(url: string, name: string, extra: string[] = []): Worker {
  const proc = spawn(RUNNER[0], [
    ...RUNNER.slice(1),
    join(ROOT, "cli.ts"),
    "worker",
    "--nats",
    url,
    "--name",
    name,
    "--json",
    ...extra,
  ], {
    cwd: ROOT,
    env: { ...process.env, BRMSTS_CACHE_DIR: TEST_CACHE },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const w: Worker = { proc, lines: [] };
  let buf = "";
  proc.stdout!.on("data", (b: Buffer) => {
    buf += b;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      try {
        w.lines.push(JSON.parse(buf.slice(0, i)));
      } catch { /* ignore */ }
      buf = buf.slice(i + 1);
    }
  });
  return w;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 600_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await sleep(50);
  }
}

/** Count of warm R workers a worker process has announced minus the jobs it started. */
const warmCount = (w: Worker) =>
  w.lines.filter((l) => l.event === "warm").length -
  w.lines.filter((l) => l.event === "started").length;

/** Spawns a fresh job process; resolves with ms to FIRST and to DONE. */
function freshJob(args: string[]): Promise<{ first: number; done: number }> {
  const t0 = performance.now();
  const p = spawn(
    RUNNER[0],
    [...RUNNER.slice(1), join(ROOT, "bench", "_cluster_job.ts"), ...args],
    {
      cwd: ROOT,
      env: { ...process.env, BRMSTS_CACHE_DIR: TEST_CACHE },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let first = NaN;
  return new Promise((res, rej) => {
    let buf = "";
    p.stdout!.on("data", (b: Buffer) => {
      buf += b;
      if (Number.isNaN(first) && buf.includes("FIRST")) first = performance.now() - t0;
    });
    p.once(
      "exit",
      (code) =>
        code === 0 && buf.includes("DONE")
          ? res({ first, done: performance.now() - t0 })
          : rej(new Error(`job process exited ${code}`)),
    );
  });
}

async function stop(w: Worker): Promise<void> {
  if (w.proc.exitCode !== null) return;
  const gone = new Promise((r) => w.proc.once("exit", r));
  w.proc.kill("SIGTERM");
  await gone;
}

const nats = await startNats();
const workers: Worker[] = [];
try {
  // The cached model: one local fit makes sure it is compiled.
  const { brm, shutdown, setConsoleOutput } = await import("../mod.ts");
  setConsoleOutput("silent");
  const spec = (seed: number, iter: number) => ({
    formula: "y ~ g",
    data: groupData(40, seed),
    priors: GAUSSIAN_PRIORS,
    chains: 1,
    iter,
    seed,
    progress: false,
  });
  await brm(spec(1, 200));

  if (run("latency")) {
    const w = startWorker(nats.url, "lat");
    workers.push(w);
    await until(() => w.lines.some((l) => l.event === "ready"));
    const warm: number[] = [], fresh: number[] = [];
    for (let i = 0; i < 3; i++) {
      await until(() => warmCount(w) > 0);
      warm.push((await freshJob(["cluster", nats.url, String(i + 1)])).first);
      fresh.push((await freshJob(["local", "", String(i + 1)])).first);
    }
    const mw = median(warm), mf = median(fresh);
    report("latency: fresh process → first draw, warm worker", mw / 1000, "s", {
      name: "fresh process brm()",
      value: mf / 1000,
    }, "≤ 0.2 (≥ 5× less)");
    console.log(
      `  speed-up ${(mf / mw).toFixed(1)}× (runs: warm ${
        warm.map((x) => (x / 1000).toFixed(2))
      }, fresh ${fresh.map((x) => (x / 1000).toFixed(2))} s)`,
    );
    await stop(w);
    workers.length = 0;
  }

  if (run("throughput")) {
    const N = 12, ITER = 1000;
    let t = performance.now();
    for (let i = 0; i < N; i++) await brm(spec(i + 1, ITER));
    const local = (performance.now() - t) / 1000;
    const { connectCluster } = await import("../cluster/client.ts");
    const c = await connectCluster({ servers: nats.url });
    const through = async (n: number, extra: string[] = []) => {
      const ws = Array.from({ length: n }, (_, i) => startWorker(nats.url, `tp${n}-${i}`, extra));
      workers.push(...ws);
      await until(() => ws.every((w) => w.lines.some((l) => l.event === "ready")));
      t = performance.now();
      await c.map(
        Array.from({ length: N }, (_, i) => {
          const { progress: _p, ...rest } = spec(i + 1, ITER);
          return rest;
        }),
        { concurrency: N },
      );
      const s = (performance.now() - t) / 1000;
      // Where a job's time went in the workers (medians over the jobs, ms).
      const done = ws.flatMap((w) => w.lines.filter((l) => l.event === "done"));
      const med = (f: (l: Record<string, unknown>) => number) => median(done.map(f)).toFixed(0);
      const ph = (k: string) => (l: Record<string, unknown>) =>
        Number((l.fit as Record<string, number>)?.[k] ?? 0);
      const warmL = ws.flatMap((w) => w.lines.filter((l) => l.event === "warm"));
      console.log(
        `  ${n} worker(s)${extra.length ? ` ${extra.join(" ")}` : ""}, per job ms: set-up ${
          med((l) => Number(l.setupMs))
        }, prepare ` +
          `${med(ph("prepare"))}, load ${med(ph("load"))}, sample ${med(ph("sample"))}, extract ` +
          `${med(ph("extract"))}, store ${med((l) => Number(l.storeMs))}; R start ` +
          `${median(warmL.map((l) => Number(l.startMs))).toFixed(0)}, preload ` +
          `${median(warmL.map((l) => Number(l.preloadMs))).toFixed(0)}; cache ` +
          `${[...new Set(done.map((l) => l.cache))].join("/")}`,
      );
      await Promise.all(ws.map(stop));
      workers.length = 0;
      return s;
    };
    const one = await through(1);
    const two = await through(2);
    // Opt-in: one R for all 12 jobs (no per-job isolation), to show what fresh R costs.
    const reused = await through(1, ["--jobs-per-r", String(N)]);
    await c.close();
    report(`throughput: ${N} fits, 1 worker process`, one, "s", {
      name: "one script",
      value: local,
    }, "≈ 1");
    report(`throughput: ${N} fits, 2 worker processes`, two, "s", {
      name: "one script",
      value: local,
    }, "< 1 (2 cores)");
    report(`throughput: ${N} fits, 1 worker process, --jobs-per-r ${N}`, reused, "s", {
      name: "one script",
      value: local,
    }, "≈ 1 (no fresh R per job)");
    console.log(
      `  scaling 1 → 2 workers: ${(one / two).toFixed(2)}× (fits/s: script ${
        (N / local).toFixed(2)
      }, 1 worker ${(N / one).toFixed(2)}, 2 workers ${(N / two).toFixed(2)})`,
    );
  }
  await shutdown();
} finally {
  await Promise.all(workers.map(stop));
  await nats.dispose();
}
process.exit(0);
