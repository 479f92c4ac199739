/**
 * Interpret benchmark (issue 16): an average comparison on a model fitted to 100,000 rows with
 * 4,000 draws, through brmsts (`comparisons(fit, { variables: { x: 1 }, average: true })`,
 * chunked, reduced per draw in TS) against the same computation done the R way in the same
 * worker and the same run: two full `posterior_epred()` matrices (x − 1/2 and x + 1/2, draws ×
 * rows each), averaged per draw (`rowMeans(b) - rowMeans(a)`, the leanest R form of the
 * difference), then median and quantiles.
 *
 * The model: gaussian `y ~ x + g` (g with three levels) with the fixed priors of the tests'
 * gaussian model, so its Stan code is that of `y ~ g` and the compiled model is shared; NUTS,
 * 2 chains × (250 warmup + 2,000 draws) = 4,000 draws. Peak memory: PSS of main + worker from
 * `/proc/<pid>/smaps_rollup`, sampled every 20 ms by a separate process (so a busy main thread
 * cannot hide a peak), reported above the footprint after the fit (worker with brms and the
 * fit loaded, after `gc()`). Targets: brmsts peak ≤ 1 GB above that footprint and time ≤ the
 * R way. The R way peaks at about 5 × draws × rows × 8 bytes (measured: its two matrices and
 * brms's temporaries); it is skipped (and says so) when MemAvailable is below that plus 1 GB,
 * so that it cannot push a shared machine into the OOM killer.
 *
 * Run: `deno run -A bench/interpret_bench.ts [--rows 1e5] [--draws 4000] [--chunk N]
 * [--fit-cache file.rds]` or `bun bench/interpret_bench.ts` (`--fit-cache` keeps the fit
 * between runs); `bench/run.ts` runs it with every other `*_bench.ts`.
 *
 * @module
 */
import process from "node:process";
import { readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { defaultWorker, evalR, rCode, shutdown } from "../worker/mod.ts";
import { status } from "../mod.ts";
import { brm, type FitHandle, readRdsFit, saveRds } from "../brms/mod.ts";
import { existsSync } from "node:fs";
import { comparisons } from "../interpret/mod.ts";
import { report } from "./_util.ts";
import { rng } from "../tests/brm_shared.ts";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROWS = arg("rows", 1e5);
const DRAWS = arg("draws", 4000);
const CHUNK = arg("chunk", 0) || undefined;
const sarg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
/** A file to keep the fit in between runs (fitted and saved when missing). */
const FIT_CACHE = sarg("fit-cache");
const MiB = 1048576;
const fmt = (x: number, d = 0) => x.toFixed(d);

function pss(pid: number): number {
  const m = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").match(/^Pss:\s+(\d+) kB/m);
  return m ? Number(m[1]) * 1024 : 0;
}

function memAvailable(): number {
  const m = readFileSync("/proc/meminfo", "utf8").match(/^MemAvailable:\s+(\d+) kB/m);
  return m ? Number(m[1]) * 1024 : 0;
}

const SAMPLER = `
import select, sys, time
pids = sys.argv[1:]
def pss(p):
    try:
        with open("/proc/%s/smaps_rollup" % p) as f:
            for l in f:
                if l.startswith("Pss:"):
                    return int(l.split()[1]) * 1024
    except OSError:
        return 0
    return 0
peak = 0
print("ready", flush=True)
while True:
    peak = max(peak, sum(pss(p) for p in pids))
    r, _, _ = select.select([sys.stdin], [], [], 0.02)
    if r:
        sys.stdin.readline()
        print(peak, flush=True)
        break
`;

/** Peak PSS of the processes while `fn` runs, sampled by a separate process. */
async function peakPss<T>(
  pids: number[],
  fn: () => Promise<T>,
): Promise<{ value: T; peak: number }> {
  const child = spawn("python3", ["-c", SAMPLER, ...pids.map(String)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  const lines = new Promise<void>((resolve) => {
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      if (out.includes("ready\n")) resolve();
    });
  });
  await lines;
  try {
    const value = await fn();
    const done = new Promise<void>((resolve) => child.on("close", () => resolve()));
    child.stdin.write("\n");
    await done;
    const peak = Number(out.replace("ready\n", "").trim());
    return { value, peak };
  } catch (e) {
    child.kill();
    throw e;
  }
}

defaultWorker().setConsoleOutput("silent");
const rand = rng(3);
const x = new Float64Array(ROWS), y = new Float64Array(ROWS), g: string[] = [];
for (let i = 0; i < ROWS; i++) {
  const u = 1 - rand(), v = rand();
  x[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  g.push(["a", "b", "c"][i % 3]);
  y[i] = 1 + 0.5 * x[i] + (i % 3) + (rand() - 0.5);
}
const t = performance.now();
let fit: FitHandle;
if (FIT_CACHE && existsSync(FIT_CACHE)) {
  // The posterior only: brm() below returns no InferenceData either, so both paths start from
  // the same footprint (the full one holds two draws × rows matrices, 6.4 GB at 100,000 rows).
  fit = await readRdsFit(FIT_CACHE, { idataGroups: ["posterior"] });
  console.log(`read the fit from ${FIT_CACHE}`);
} else {
  console.log(`fitting y ~ x + g on ${ROWS} rows, ${DRAWS} draws ...`);
  fit = await brm({
    formula: "y ~ x + g",
    data: { y, x, g },
    priors: [
      { prior: "normal(0, 300)", class: "b" },
      { prior: "normal(0, 300)", class: "Intercept" },
      { prior: "exponential(1)", class: "sigma" },
    ],
    chains: 2,
    warmup: 250,
    iter: 250 + DRAWS / 2,
    seed: 1,
    progress: false,
    returnIdata: false,
  });
  console.log(`  fitted in ${fmt((performance.now() - t) / 1000, 1)} s`);
  if (FIT_CACHE) await saveRds(fit, FIT_CACHE);
}
const wpid = (await status()).pid;
const pids = [process.pid, wpid];
// deno-lint-ignore no-explicit-any
const gcjs = (globalThis as any).gc ?? (globalThis as any).Bun?.gc;
const settle = async () => {
  await evalR("invisible(gc())");
  if (typeof gcjs === "function") gcjs(true);
};
await settle();
const footprint = pss(process.pid) + pss(wpid);
console.log(`  footprint after the fit (PSS main + worker): ${fmt(footprint / MiB)} MiB`);

// The two sides run REPS times (default 3), alternating which goes first (brmsts first in odd
// rounds, the R way first in even ones), so that an order effect (heap state, page cache, GC)
// hits both alike; times and ratios are the medians over the rounds.
const REPS = arg("reps", 3);
const runTs = async () => {
  const t0 = performance.now();
  const got = await peakPss(
    pids,
    () => comparisons(fit, { variables: { x: 1 }, average: true, chunkSize: CHUNK }),
  );
  const ms = performance.now() - t0;
  await settle();
  return { ms, peak: got.peak, row: got.value.rows[0] };
};

// The R way: two full posterior_epred matrices in the same worker.
// Measured here: the R way peaks at about five draws × rows matrices above the fit's footprint
// (a, b and brms's temporaries while it builds b), so it runs only when that much is free.
const need = 5 * ROWS * DRAWS * 8 + 1024 * MiB;
const code = `local({
  fit <- get(".ip_bench_fit", envir = globalenv())
  d <- fit$data
  lo <- d; lo$x <- d$x - 0.5
  hi <- d; hi$x <- d$x + 0.5
  a <- brms::posterior_epred(fit, newdata = lo)
  b <- brms::posterior_epred(fit, newdata = hi)
  avg <- rowMeans(b) - rowMeans(a)
  c(median(avg), quantile(avg, c(0.025, 0.975), names = FALSE))
})`;
// Bind the fit handle to a global name for the R snippet (removed at the end).
await defaultWorker().call("base::assign", {
  x: ".ip_bench_fit",
  value: fit.r,
  envir: rCode("globalenv()"),
});
const runR = async () => {
  if (memAvailable() < need) {
    console.log(
      `  R way skipped: needs ≈ ${fmt(need / MiB)} MiB, MemAvailable ${
        fmt(memAvailable() / MiB)
      } MiB`,
    );
    return null;
  }
  const t0 = performance.now();
  const r = await peakPss(pids, () => evalR(code));
  const ms = performance.now() - t0;
  await settle();
  return { ms, peak: r.peak, est: Array.from(r.value as Float64Array) };
};
const tsRuns: Awaited<ReturnType<typeof runTs>>[] = [];
const rRuns: NonNullable<Awaited<ReturnType<typeof runR>>>[] = [];
for (let i = 0; i < REPS; i++) {
  const order = i % 2 === 0 ? ["brmsts", "R"] : ["R", "brmsts"];
  for (const side of order) {
    if (side === "brmsts") tsRuns.push(await runTs());
    else {
      const r = await runR();
      if (r) rRuns.push(r);
    }
  }
  const a = tsRuns.at(-1)!, b = rRuns.length > i ? rRuns[i] : undefined;
  console.log(
    `  round ${i + 1} (${order.join(" then ")}): brmsts ${fmt(a.ms / 1000, 2)} s, R way ${
      b ? fmt(b.ms / 1000, 2) : "—"
    } s${b ? `, ratio ${fmt(a.ms / b.ms, 3)}` : ""}; peak PSS above the fit brmsts ${
      fmt((a.peak - footprint) / MiB)
    } MiB${b ? `, R way ${fmt((b.peak - footprint) / MiB)} MiB` : ""}; load ${
      loadavg().map((l) => l.toFixed(2)).join(" ")
    }`,
  );
}
await evalR("rm(.ip_bench_fit, envir = globalenv()); invisible(gc())");
const med = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const tsMs = med(tsRuns.map((r) => r.ms));
const rMs = rRuns.length ? med(rRuns.map((r) => r.ms)) : NaN;
const row = tsRuns[0].row;
const ts = { peak: Math.max(...tsRuns.map((r) => r.peak)) };
const rPeak = rRuns.length ? Math.max(...rRuns.map((r) => r.peak)) : NaN;
const rEst = rRuns[0]?.est ?? [];
if (rRuns.length === tsRuns.length) {
  console.log(
    `  median of the per-round ratios: ${
      fmt(med(tsRuns.map((r, k) => r.ms / rRuns[k].ms)), 3)
    } (median times below)`,
  );
}

console.log(
  `  brmsts: estimate ${row.estimate} [${row.lower}, ${row.upper}]` +
    (rEst.length ? `; R: ${rEst[0]} [${rEst[1]}, ${rEst[2]}]` : ""),
);
if (rEst.length) {
  const diff = Math.max(
    Math.abs(row.estimate - rEst[0]),
    Math.abs(row.lower - rEst[1]),
    Math.abs(row.upper - rEst[2]),
  );
  console.log(`  max |brmsts − R| = ${diff.toExponential(2)}`);
}
report(
  `comparisons(average) time, median of ${REPS}`,
  tsMs,
  "ms",
  { name: "R two posterior_epred", value: rMs },
  "≤ 1×",
);
const tsAbove = (ts.peak - footprint) / MiB, rAbove = (rPeak - footprint) / MiB;
report("comparisons(average) peak PSS above fit", tsAbove, "MiB", {
  name: "R way",
  value: rAbove,
}, "≤ 1024 MiB");
console.log(
  `  brmsts peak ${fmt(ts.peak / MiB)} MiB (${tsAbove <= 1024 ? "within" : "OVER"} 1 GB above ` +
    `the footprint); R way peak ${fmt(rPeak / MiB)} MiB`,
);
await shutdown();
