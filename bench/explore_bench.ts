/// <reference lib="dom" />
// Benchmark: time to the first rendered panel and the server's peak memory for a fit of 20,000
// variables x 4,000 draws (4 chains x 1,000), brmsts's explorer (`brmsts explore store.zarr`,
// variables listed from the Zarr metadata, draws read per variable) against shinystan
// (`as.shinystan(array)` + `launch_shinystan()`), both started as fresh processes on the same
// draws and driven the same way: one headless Chromium, launched before the clock starts, opens
// the page and waits until the first panel is drawn (brmsts: the Diagnose panel's tables and
// plots; shinystan: its home page connected and rendered, a smaller bar that favours it).
// Peak memory: VmHWM of the server's process tree. shinystan gets at most --timeout seconds.
// Run: deno run -A bench/explore_bench.ts [--vars 20000] [--draws 1000] [--timeout 900]
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import puppeteer from "puppeteer-core";
import { InferenceData, toZarr } from "../idata/mod.ts";
import { rPath, tempDir } from "../tests/_rscript.ts";
import { rng } from "../tests/brm_shared.ts";
import { RUNNER } from "./_util.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { vars: { type: "string" }, draws: { type: "string" }, timeout: { type: "string" } },
});
const P = Number(values.vars ?? 20_000), C = 4, D = Number(values.draws ?? 1000);
const LIMIT = Number(values.timeout ?? 900) * 1000;
const ROOT = new URL("..", import.meta.url).pathname;
const tmp = tempDir("brmsts-bench-explore-");

/** Sum of VmHWM (peak resident set) over a process and its descendants, in MiB. */
function treePeak(pid: number): number {
  const kids = new Map<number, number[]>();
  for (const d of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const st = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(st.slice(st.lastIndexOf(")") + 2).split(" ")[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(d)]);
    } catch { /* gone */ }
  }
  let sum = 0;
  const walk = (p: number) => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      if (m) sum += Number(m[1]) / 1024;
    } catch { /* gone */ }
    for (const k of kids.get(p) ?? []) walk(k);
  };
  walk(pid);
  return sum;
}

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

async function main() {
  console.log(
    `explorer: ${P} variables x ${C} chains x ${D} draws; load ${
      readFileSync("/proc/loadavg", "utf8").trim()
    }`,
  );
  // The fit: the same doubles for both sides (a raw file for R, a Zarr store for brmsts).
  const rand = rng(11);
  const all = new Float64Array(P * C * D);
  for (let i = 0; i < all.length; i++) all[i] = rand() + rand() + rand();
  const posterior: Record<string, { dims: string[]; data: Float64Array }> = {};
  for (let p = 0; p < P; p++) {
    posterior[`theta[${p + 1}]`] = {
      dims: ["chain", "draw"],
      data: all.subarray(p * C * D, (p + 1) * C * D),
    };
  }
  const store = join(tmp.path, "idata.zarr");
  let t = performance.now();
  toZarr(InferenceData.fromObject({ posterior }, { chains: C }), store);
  console.log(`  (Zarr store written in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  // R's layout: iterations x chains x parameters.
  const rOrder = new Float64Array(all.length);
  for (let p = 0; p < P; p++) {
    for (let c = 0; c < C; c++) {
      for (let d = 0; d < D; d++) rOrder[p * C * D + c * D + d] = all[p * C * D + c * D + d];
    }
  }
  writeFileSync(join(tmp.path, "draws.bin"), new Uint8Array(rOrder.buffer));

  const browser = await puppeteer.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  });
  const results: Record<string, { ms: number; mib: number; note: string }> = {};
  try {
    // brmsts
    {
      const page = await browser.newPage();
      t = performance.now();
      const child = spawn(RUNNER[0], [...RUNNER.slice(1), join(ROOT, "cli.ts"), "explore", store], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const url = await new Promise<string>((res, rej) => {
        let out = "";
        child.stdout!.on("data", (d) => {
          out += d;
          if (out.includes("\n")) res(out.split("\n")[0]);
        });
        child.once("exit", (c) => rej(new Error(`brmsts explore exited ${c}`)));
      });
      const listening = performance.now() - t;
      await page.goto(url);
      await page.waitForFunction(() => document.body.dataset.ready === "diagnose", {
        timeout: LIMIT,
      });
      const ms = performance.now() - t;
      const svgs = await page.$$eval("svg", (s) => s.length);
      const mib = treePeak(child.pid!);
      results.brmsts = {
        ms,
        mib,
        note: `Diagnose panel: ${svgs} plots, R-hat/ESS table; URL printed after ${
          (listening / 1000).toFixed(2)
        } s`,
      };
      const done = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await done;
      await page.close();
    }
    // shinystan
    {
      const page = await browser.newPage();
      const port = await freePort();
      t = performance.now();
      const code = `
suppressMessages(library(shinystan))
x <- readBin(${rPath(join(tmp.path, "draws.bin"))}, "double", n = ${P * C * D})
dim(x) <- c(${D}, ${C}, ${P})
dimnames(x) <- list(NULL, paste0("chain:", 1:${C}), paste0("theta[", 1:${P}, "]"))
sso <- as.shinystan(x)
options(shiny.launch.browser = FALSE)
launch_shinystan(sso, port = ${port}, host = "127.0.0.1")
`;
      const r = spawn("Rscript", ["--vanilla", "-e", code], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      let err = "";
      r.stderr!.on("data", (d) => (err += d));
      let peak = 0;
      const poll = setInterval(() => (peak = Math.max(peak, treePeak(r.pid!))), 500);
      let note = "home page connected and rendered";
      let ms = NaN;
      try {
        const end = Date.now() + LIMIT;
        let up = false;
        while (!up && Date.now() < end) {
          if (r.exitCode !== null) throw new Error(`shinystan exited: ${err.slice(-500)}`);
          try {
            const res = await fetch(`http://127.0.0.1:${port}/`);
            await res.body?.cancel();
            up = res.ok;
          } catch { /* not yet */ }
          if (!up) await new Promise((z) => setTimeout(z, 250));
        }
        if (!up) throw new Error("timeout");
        await page.goto(`http://127.0.0.1:${port}/`);
        await page.waitForFunction(
          () => {
            // deno-lint-ignore no-explicit-any
            const s = (globalThis as any).Shiny;
            return !!s?.shinyapp?.isConnected() &&
              !document.documentElement.classList.contains("shiny-busy") &&
              document.body.innerText.toUpperCase().includes("DIAGNOSE");
          },
          { timeout: Math.max(1000, end - Date.now()) },
        );
        ms = performance.now() - t;
      } catch (e) {
        note = `did not open within ${LIMIT / 1000} s (${(e as Error).message.slice(0, 120)})`;
      }
      clearInterval(poll);
      peak = Math.max(peak, treePeak(r.pid!));
      results.shinystan = { ms, mib: peak, note };
      r.kill("SIGKILL");
      await page.close();
    }
  } finally {
    await browser.close();
    tmp.cleanup();
  }
  const b = results.brmsts, s = results.shinystan;
  console.log(
    `  brmsts    first panel ${(b.ms / 1000).toFixed(2)} s, server peak ${
      b.mib.toFixed(0)
    } MiB (${b.note})`,
  );
  console.log(
    `  shinystan first panel ${(s.ms / 1000).toFixed(2)} s, server peak ${
      s.mib.toFixed(0)
    } MiB (${s.note})`,
  );
  console.log(
    `time to first panel, brmsts / shinystan: ${
      isNaN(s.ms) ? `< ${(b.ms / LIMIT).toFixed(4)}` : (b.ms / s.ms).toFixed(3)
    } | ` +
      `peak memory ratio ${(b.mib / s.mib).toFixed(3)} | target: first panel <= 2 s (brmsts ${
        (b.ms / 1000).toFixed(2)
      } s)`,
  );
}

await main();
