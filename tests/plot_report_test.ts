// Plots of a real brms fit: conditional effects equal brms's conditional_effects(), LOO-PIT
// equals the same PSIS weights computed by R's loo, and the fit report opens in a real headless
// Chromium with the network off (no console messages, the expected headings and plot images;
// a screenshot is kept under .cache/artifacts/).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EPILEPSY, ROOT } from "./brm_shared.ts";
import { callR, defaultWorker, evalR, shutdown } from "../worker/mod.ts";
import {
  brm,
  conditionalEffects,
  type FitResult,
  getData,
  loo,
  looCompare,
  summary,
} from "../brms/mod.ts";
import { bayesplot } from "../plot/bayesplot.ts";
import { fitReport } from "../plot/report.ts";
import { looPitValues, plotConditionalEffects, PlotInputError, plotLooPit } from "../plot/mod.ts";
import { SLOW, tempDir } from "./_rscript.ts";

const R_HELPERS = `
plot_t_ce <- function(fit, effect) {
  d <- brms::conditional_effects(fit, effects = effect)[[1]]
  list(estimate = d$estimate__, lower = d$lower__, upper = d$upper__)
}
plot_t_pit <- function(ll, yrep, y, chains) {
  N <- length(y); S <- length(ll) / N
  ll <- matrix(ll, nrow = S, byrow = TRUE); yrep <- matrix(yrep, nrow = S, byrow = TRUE)
  r_eff <- loo::relative_eff(exp(ll), chain_id = rep(seq_len(chains), each = S / chains))
  lw <- weights(loo::psis(-ll, r_eff = r_eff), log = TRUE, normalize = TRUE)
  w <- exp(lw)
  colSums(w * (yrep < rep(y, each = S))) + colSums(w * (yrep == rep(y, each = S))) / 2
}
`;

/** Runs chromium headless with the network off; resolves with its stdout and stderr. */
function chromium(args: string[], profile: string): Promise<{ out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("chromium", [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--proxy-server=127.0.0.1:9",
      "--host-resolver-rules=MAP * ~NOTFOUND",
      "--enable-logging=stderr",
      "--v=0",
      `--user-data-dir=${profile}`,
      ...args,
    ], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d) => out += d);
    child.stderr.on("data", (d) => err += d);
    const kill = () => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch { /* already gone */ }
    };
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`chromium timed out: ${err.slice(-2000)}`));
    }, 120_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("exit", () => {
      clearTimeout(timer);
      kill(); // any helper process left in the group
      resolve({ out, err });
    });
  });
}

describe("plots of a brms fit and the fit report", SLOW, () => {
  let ep: FitResult;
  const tmp = tempDir("brmsts-report-");
  before(async () => {
    defaultWorker().setConsoleOutput("silent");
    ep = await brm({
      ...EPILEPSY,
      priors: [...EPILEPSY.priors],
      data: await getData("epilepsy"),
      seed: 5,
      chains: 2,
      iter: 300,
      progress: false,
    });
    await evalR(R_HELPERS);
  });
  after(async () => {
    tmp.cleanup();
    await shutdown();
  });

  it("plotConditionalEffects draws exactly conditional_effects()'s numbers (numeric and factor effects)", async () => {
    for (const effect of ["zAge", "Trt"]) {
      const ce = await conditionalEffects(ep, { effects: effect });
      const p = plotConditionalEffects(ce);
      const rows = (p.data.effects as Record<string, unknown>[]).filter((r) => !r.point);
      const want = await callR("plot_t_ce", [ep.r, effect]) as Record<string, Float64Array>;
      assert.deepEqual(rows.map((r) => r.estimate__), [...want.estimate]);
      assert.deepEqual(rows.map((r) => r.lower__), [...want.lower]);
      assert.deepEqual(rows.map((r) => r.upper__), [...want.upper]);
      const layers = (p.spec as { layer: { mark: { type: string } }[] }).layer.map((l) =>
        l.mark.type
      );
      assert.deepEqual(layers, effect === "zAge" ? ["area", "line"] : ["rule", "point"]);
      assert.match(await p.toSVG(), /^<svg/);
    }
  });

  it("LOO-PIT values equal R's loo PSIS weights applied to the same draws (ties counted half)", async () => {
    const pit = looPitValues(ep.idata);
    const ll = ep.idata.get("log_likelihood", "count");
    const yrep = ep.idata.get("posterior_predictive", "count");
    const y = ep.idata.get("observed_data", "count");
    const want = await callR("plot_t_pit", [
      Float64Array.from(ll.data as Float64Array),
      Float64Array.from(yrep.data as ArrayLike<number>),
      Float64Array.from(y.data as ArrayLike<number>),
      ll.shape[0],
    ]) as Float64Array;
    assert.equal(pit.length, 236);
    pit.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-9, `pit[${i}] ${v} vs ${want[i]}`));
    assert.equal((plotLooPit(ep.idata).data.pit as unknown[]).length, 236);
  });

  it("bayesplot() draws R's mcmc_trace and pp_check through svglite into a Plot without a spec", async () => {
    const p = await bayesplot(ep, "mcmc_trace", { pars: ["b_zAge", "b_Trt1"] });
    assert.equal(p.spec, null);
    const svg = await p.toSVG();
    assert.match(svg, /^<svg[^>]*xmlns/);
    assert.match(svg, /b_zAge/);
    const png = await p.toPNG();
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    const pp = await bayesplot(ep, "pp_check", { args: { ndraws: 5 } });
    assert.match(await pp.toSVG(), /<svg/);
    await assert.rejects(bayesplot(ep, "plot; system('x')"), PlotInputError);
  });

  it("summary(), loo() and looCompare() results display as HTML tables with failing Rhat / ESS highlighted", async () => {
    const show = (o: object) =>
      (o as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]();
    const s = await summary(ep);
    const b = show(s);
    assert.deepEqual(Object.keys(b).sort(), ["text/html", "text/plain"]);
    assert.equal(b["text/plain"], s.toString());
    assert.match(b["text/html"], /Population-Level Effects[\s\S]*<th>zAge<\/th>/);
    // 300 draws: some bulk ESS below 400 must be highlighted, and only such cells
    const bulk = s.fixed.column("Bulk_ESS") as Float64Array;
    const low = Array.from(bulk).filter((v) => v < 400).length;
    assert.ok(low > 0);
    const cells = [...b["text/html"].matchAll(/<td class="bad">([^<]*)<\/td>/g)].length;
    assert.ok(cells >= low, `${cells} highlighted cells for ${low} low bulk ESS`);
    const l = await loo(ep);
    assert.match(show(l)["text/html"], /elpd_loo/);
    assert.equal(Object.keys(l).includes("r"), true);
    const cmp = await looCompare({ a: l, b: l });
    assert.match(show(cmp)["text/plain"], /elpd_diff/);
  });

  it("the fit report opens in headless Chromium with the network off: no console messages, every heading, inline plot images", async () => {
    const path = join(tmp.path, "report.html");
    const res = await fitReport(ep, path);
    assert.deepEqual(res.skipped, []);
    const html = readFileSync(path, "utf8");
    assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//, "no external resources");
    // brms's sampler text already names the algorithm: once, as brms prints it.
    assert.match(html, /Algorithm: sampling\(NUTS\)\n/);
    const profile = join(tmp.path, "chromium-profile");
    const dom = await chromium(["--dump-dom", `file://${path}`], profile);
    const consoleLines = dom.err.split("\n").filter((l) => l.includes(":CONSOLE"));
    assert.deepEqual(consoleLines, []);
    const headings = [...dom.out.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]);
    assert.deepEqual(headings, [
      "Model",
      "Priors",
      "Sampler settings",
      "Summary",
      "Sampler diagnostics",
      "Trace and rank plots",
      "Posterior predictive check",
      "Conditional effects",
      "Pareto k",
    ]);
    assert.equal((dom.out.match(/<svg[\s>]/g) ?? []).length, 5);
    assert.match(dom.out, /Population-Level Effects/);
    assert.match(dom.out, /Divergent transitions: \d+/);
    const shot = join(tmp.path, "report.png");
    const s = await chromium(
      [`--screenshot=${shot}`, "--window-size=1200,4000", `file://${path}`],
      profile,
    );
    assert.deepEqual(s.err.split("\n").filter((l) => l.includes(":CONSOLE")), []);
    assert.ok(existsSync(shot), "screenshot written");
    const png = readFileSync(shot);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    assert.ok(png.length > 50_000, `a screenshot with content (${png.length} bytes)`);
    const keep = join(ROOT, ".cache", "artifacts");
    mkdirSync(keep, { recursive: true });
    copyFileSync(shot, join(keep, "fit-report.png"));
    copyFileSync(path, join(keep, "fit-report.html"));
  });
});
