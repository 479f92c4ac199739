/**
 * R → TS transfer of a large vector on a fresh worker: the first transfer of the worker's life
 * and the following ones, each against a warm memcpy of the same size measured in the same run.
 * Also times the main process's first full read of each result (its page faults), and checks
 * that /dev/shm and RSS do not grow over `--repeat` transfers.
 *
 * Run: `deno run -A bench/transfer_bench.ts [--n 1e8] [--times 10] [--repeat 100]` or
 * `bun bench/transfer_bench.ts …`.
 *
 * @module
 */
import process from "node:process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { loadLibC } from "../native/mod.ts";
import { defaultWorker, evalR, releaseShared, shutdown } from "../worker/mod.ts";
import { median } from "./_util.ts";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg("n", 1e8), TIMES = arg("times", 10), REPEAT = arg("repeat", 0);
const bytes = N * 8;
const now = () => performance.now();
const f = (x: number, d = 1) => x.toFixed(d);

function rss(pid: number | "self"): number {
  const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return m ? Number(m[1]) * 1024 : 0;
}
function shmBytes(): number {
  let s = 0;
  for (const n of readdirSync("/dev/shm")) {
    if (!n.startsWith("brmsts-")) continue;
    try {
      s += statSync(`/dev/shm/${n}`).size;
    } catch { /* gone */ }
  }
  return s;
}

/** A warm memcpy between two pre-touched buffers of `bytes` (best of 3 after one warm-up). */
async function memcpyMs(): Promise<number> {
  const libc = await loadLibC();
  const a = new Uint8Array(bytes).fill(1), b = new Uint8Array(bytes).fill(2);
  const pa = libc.native.ptrOf(a), pb = libc.native.ptrOf(b);
  const t: number[] = [];
  for (let i = 0; i < 4; i++) {
    const s = now();
    libc.fns.memcpy(pb, pa, BigInt(bytes));
    t.push(now() - s);
  }
  return Math.min(...t.slice(1));
}

const runtime = (globalThis as { Bun?: unknown }).Bun ? "bun" : "deno";
defaultWorker().setConsoleOutput("silent");
await evalR("1");
const pid = (await defaultWorker().status()).pid;
await evalR(`x <- runif(${N}); x_sum <- sum(x); NULL`);
const rSum = await evalR("x_sum") as number;
const mc = await memcpyMs();
console.log(
  `transfer benchmark (${runtime}): ${f(bytes / 1e6, 0)} MB, warm memcpy ${f(mc)} ms (same run)`,
);
const thp = (f: string) => {
  try {
    return readFileSync(`/sys/kernel/mm/transparent_hugepage/${f}`, "utf8").match(/\[(\w+)\]/)?.[1];
  } catch {
    return "?";
  }
};
console.log(`huge pages: anon ${thp("enabled")}, shared memory ${thp("shmem_enabled")}`);
const ratios: number[] = [];
for (let i = 1; i <= TIMES; i++) {
  const t = now();
  const v = await evalR("x") as Float64Array;
  const ms = now() - t;
  const r0 = now();
  let s = 0;
  for (let j = 0; j < v.length; j += 512) s += v[j]; // touches every 4 KiB page
  const readMs = now() - r0;
  if (v.length !== N || !(s > 0)) throw new Error("bad result");
  releaseShared(v);
  ratios.push(mc / ms);
  if (i === 1 || i === TIMES || i <= 3) {
    console.log(
      `transfer ${String(i).padStart(3)}: ${f(ms).padStart(8)} ms  ratio to memcpy ${
        f(mc / ms, 2)
      } (target ≥ 0.8)  main's first read of every page ${f(readMs)} ms`,
    );
  }
}
console.log(`median ratio of ${TIMES}: ${f(median(ratios), 2)}`);
if (rSum <= 0) throw new Error("bad sum");
if (REPEAT > 0) {
  const before = { shm: shmBytes(), main: rss("self"), worker: rss(pid) };
  for (let i = 0; i < REPEAT; i++) releaseShared(await evalR("x"));
  const after = { shm: shmBytes(), main: rss("self"), worker: rss(pid) };
  const mb = (x: number) => `${f(x / 1048576, 0)} MiB`;
  console.log(
    `after ${REPEAT} more transfers: /dev/shm ${mb(before.shm)} → ${mb(after.shm)}, RSS main ${
      mb(before.main)
    } → ${mb(after.main)}, worker ${mb(before.worker)} → ${mb(after.worker)}`,
  );
}
await shutdown();
