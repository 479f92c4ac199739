/**
 * brm() benchmarks (issue 7), printed as ratios against baselines measured in the same run:
 *
 * 1. warm: the same epilepsy fit (2 chains × 1000 iterations, cores = 1, same seed, so both
 *    sides produce identical draws) through brmsts and through a long-running Rscript with the
 *    compiled model available on both sides; R reuses it with `update(fit, newdata)` (brms's
 *    default `recompile = NULL` checks the Stan code, as brmsts's cache key does;
 *    `recompile = FALSE` is shown too). Runs alternate; target ≤ 1.05× for
 *    `returnIdata: false`; the idata variants are compared with R doing the same extraction.
 * 2. fresh: refit with new data in a fresh process against the first compile-and-fit in a
 *    fresh process with an empty cache (process wall time; `--iter n`, default 300;
 *    `--model epilepsy|small`, default both); target ≥ 10× faster. R's own fresh refit
 *    (Rscript: brm(), then update(recompile = FALSE) in new processes) is measured alongside:
 *    the speed-up any wrapper can reach is bounded by it.
 * 3. transfer: the posterior of `y ~ (1 | g)` with 20,000 groups, 2 chains × 500 draws
 *    (160 MB) reaching the host (`toInferenceData(fit, { groups: ["posterior"] })`) against R's
 *    own `as_draws_array(fit)` (target ≤ 1.2×), and the R → host copy of the same 160 MB vector
 *    against memcpy (`TypedArray.set`) in the same run (target ≥ 0.7×).
 *
 * Run: `deno run -A bench/brm_bench.ts [warm] [fresh] [transfer]` or `bun bench/brm_bench.ts`.
 *
 * @module
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { brm, getData, toInferenceData } from "../brms/mod.ts";
import { defaultWorker, named, rCode, releaseShared, shutdown } from "../worker/mod.ts";
import { median, report, RUNNER } from "./_util.ts";

const SELF = fileURLToPath(import.meta.url);
const EP_PRIORS = [
  { prior: "normal(0, 1)", class: "b" },
  { prior: "exponential(1)", class: "sd", group: "patient" },
  { prior: "student_t(3, 0, 2.5)", class: "Intercept" },
];
const EP_PRIORS_R = 'c(brms::set_prior("normal(0, 1)", class = "b"), ' +
  'brms::set_prior("exponential(1)", class = "sd", group = "patient"), ' +
  'brms::set_prior("student_t(3, 0, 2.5)", class = "Intercept"))';
const FORMULA = "count ~ zAge + zBase * Trt + (1 | patient)";

/** A long-running Rscript that runs one timed R expression per stdin line. */
function rSession(setup: string) {
  const dir = mkdtempSync(join(tmpdir(), "brmsts-bench-r-"));
  const file = join(dir, "session.R");
  writeFileSync(
    file,
    `rstan::rstan_options(boost_lib = "/usr/include")
suppressMessages(library(brms))
${setup}
con <- file("stdin"); open(con)
cat("READY\\n")
while (length(line <- readLines(con, n = 1)) > 0) {
  t <- system.time(eval(parse(text = line)))[["elapsed"]]
  cat(sprintf("TIME %.6f\\n", t))
}
`,
  );
  const p = spawn("Rscript", ["--vanilla", file], { stdio: ["pipe", "pipe", "ignore"] });
  let buf = "";
  const waiters: ((l: string) => void)[] = [];
  p.stdout!.on("data", (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line === "READY" || line.startsWith("TIME ")) waiters.shift()?.(line);
    }
  });
  const next = () => new Promise<string>((res) => waiters.push(res));
  const ready = next();
  return {
    ready,
    async time(expr: string): Promise<number> {
      const r = next();
      p.stdin!.write(expr.replace(/\n/g, " ") + "\n");
      return Number((await r).slice(5)) * 1000;
    },
    close() {
      p.stdin!.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function warm(reps = 7) {
  const epilepsy = await getData("epilepsy");
  const opts = {
    formula: FORMULA,
    data: epilepsy,
    family: "poisson",
    priors: EP_PRIORS,
    chains: 2,
    iter: 1000,
    cores: 1,
    seed: 1,
    progress: false,
  };
  const first = await brm(opts); // compiles once if the cache is cold; loads brms in the worker
  const entry = join(
    process.env.BRMSTS_CACHE_DIR ?? join(process.env.HOME ?? "", ".cache/brmsts"),
    "models",
    `${first.cacheKey}.rds`,
  );
  const r = rSession(`
x <- brm(${FORMULA}, data = epilepsy, family = poisson(), prior = ${EP_PRIORS_R}, empty = TRUE)
x$fit <- readRDS(${JSON.stringify(entry)})$fit
fit0 <- brm(${FORMULA}, data = epilepsy, family = poisson(), prior = ${EP_PRIORS_R},
            chains = 2, iter = 1000, cores = 1, seed = 1, fit = x, refresh = 0, silent = 2)`);
  await r.ready;
  // brms's safe reuse: update() with recompile = NULL (its default) compares the Stan code with
  // make_stancode() and compiles only on a difference, the check brmsts's cache key makes too.
  const upd = (recompile: string) =>
    `fit <- update(fit0, newdata = epilepsy, recompile = ${recompile}, chains = 2, ` +
    "iter = 1000, cores = 1, seed = 1, refresh = 0, silent = 2)";
  const R_FIT = upd("NULL");
  const rows: Record<string, number[]> = {};
  const add = (k: string, v: number) => (rows[k] ??= []).push(v);
  const ts = async (o: Record<string, unknown>) => {
    const t = performance.now();
    await brm({ ...opts, ...o });
    return performance.now() - t;
  };
  for (let i = 0; i < reps; i++) {
    add("r_fit", await r.time(R_FIT));
    add("ts_fit", await ts({ returnIdata: false }));
    add("r_nocheck", await r.time(upd("FALSE")));
    const DRAWS = "; a <- posterior::as_draws_array(fit); " +
      "s <- rstan::get_sampler_params(fit$fit, inc_warmup = FALSE)";
    add("r_post", await r.time(R_FIT + DRAWS));
    add("ts_post", await ts({ idataGroups: ["posterior", "sample_stats"] }));
    add(
      "r_all",
      await r.time(
        R_FIT + DRAWS + "; set.seed(1); pp <- posterior_predict(fit); ll <- log_lik(fit)",
      ),
    );
    add("ts_all", await ts({}));
  }
  r.close();
  const m = (k: string) => median(rows[k]);
  const paired = (a: string, b: string) => median(rows[a].map((x, i) => x / rows[b][i]));
  console.log(
    `warm epilepsy fit, 2 chains × 1000 iterations, cores = 1, median of ${reps} alternated runs ` +
      "(identical draws on both sides)",
  );
  report("brm(returnIdata: false)", m("ts_fit"), "ms", {
    name: "R update(recompile = NULL)",
    value: m("r_fit"),
  }, "≤ 1.05×");
  console.log(
    `  paired ratio ${paired("ts_fit", "r_fit").toFixed(3)}; overhead ` +
      `${(m("ts_fit") - m("r_fit")).toFixed(0)} ms; R update(recompile = FALSE): ` +
      `${m("r_nocheck").toFixed(0)} ms (ratio ${(m("ts_fit") / m("r_nocheck")).toFixed(3)})`,
  );
  report("brm(posterior + sample_stats)", m("ts_post"), "ms", {
    name: "R update()+as_draws_array",
    value: m("r_post"),
  }, "(info)");
  report("brm(all six groups)", m("ts_all"), "ms", {
    name: "R same + pp + log_lik",
    value: m("r_all"),
  }, "(info)");
  await shutdown();
}

/**
 * A model for the fresh-process benchmark: its brm() options in TS and the same fit in R. The
 * data shift with the seed (new data each time) while the Stan code stays the same.
 */
interface FreshModel {
  describe: string;
  options(seed: number): Promise<Record<string, unknown>>;
  /** R code that makes the data frame `d` for a seed. */
  rData(seed: number): string;
  /** R arguments of brm() after the data (formula first). */
  rModel: string;
}

const SMALL_N = 100;
const FRESH_MODELS: Record<string, FreshModel> = {
  epilepsy: {
    describe: "epilepsy, count ~ zAge + zBase * Trt + (1 | patient), poisson",
    async options(seed) {
      const epilepsy = await getData("epilepsy");
      const ep = epilepsy.column("count") as Int32Array;
      const data = Object.fromEntries(epilepsy.names.map((n) => [n, epilepsy.column(n)]));
      data.count = Int32Array.from(ep, (c) => c + (seed % 3));
      return { formula: FORMULA, data, family: "poisson", priors: EP_PRIORS };
    },
    rData: (seed) => `d <- epilepsy; d$count <- d$count + ${seed % 3}L`,
    rModel: `${FORMULA}, family = poisson(), prior = ${EP_PRIORS_R}`,
  },
  // Sampling takes a fraction of a second: what is left is start-up, loading brms and the cache.
  small: {
    describe: `y ~ x, gaussian, ${SMALL_N} rows`,
    options(seed) {
      const x = Float64Array.from({ length: SMALL_N }, (_, i) => (i + 1) / SMALL_N);
      const y = x.map((v, i) => 1 + 2 * v + 0.3 * Math.sin(7 * (i + 1)) + 0.1 * (seed % 3));
      return Promise.resolve({
        formula: "y ~ x",
        data: { x, y },
        priors: [
          { prior: "normal(0, 5)", class: "b" },
          { prior: "normal(0, 5)", class: "Intercept" },
          { prior: "exponential(1)", class: "sigma" },
        ],
      });
    },
    rData: (seed) =>
      `x <- (1:${SMALL_N}) / ${SMALL_N}; ` +
      `d <- data.frame(x = x, y = 1 + 2 * x + 0.3 * sin(7 * (1:${SMALL_N})) + 0.1 * ${seed % 3})`,
    rModel: 'y ~ x, prior = c(brms::set_prior("normal(0, 5)", class = "b"), ' +
      'brms::set_prior("normal(0, 5)", class = "Intercept"), ' +
      'brms::set_prior("exponential(1)", class = "sigma"))',
  },
};

/** Child mode: one fit in this fresh process; prints the times as JSON. */
async function child(cacheDir: string, seed: number, iter: number, model: string) {
  const t0 = performance.now();
  const fit = await brm(
    {
      ...(await FRESH_MODELS[model].options(seed)),
      chains: 2,
      iter,
      seed,
      cacheDir,
      progress: false,
    } as Parameters<typeof brm>[0],
  );
  const total = performance.now() - t0;
  console.log(
    JSON.stringify({ total, brm: fit.timings.total, compiled: fit.compiled, timings: fit.timings }),
  );
  await shutdown();
}

function runChild(
  cacheDir: string,
  seed: number,
  iter: number,
  model: string,
): Promise<{ total: number; process: number; compiled: boolean; timings: Record<string, number> }> {
  const t = performance.now();
  return new Promise((resolve, reject) =>
    execFile(
      RUNNER[0],
      [...RUNNER.slice(1), SELF, "--child", cacheDir, String(seed), String(iter), model],
      {
        maxBuffer: 1 << 24,
      },
      (e, out, err) => {
        if (e) return reject(new Error(`${e.message}\n${err}`));
        const res = JSON.parse(out.trim().split("\n").at(-1)!);
        resolve({ ...res, process: performance.now() - t });
      },
    )
  );
}

/** Wall time of one Rscript process running `code`. */
function rscriptWall(code: string): Promise<number> {
  const t = performance.now();
  return new Promise((resolve, reject) =>
    execFile("Rscript", ["--vanilla", "-e", code], { maxBuffer: 1 << 24 }, (e, _out, err) => {
      if (e) return reject(new Error(`${e.message}\n${err}`));
      resolve(performance.now() - t);
    })
  );
}

/**
 * R's own fresh-process fits, the ceiling for any wrapper: `brm()` compiles and fits, and saves
 * the fit; each refit is a new Rscript that loads brms and the saved fit and calls
 * `update(fit, newdata = …, recompile = FALSE)`, with the same data as the children.
 */
function rFresh(iter: number, m: FreshModel, rds: string) {
  const head = 'rstan::rstan_options(boost_lib = "/usr/include"); ' +
    "suppressPackageStartupMessages(library(brms)); ";
  const args = `chains = 2, iter = ${iter}, refresh = 0, silent = 2`;
  return {
    first: () =>
      rscriptWall(
        head + `${m.rData(1)}; fit <- brm(${m.rModel}, data = d, seed = 1, ${args}); ` +
          `saveRDS(fit, "${rds}")`,
      ),
    refit: (seed: number) =>
      rscriptWall(
        head + `${m.rData(seed)}; ` +
          `fit <- update(readRDS("${rds}"), newdata = d, recompile = FALSE, seed = ${seed}, ` +
          `${args})`,
      ),
  };
}

/**
 * The first fit and three refits through brmsts (each a fresh process) and through Rscript,
 * alternating, so that both sides meet the same machine state (CPU speed here moves by ±50%
 * within minutes).
 */
async function fresh(iter: number, model: string) {
  const m = FRESH_MODELS[model];
  if (!m) throw new Error(`--model: one of ${Object.keys(FRESH_MODELS).join(", ")}`);
  const dir = mkdtempSync(join(tmpdir(), "brmsts-bench-cache-"));
  const r = rFresh(iter, m, join(dir, "r-fit.rds"));
  try {
    const first = await runChild(dir, 1, iter, model);
    if (!first.compiled) throw new Error("the first fit did not compile");
    const rFirst = await r.first();
    const refits = [], rRefits: number[] = [];
    for (const seed of [2, 3, 4]) {
      refits.push(await runChild(dir, seed, iter, model));
      rRefits.push(await r.refit(seed));
    }
    if (refits.some((x) => x.compiled)) throw new Error("a refit compiled");
    const ours = refits.map((x) => x.process);
    const ref = median(ours);
    console.log(
      `fresh process: ${m.describe}, 2 chains × ${iter} iterations, empty cache then warm cache`,
    );
    report("refit, new data, fresh process (wall)", ref, "ms", {
      name: "first compile+fit",
      value: first.process,
    }, "≥ 10× faster");
    console.log(
      `  speed-up ${(first.process / ref).toFixed(1)}× (process wall time); phases of the first: ${
        JSON.stringify(first.timings)
      }; of a refit: ${JSON.stringify(refits[1].timings)}`,
    );
    console.log(
      `  R alone (Rscript, brm() then update(recompile = FALSE) in new processes, no ` +
        `posterior_predict/log_lik): first ${rFirst.toFixed(0)} ms, refit ${
          median(rRefits).toFixed(0)
        } ms, speed-up ${(rFirst / median(rRefits)).toFixed(1)}×`,
    );
    report("refit, new data, fresh process (wall)", ref, "ms", {
      name: "R's own fresh refit",
      value: median(rRefits),
    }, "(context)");
    console.log(
      `  paired refit ratios brmsts / R: ${
        ours.map((x, i) => (x / rRefits[i]).toFixed(2)).join(", ")
      }`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function transfer(reps = 5) {
  const groups = 20_000;
  const gcol: string[] = [], y = new Float64Array(2 * groups);
  for (let i = 0; i < 2 * groups; i++) {
    gcol.push(`g${i % groups}`);
    y[i] = Math.sin(i % groups) + Math.cos(i * 7.1) * 0.5;
  }
  const fit = await brm({
    formula: "y ~ (1 | g)",
    data: { y, g: gcol },
    priors: [
      { prior: "normal(0, 1)", class: "Intercept" },
      { prior: "exponential(1)", class: "sd" },
      { prior: "exponential(1)", class: "sigma" },
    ],
    chains: 2,
    cores: 2,
    iter: 600,
    warmup: 100,
    // The draws only need to exist: a short tree depth keeps sampling 20,000 effects quick.
    control: { max_treedepth: 4 },
    seed: 1,
    progress: false,
    returnIdata: false,
  });
  const w = defaultWorker();
  await w.call("base::assign", [".bench_fit", fit.r, named({ envir: rCode("globalenv()") })], {
    convert: "handle",
  });
  await w.eval(".bench_vec <- as.array(.bench_fit$fit); dim(.bench_vec) <- NULL; NULL");
  const bytes = Number(await w.eval("length(.bench_vec)")) * 8;
  const src = new Float64Array(bytes / 8).fill(1.5), dst = new Float64Array(bytes / 8);
  dst.set(src);
  const ts: number[] = [], rs: number[] = [], copies: number[] = [], mem: number[] = [];
  for (let i = 0; i < reps + 1; i++) {
    const r = Number(
      await w.eval('system.time(posterior::as_draws_array(.bench_fit))[["elapsed"]]'),
    );
    let t = performance.now();
    const idata = await toInferenceData(fit.r, { groups: ["posterior"] });
    const tPost = performance.now() - t;
    const post = idata.group("posterior");
    if (post.varNames().length !== groups + 5) throw new Error(`${post.varNames().length} vars`);
    // Hand the shared memory back now (as after the result is dropped), so that the next
    // transfer reuses warm segments, as a steady workload does.
    releaseShared([...post.vars.values()].map((v) => v.data));
    t = performance.now();
    const v = await w.eval(".bench_vec") as Float64Array;
    const tCopy = performance.now() - t;
    if (v.length * 8 !== bytes) throw new Error("short vector");
    releaseShared(v);
    t = performance.now();
    dst.set(src);
    const tMem = performance.now() - t;
    if (i === 0) {
      console.log(
        `  first (cold) run: posterior ${tPost.toFixed(0)} ms, vector ${tCopy.toFixed(0)} ms ` +
          `(${(bytes / tCopy / 1e6).toFixed(2)} GB/s), R as_draws_array ${
            (r * 1000).toFixed(0)
          } ms`,
      );
      continue;
    }
    rs.push(r * 1000), ts.push(tPost), copies.push(tCopy), mem.push(tMem);
  }
  console.log(
    `transfer: posterior of y ~ (1 | g), ${groups} groups, 2 chains × 500 draws = ` +
      `${(bytes / 1e6).toFixed(0)} MB, median of ${reps}`,
  );
  report("posterior to host (toInferenceData)", median(ts), "ms", {
    name: "R as_draws_array(fit)",
    value: median(rs),
  }, "≤ 1.2×");
  const gb = (ms: number) => bytes / ms / 1e6;
  report("R vector → host copy throughput", gb(median(copies)), "GB/s", {
    name: "memcpy (TypedArray.set)",
    value: gb(median(mem)),
  }, "≥ 0.7× (ratio)");
  await shutdown();
}

const argv = process.argv.slice(2);
if (argv[0] === "--child") {
  await child(argv[1], Number(argv[2]), Number(argv[3]), argv[4]);
} else {
  defaultWorker().setConsoleOutput("silent");
  const want = argv.length ? argv : ["warm", "fresh", "transfer"];
  if (want.includes("warm")) await warm();
  const i = argv.indexOf("--iter");
  const mi = argv.indexOf("--model");
  const models = mi >= 0 ? [argv[mi + 1]] : Object.keys(FRESH_MODELS);
  for (const model of want.includes("fresh") ? models : []) {
    await fresh(i >= 0 ? Number(argv[i + 1]) : 300, model);
  }
  if (want.includes("transfer")) await transfer();
}
