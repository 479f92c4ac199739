/**
 * Shared-memory codec benchmark. Everything is measured in one run so the ratios compare like
 * with like on a machine that may be busy:
 *
 * 1. R → TS of N doubles (default 1e8 = 800 MB): cold and warm transfer time, against a plain
 *    memcpy of the same size (the physical limit) and against JSON lines over a pipe.
 * 2. Peak memory (RSS and PSS) of main + worker during the transfer, against R's own copy plus
 *    one payload plus 200 MB.
 * 3. TS → R of a 1,000,000 × 20 mixed data frame (double, integer, factor and string columns).
 *
 * Run: `deno run -A bench/codec_bench.ts [--n 1e8] [--rows 1e6]` or `bun bench/codec_bench.ts`.
 *
 * @module
 */
import process from "node:process";
import { readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { loadLibC } from "../native/mod.ts";
import { callR, defaultWorker, evalR, releaseShared, shutdown } from "../worker/mod.ts";
import { encodeArgs } from "../worker/main/arguments.ts";
import { Categorical, DataFrame } from "../data/mod.ts";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg("n", 1e8);
const ROWS = arg("rows", 1e6);
const JSON_N = Math.min(N, arg("json-n", 1e7));
const MB = 1e6, MiB = 1048576;
const now = () => performance.now();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const gbps = (bytes: number, ms: number) => bytes / ms / 1e6;
const fmt = (x: number, d = 2) => x.toFixed(d);

function kib(pid: number | "self", file: string, field: string): number {
  const m = readFileSync(`/proc/${pid}/${file}`, "utf8").match(
    new RegExp(`^${field}:\\s+(\\d+) kB`, "m"),
  );
  return m ? Number(m[1]) * 1024 : 0;
}

/** Samples RSS and PSS of both processes every few ms while `fn` runs. */
async function peakMemory<T>(pid: number, fn: () => Promise<T>) {
  const peak = { rss: 0, pss: 0, workerRss: 0, mainRss: 0 };
  const sample = () => {
    try {
      const mr = kib("self", "status", "VmRSS"), wr = kib(pid, "status", "VmRSS");
      const pss = kib("self", "smaps_rollup", "Pss") + kib(pid, "smaps_rollup", "Pss");
      if (mr + wr > peak.rss) Object.assign(peak, { rss: mr + wr, workerRss: wr, mainRss: mr });
      peak.pss = Math.max(peak.pss, pss);
    } catch { /* process gone */ }
  };
  sample();
  const timer = setInterval(sample, 5);
  try {
    const value = await fn();
    sample();
    return { value, peak };
  } finally {
    clearInterval(timer);
  }
}

/** JSON lines over a pipe from a child process: the classic transport, for comparison. */
async function jsonPipe(n: number): Promise<{ ms: number; check: number }> {
  const chunk = 1_000_000;
  const src = `
    const n = ${n}, chunk = ${chunk};
    const x = new Float64Array(n); for (let i = 0; i < n; i++) x[i] = Math.random();
    process.stdout.write("START\\n");
    for (let o = 0; o < n; o += chunk) process.stdout.write(JSON.stringify(Array.from(x.subarray(o, o + chunk))) + "\\n");
  `;
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  const argv = g.Bun ? [process.execPath, "-e", src] : [g.Deno.execPath(), "eval", src];
  const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
  const out = new Float64Array(n);
  let parts: string[] = [], at = 0, t0 = 0;
  const dec = new TextDecoder();
  const line = (text: string) => {
    if (text === "START") t0 = now();
    else {
      const arr = JSON.parse(text) as number[];
      out.set(arr, at);
      at += arr.length;
    }
  };
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (b: Uint8Array) => {
      let s = dec.decode(b, { stream: true }), nl;
      while ((nl = s.indexOf("\n")) >= 0) {
        parts.push(s.slice(0, nl));
        line(parts.join(""));
        parts = [];
        s = s.slice(nl + 1);
      }
      if (s) parts.push(s);
    });
    child.on("exit", () => resolve());
    child.on("error", reject);
  });
  if (at !== n) throw new Error(`JSON pipe delivered ${at} of ${n} values`);
  return { ms: now() - t0, check: out[n - 1] };
}

/** A plain memcpy of `bytes` between two pre-touched buffers (libc, through FFI). */
async function memcpyMs(bytes: number): Promise<number> {
  const libc = await loadLibC();
  const a = new Uint8Array(bytes).fill(1), b = new Uint8Array(bytes).fill(2);
  const pa = libc.native.ptrOf(a), pb = libc.native.ptrOf(b);
  const times: number[] = [];
  for (let i = 0; i < 4; i++) {
    const t = now();
    libc.fns.memcpy(pb, pa, BigInt(bytes));
    times.push(now() - t);
  }
  return Math.min(...times.slice(1));
}

/** Main-process share of a TS → R transfer: validation + layout, then the copy into a region. */
function mainSide(df: DataFrame): { plan: number; write: number } {
  let t = now();
  const p = encodeArgs([df]).plan!;
  const plan = now() - t;
  const region = new ArrayBuffer(p.size);
  p.write(region); // first touch of a fresh buffer
  t = now();
  p.write(region);
  return { plan, write: now() - t };
}

async function frameMs(df: DataFrame): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < 4; i++) {
    const t = now();
    const n = await callR("nrow", [df]);
    times.push(now() - t);
    if (n !== df.nrow) throw new Error("bad nrow");
  }
  return times;
}

function mixedFrame(n: number): DataFrame {
  const cols: Record<string, unknown> = {};
  for (let j = 0; j < 8; j++) cols[`d${j}`] = new Float64Array(n).map((_, i) => i * 0.5 + j);
  for (let j = 0; j < 4; j++) {
    cols[`i${j}`] = new Int32Array(n).map((_, i) => (i * 7 + j) % 100_000);
  }
  for (let j = 0; j < 4; j++) {
    const k = 5 + 15 * j;
    const levels = Array.from({ length: k }, (_, i) => `level_${i}`);
    const codes = new Int32Array(n).map((_, i) => (i * 31 + j) % k);
    cols[`f${j}`] = new Categorical(levels, codes);
  }
  const card = [10, 100, 10_000, n];
  card.forEach((k, j) => {
    cols[`s${j}`] = Array.from({ length: n }, (_, i) => `str_${(i * 13 + j) % k}_é`);
  });
  return new DataFrame(cols);
}

const results: [string, string][] = [];
const report = (k: string, v: string) => {
  results.push([k, v]);
  console.log(`${k.padEnd(44)} ${v}`);
};

defaultWorker().setConsoleOutput("silent");
const runtime = (globalThis as { Bun?: unknown }).Bun ? "bun" : "deno";
console.log(`codec benchmark (${runtime}): N = ${N.toExponential()} doubles, frame ${ROWS} × 20`);
await evalR("1");
const pid = (await defaultWorker().status()).pid;
const base = { main: kib("self", "status", "VmRSS"), worker: kib(pid, "status", "VmRSS") };
await evalR(`x <- runif(${N}); x_sum <- sum(x); NULL`);
const rSum = await evalR("x_sum") as number;
const payload = N * 8;

// 1 + 2: cold transfer with memory sampling (the main process also reads every value).
const cold = await peakMemory(pid, async () => {
  const t = now();
  const v = await evalR("x") as Float64Array;
  const ms = now() - t;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  if (Math.abs(s - rSum) > 1e-6 * Math.abs(rSum)) throw new Error(`sum mismatch ${s} vs ${rSum}`);
  releaseShared(v);
  return ms;
});
const warm: number[] = [];
for (let i = 0; i < 5; i++) {
  const t = now();
  const v = await evalR("x") as Float64Array;
  warm.push(now() - t);
  if (v.length !== N) throw new Error("bad length");
  releaseShared(v);
}
const warmMs = median(warm), bestMs = Math.min(...warm);
const mcMs = await memcpyMs(payload);
const json = await jsonPipe(JSON_N);
const jsonGBps = gbps(JSON_N * 8, json.ms);

report("R→TS payload", `${fmt(payload / MB, 0)} MB`);
report("memcpy (libc, warm, same run)", `${fmt(mcMs, 1)} ms  ${fmt(gbps(payload, mcMs))} GB/s`);
report(
  "R→TS shm cold (first transfer)",
  `${fmt(cold.value, 1)} ms  ${fmt(gbps(payload, cold.value))} GB/s`,
);
report(
  "R→TS shm warm (median of 5 / best)",
  `${fmt(warmMs, 1)} / ${fmt(bestMs, 1)} ms  ${fmt(gbps(payload, warmMs))} GB/s`,
);
report(
  "  ratio warm / memcpy (target ≥ 0.7)",
  `${fmt(mcMs / warmMs)} (best ${fmt(mcMs / bestMs)})`,
);
report(
  `JSON lines over a pipe (${JSON_N.toExponential()} doubles)`,
  `${fmt(json.ms, 0)} ms  ${fmt(jsonGBps, 3)} GB/s`,
);
report("  ratio shm warm / JSON", `${fmt(gbps(payload, warmMs) / jsonGBps, 0)}×`);
const budget = payload + payload + 200 * MB;
const p = cold.peak;
report("baseline RSS main + worker (no data)", `${fmt((base.main + base.worker) / MiB, 0)} MiB`);
report(
  "peak RSS main + worker (transfer + read)",
  `${fmt(p.rss / MiB, 0)} MiB (main ${fmt(p.mainRss / MiB, 0)}, worker ${
    fmt(p.workerRss / MiB, 0)
  }; shared pages counted twice)`,
);
report("peak PSS main + worker (shared split)", `${fmt(p.pss / MiB, 0)} MiB`);
report(
  "  budget R copy + payload + 200 MB",
  `${fmt(budget / MiB, 0)} MiB → PSS ${p.pss <= budget ? "within" : "OVER"}`,
);

// 3: TS → R of a 1e6 × 20 mixed frame.
const df = mixedFrame(ROWS);
const tsr = await frameMs(df);
await evalR("frame_classes <- function(d) vapply(d, function(c) class(c)[1], '')");
const cls = await callR("frame_classes", [df]) as Record<string, string>;
if (cls.f0 !== "factor" || cls.s3 !== "character" || cls.i0 !== "integer") {
  throw new Error(`wrong column classes ${JSON.stringify(cls)}`);
}
report(`TS→R ${ROWS} × 20 frame (cold)`, `${fmt(tsr[0], 0)} ms`);
report(
  `TS→R ${ROWS} × 20 frame (warm median / best)`,
  `${fmt(median(tsr.slice(1)), 0)} / ${fmt(Math.min(...tsr.slice(1)), 0)} ms (target ≤ 1000)`,
);
const ms = mainSide(df);
report("  of which main: validate + layout / copy", `${fmt(ms.plan, 0)} / ${fmt(ms.write, 0)} ms`);
const noIds = new DataFrame(Object.fromEntries(df.entries().filter(([n]) => n !== "s3")));
const tsr19 = await frameMs(noIds);
report(
  "  same without the 1e6-distinct string column",
  `${fmt(median(tsr19.slice(1)), 0)} / ${fmt(Math.min(...tsr19.slice(1)), 0)} ms (19 columns)`,
);
const ids = new DataFrame({ s3: df.column("s3") });
report(
  "  the 1e6-distinct string column alone",
  `${fmt(median((await frameMs(ids)).slice(1)), 0)} ms`,
);
const rOnly = await evalR(
  `system.time(for (i in 1:3) s <- paste0("id", seq_len(${ROWS})))[["elapsed"]] / 3`,
) as number;
report("  R alone: paste0() making 1e6 new strings", `${fmt(rOnly * 1000, 0)} ms (R's own floor)`);
await shutdown();
