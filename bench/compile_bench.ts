/**
 * Compile benchmark (issue 17): the first fit of a never-seen model, brmsts against
 * `Rscript -e 'brms::brm(...)'`, ratios measured in the same run.
 *
 * Each run uses a fresh formula (`y ~ x<random>`, a renamed predictor, so no cache can help);
 * the sides run A, B, A, B, A, B (baseline, brmsts, baseline, …) so that a drift in machine load
 * hits both sides alike, and the load average is printed with each run:
 * - baseline: a fresh `Rscript` running `brms::brm()` (Debian's flags: `-g -O2`), wall time from
 *   spawn to exit, peak RSS of the process tree (the compiler included) from `/usr/bin/time`;
 * - brmsts: a fresh process running `brm()` with an empty models directory (the compiler cache,
 *   i.e. the precompiled header, is kept across runs and built once before the first run: that
 *   one-off build is reported on its own line), same wall time and peak RSS.
 * Both fits sample 1 chain × 200 iterations, so the time is essentially time to first draw.
 * Then, in one R session, both compiled models sample the same data with the same seed
 * (1 chain × 20000 iterations, 3 times each, interleaved): the sampling-time ratio, and whether
 * the draws are `identical()`. Also printed: the size of the cached model (brmsts's entry
 * against the same stanfit compiled the brms way, saved the same way).
 *
 * Time to first draw is the median of the runs (default 3), and the median of the per-run ratios
 * is printed too (target <= 0.5).
 *
 * Run: `deno run -A bench/compile_bench.ts [runs] [--lever NAME=VALUE]` (default 3 runs; each
 * compiles two models, about 2 minutes per run on a quiet machine). `--lever BRMSTS_LTO=0` adds a
 * third side, brmsts with that environment variable, to measure one lever in the same run.
 * `--fresh`: a machine without the precompiled header (each brmsts run starts with an empty
 * compiler cache; the header is built in the background and waited for between runs, so it
 * does not load the next side). `BRMSTS_CACHE_DIR` holds the compiler cache.
 *
 * @module
 */
import { execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { cacheDir } from "../brms/mod.ts";
import { compilerCacheStatus } from "../brms/compile/compiler.ts";
import { median, report, RUNNER } from "./_util.ts";

const SELF = fileURLToPath(import.meta.url);
const compilerDir = (root: string) => compilerCacheStatus(root).dir;
const N = 40;

function data(): { y: number[]; x: number[] } {
  const x: number[] = [], y: number[] = [];
  for (let i = 0; i < N; i++) {
    x.push(Math.round(Math.sin(i * 1.7) * 1000) / 1000);
    y.push(Math.round((1 + 2 * x[i] + Math.cos(i * 2.3)) * 1000) / 1000);
  }
  return { y, x };
}

/** Runs a command under /usr/bin/time -v: wall seconds, peak RSS (MB), stdout. */
function timed(cmd: string, args: string[], env = process.env) {
  return new Promise<{ wall: number; rssMb: number; out: string }>((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn("/usr/bin/time", ["-v", cmd, ...args], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "", err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("exit", (code) => {
      const wall = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`${cmd} failed (${code}): ${err.slice(-2000)}`));
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
      resolve({ wall, rssMb: m ? Number(m[1]) / 1024 : NaN, out });
    });
  });
}

/** The child side: one brm() fit of `y ~ <pred>` in a fresh process; prints JSON. */
async function child(pred: string, root: string) {
  const { brm } = await import("../brms/mod.ts");
  const { shutdown } = await import("../worker/mod.ts");
  const d = data();
  const fit = await brm({
    formula: `y ~ ${pred}`,
    data: { y: d.y, [pred]: d.x },
    chains: 1,
    iter: 200,
    seed: 7,
    refresh: 0,
    cacheDir: root,
    progress: false,
    returnIdata: false,
  });
  console.log(JSON.stringify({ key: fit.cacheKey, timings: fit.timings, compiler: fit.compiler }));
  await shutdown();
}

const R_SETUP = 'rstan::rstan_options(boost_lib = "/usr/include")\n' +
  "suppressMessages(library(brms))\n";

function rData(pred: string): string {
  const d = data();
  return `d <- data.frame(y = c(${d.y.join(",")}), ${pred} = c(${d.x.join(",")}))\n`;
}

async function main() {
  const args = process.argv.slice(2);
  const li = args.indexOf("--lever");
  // --lever NAME=VALUE: a third side, brmsts with that environment variable (e.g. BRMSTS_LTO=0),
  // to measure one lever's effect on the time to the first draw in the same run.
  const lever = li >= 0 ? args.splice(li, 2)[1] : undefined;
  const eq = lever?.indexOf("=") ?? -1;
  if (lever !== undefined && eq < 1) throw new Error(`--lever wants NAME=VALUE, got ${lever}`);
  const leverEnv = lever ? { [lever.slice(0, eq)]: lever.slice(eq + 1) } : {};
  // --fresh: a machine without the precompiled header; every brmsts run starts with an empty
  // compiler cache (its fit must not wait for the header, which is built in the background).
  const fresh = args.includes("--fresh");
  if (fresh) args.splice(args.indexOf("--fresh"), 1);
  const runs = Number(args[0] ?? 3);
  const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
  console.log(`load average at start: ${load()} (${cpus().length} cores)`);
  const shared = cacheDir();
  mkdirSync(compilerDir(shared), { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "brmsts-compile-bench-"));
  try {
    // The one-off header build (or its earlier build time, when it exists already): a first
    // fit of a throwaway model builds it when the shared compiler cache has none.
    let builtNow = false, buildMs = NaN;
    if (fresh) console.log("fresh machine: every brmsts run starts without a header");
    else if (!compilerCacheStatus(shared).ready) {
      const pchRoot = join(work, "pch");
      mkdirSync(pchRoot);
      symlinkSync(compilerDir(shared), compilerDir(pchRoot));
      const first = await timed(RUNNER[0], [
        ...RUNNER.slice(1),
        SELF,
        "--child",
        `xwarm${Date.now().toString(36)}`,
        pchRoot,
      ]);
      const warm = JSON.parse(first.out.trim().split("\n").at(-1)!);
      builtNow = warm.compiler?.pch === "built";
      buildMs = warm.compiler?.buildMs ?? NaN;
    }
    const manifests = readdirSync(compilerDir(shared)).filter((n) => n.startsWith("pch-"))
      .map((n) => join(compilerDir(shared), n, "manifest.json")).filter(existsSync)
      .map((f) => JSON.parse(readFileSync(f, "utf8")) as { builtMs: number; size: number });
    const m = manifests[0];
    if (!fresh) {
      console.log(
        `precompiled header: ${builtNow ? "built in this run" : "built earlier"} in ${
          ((builtNow ? buildMs : m?.builtMs ?? NaN) / 1000).toFixed(1)
        } s (wall), ${
          ((m?.size ?? NaN) / 1e6).toFixed(0)
        } MB on disk (one-off per platform; excluded below)`,
      );
    }

    const base: number[] = [], ours: number[] = [], baseRss: number[] = [], ourRss: number[] = [];
    const alt: number[] = [];
    let last = { pred: "", ref: "", entry: "" };
    for (let i = 0; i < runs; i++) {
      const pred = `x${Date.now().toString(36)}${i}`;
      const root = join(work, `run${i}`);
      mkdirSync(root);
      if (!fresh) symlinkSync(compilerDir(shared), compilerDir(root));
      const ref = join(work, `ref${i}.rds`);
      const script = join(work, `ref${i}.R`);
      writeFileSync(
        script,
        R_SETUP + rData(pred) +
          `fit <- brms::brm(y ~ ${pred}, data = d, chains = 1, iter = 200, seed = 7, refresh = 0)\n` +
          `saveRDS(fit, ${JSON.stringify(ref)})\n`,
      );
      const sides = [
        async () => {
          const r = await timed("Rscript", ["--vanilla", script]);
          base.push(r.wall), baseRss.push(r.rssMb);
        },
        async () => {
          const r = await timed(RUNNER[0], [...RUNNER.slice(1), SELF, "--child", pred, root]);
          const res = JSON.parse(r.out.trim().split("\n").at(-1)!);
          if (res.compiler?.pch !== "ready") {
            console.log(`  note: header state ${JSON.stringify(res.compiler)}`);
          }
          ours.push(r.wall), ourRss.push(r.rssMb);
          last = { pred, ref, entry: join(root, "models", `${res.key}.rds`) };
          if (fresh) {
            // The background header build must not run into the next side: wait for it.
            const t0 = performance.now();
            while (!compilerCacheStatus(root).ready && performance.now() - t0 < 900_000) {
              await new Promise((res) => setTimeout(res, 500));
            }
            const lock = readdirSync(compilerDir(root)).filter((n) => n.endsWith(".lock"));
            while (lock.some((n) => existsSync(join(compilerDir(root), n)))) {
              await new Promise((res) => setTimeout(res, 200));
            }
            console.log(
              `  header built in the background, ready ${
                ((performance.now() - t0) / 1000).toFixed(1)
              } s after the fit's process ended`,
            );
          }
        },
      ];
      if (lever) {
        const altRoot = join(work, `alt${i}`);
        mkdirSync(altRoot);
        symlinkSync(compilerDir(shared), compilerDir(altRoot));
        sides.push(async () => {
          const r = await timed(RUNNER[0], [
            ...RUNNER.slice(1),
            SELF,
            "--child",
            `${pred}a`,
            altRoot,
          ], { ...process.env, ...leverEnv });
          alt.push(r.wall);
        });
      }
      const loads: string[] = [];
      for (const s of sides) loads.push(load()), await s();
      if (lever) console.log(`  run ${i + 1}: brmsts with ${lever} ${alt.at(-1)!.toFixed(1)} s`);
      console.log(
        `  run ${i + 1}: Rscript brms::brm ${base.at(-1)!.toFixed(1)} s (${
          baseRss.at(-1)!.toFixed(0)
        } MB peak), brmsts ${ours.at(-1)!.toFixed(1)} s (${
          ourRss.at(-1)!.toFixed(0)
        } MB peak), ratio ${
          (ours.at(-1)! / base.at(-1)!).toFixed(3)
        }; load average before each side: ${loads.join(" / ")}`,
      );
    }
    console.log(`load average at end: ${load()}`);
    console.log(
      `median of the per-run ratios (brmsts / Rscript): ${
        median(ours.map((o, i) => o / base[i])).toFixed(3)
      } (target <= 0.5)`,
    );
    report(
      `first fit of a new model (median of ${runs})`,
      median(ours),
      "s",
      { name: "Rscript brms::brm", value: median(base) },
      "<= 0.5",
    );
    if (lever) {
      console.log(
        `median of the per-run ratios (brmsts with ${lever} / Rscript): ${
          median(alt.map((o, i) => o / base[i])).toFixed(3)
        }; brmsts / brmsts with ${lever}: ${median(ours.map((o, i) => o / alt[i])).toFixed(3)}`,
      );
    }
    report("peak RSS of the compile (process tree)", median(ourRss), "MB", {
      name: "Rscript brms::brm",
      value: median(baseRss),
    }, "lower");

    // Same R session: sampling speed and identical draws of the two compiled models; size of
    // the cached model both ways (the stanfit saved as a brmsts entry is saved).
    const cmp = join(work, "compare.R");
    writeFileSync(
      cmp,
      R_SETUP +
        `ref <- readRDS(${JSON.stringify(last.ref)}); entry <- readRDS(${
          JSON.stringify(last.entry)
        })\n` +
        "sd <- brms::standata(ref)\n" +
        "m_ref <- rstan::get_stanmodel(ref$fit); m_new <- rstan::get_stanmodel(entry$fit)\n" +
        "run <- function(m) { t <- system.time(f <- rstan::sampling(m, data = sd, chains = 1,\n" +
        "  iter = 20000, seed = 3, refresh = 0))[['elapsed']]; list(t = t, a = as.array(f)) }\n" +
        "tr <- tn <- c(); same <- TRUE\n" +
        "for (k in 1:3) { a <- run(m_ref); b <- run(m_new); tr <- c(tr, a$t); tn <- c(tn, b$t)\n" +
        "  same <- same && identical(a$a, b$a) }\n" +
        "f <- tempfile(); ent <- list(format = 1L, key = entry$key, code = entry$code,\n" +
        "  backend = 'rstan', fit = brms::brm(y ~ " + last.pred +
        ", data = ref$data, chains = 0, fit = ref)$fit)\n" +
        "saveRDS(ent, f, compress = FALSE)\n" +
        "cat(sprintf('RESULT %f %f %s %f\\n', median(tr), median(tn), same, file.size(f)))\n",
    );
    const out = execFileSync("Rscript", ["--vanilla", cmp], { encoding: "utf8" });
    const [tRef, tNew, same, refBytes] = out.trim().split("\n").find((l) => l.startsWith("RESULT"))!
      .split(" ").slice(1);
    report("sampling time, 1 chain x 20000 iter (median of 3)", Number(tNew), "s", {
      name: "brms-compiled model",
      value: Number(tRef),
    }, "1.0 within noise");
    console.log(`draws identical() to the brms-compiled model: ${same === "TRUE"}`);
    report("cached model size", statSync(last.entry).size / 1e6, "MB", {
      name: "same entry compiled the brms way",
      value: Number(refBytes) / 1e6,
    }, "smaller");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child") await child(process.argv[3], process.argv[4]);
else await main();
