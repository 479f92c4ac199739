/// <reference lib="dom" />
// The explorer in real headless Chromium (Debian's, over the DevTools protocol), the server
// running under the test's runtime: every panel renders marks with the right axis titles, a
// searched variable is the only one loaded (the server's request log), the numbers shown equal
// stats/'s and brms's to their printed precision, the token is required, the page reaches
// nothing but the server, and no console errors. Screenshots go to .cache/artifacts/.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loo, summary } from "../brms/mod.ts";
import { shutdown } from "../worker/mod.ts";
import type { FitResult } from "../brms/mod.ts";
import { toZarr } from "../idata/mod.ts";
import { loo as psisLoo, summarizeDraws } from "../stats/mod.ts";
import { explore, type Explorer } from "../explore/mod.ts";
import { ARTIFACTS, openBrowser, type TestBrowser } from "./_browser.ts";
import { SLOW, tempDir } from "./_rscript.ts";
import { runScriptArgv, runtime } from "./_util.ts";
import { epilepsyFit, ROOT } from "./brm_shared.ts";
import { spawn } from "node:child_process";

const RT = runtime();
let fit: FitResult;
let ex: Explorer;
let b: TestBrowser;
const tmp = tempDir("brmsts-explore-");

/** Opens a view and waits until the page says every plot of the panel is drawn. */
async function show(hash: string, panel: string): Promise<void> {
  await b.page.goto("about:blank");
  await b.page.goto(`${ex.url}#${hash}`);
  await b.page.waitForFunction(
    (p: string) => document.body.dataset.ready === p,
    { timeout: 120_000 },
    panel,
  );
}

/** Marks drawn in each plot box of the page, and its axis titles. */
function plots() {
  return b.page.$$eval("div.plot", (boxes) =>
    boxes.map((d) => ({
      kind: (d as HTMLElement).dataset.plot ?? "",
      rendered: (d as HTMLElement).dataset.rendered ?? "",
      marks: d.querySelectorAll(
        "svg g.role-mark > path, svg g.role-mark > line",
      ).length,
      titles: [...d.querySelectorAll("svg g.role-axis-title text")].map((t) => t.textContent ?? ""),
    })));
}

/** The cells of the table rows, by row key and column. */
function cells(sectionId: string) {
  return b.page.$$eval(`#${sectionId} tr[data-row]`, (rows) =>
    rows.map((r) => ({
      row: (r as HTMLElement).dataset.row ?? "",
      cols: Object.fromEntries(
        [...r.querySelectorAll("td")].map((
          td,
        ) => [(td as HTMLElement).dataset.col, td.textContent]),
      ),
    })));
}

const shot = (name: string) =>
  b.page.screenshot({ path: join(ARTIFACTS, `explore-${name}-${RT}.png`), fullPage: true });

describe("explore() in Chromium", SLOW, () => {
  before(async () => {
    fit = (await epilepsyFit()).fit;
    ex = await explore(fit);
    b = await openBrowser(new URL(ex.url).origin);
  });
  after(async () => {
    await b?.close();
    await ex?.close();
    tmp.cleanup();
    await shutdown();
  });

  it("listens on 127.0.0.1 and needs the token on every request (403 without)", async () => {
    assert.equal(ex.host, "127.0.0.1");
    const base = `http://127.0.0.1:${ex.port}`;
    for (const p of ["/", "/api/meta", "/static/vega.js", "/api/draws?var=b_zAge"]) {
      const r = await fetch(base + p);
      assert.equal(r.status, 403, p);
      await r.body?.cancel();
      const wrong = await fetch(
        base + p + (p.includes("?") ? "&" : "?") + "token=" + "0".repeat(32),
      );
      assert.equal(wrong.status, 403, p);
      await wrong.body?.cancel();
    }
    const ok = await fetch(`${base}/api/meta?token=${ex.token}`);
    assert.equal(ok.status, 200);
    assert.equal(
      (await ok.json()).fits[0].variables,
      fit.idata.group("posterior").varNames().length,
    );
    const post = await fetch(`${base}/api/meta?token=${ex.token}`, { method: "POST", body: "x" });
    assert.equal(post.status, 405);
    await post.body?.cancel();
    const draws = await fetch(`${base}/api/draws?var=b_zAge&format=f64&token=${ex.token}`);
    const got = new Float64Array(await draws.arrayBuffer());
    assert.deepEqual(Array.from(got), Array.from(fit.idata.get("posterior", "b_zAge").data));
  });

  it("Diagnose: NUTS, rank, autocorrelation, PPC, Pareto k and LOO-PIT plots render", async () => {
    await show("panel=diagnose&v=b_Intercept&v=b_zAge&v=sd_patient__Intercept", "diagnose");
    const ps = await plots();
    const kinds = ps.map((p) => p.kind);
    for (
      const k of [
        "rank",
        "acf",
        "divergence",
        "energy",
        "treedepth",
        "stepsize",
        "ppc_dens",
        "ppc_stat",
        "pareto_k",
        "loo_pit",
      ]
    ) {
      const p = ps.find((x) => x.kind === k);
      assert.ok(p, `plot ${k} missing (have ${kinds})`);
      assert.equal(p.rendered, "1", k);
      assert.ok(p.marks > 0, `${k}: no marks`);
    }
    const titles = (k: string) => ps.find((p) => p.kind === k)!.titles;
    assert.ok(titles("rank").includes("Rank"));
    assert.ok(titles("acf").includes("Lag") && titles("acf").includes("Autocorrelation"));
    assert.ok(
      titles("divergence").includes("accept_stat__") && titles("divergence").includes("lp__"),
    );
    assert.ok(titles("energy").includes("Energy"));
    assert.ok(titles("treedepth").includes("treedepth__"));
    assert.ok(titles("stepsize").includes("stepsize__"));
    // rank histograms: 3 parameters x 2 chains x 20 bins
    assert.equal(ps.find((p) => p.kind === "rank")!.marks, 3 * 2 * 20);
    await shot("diagnose");
  });

  it("R-hat, ESS, MCSE and Pareto k shown equal stats/ and brms to their printed precision", async () => {
    const vars = ["b_Intercept", "b_zAge", "b_zBase", "b_Trt1", "b_zBase:Trt1"];
    await show(
      `panel=diagnose&${vars.map((v) => `v=${encodeURIComponent(v)}`).join("&")}`,
      "diagnose",
    );
    const shown = await cells("diag");
    const ours = summarizeDraws(fit.idata, { varNames: vars });
    assert.deepEqual(shown.map((r) => r.row), vars);
    const brms = await summary(fit);
    const fixed = brms.fixed;
    const names = fixed.rowNames!;
    for (const r of shown) {
      const s = ours.find((o) => o.variable === r.row)!;
      assert.equal(r.cols.rhat, s.rhat.toFixed(2), r.row);
      assert.equal(r.cols.ess_bulk, String(Math.round(s.ess_bulk)), r.row);
      assert.equal(r.cols.ess_tail, String(Math.round(s.ess_tail)), r.row);
      assert.equal(r.cols.mcse_mean, s.mcse_mean.toFixed(3), r.row);
      const i = names.indexOf(r.row.slice(2));
      assert.ok(i >= 0, r.row);
      const col = (c: string) => Number((fixed.column(c) as unknown as ArrayLike<number>)[i]);
      assert.equal(r.cols.rhat, col("Rhat").toFixed(2), `${r.row} Rhat vs brms`);
      assert.equal(r.cols.ess_bulk, String(Math.round(col("Bulk_ESS"))), `${r.row} Bulk_ESS`);
      assert.equal(r.cols.ess_tail, String(Math.round(col("Tail_ESS"))), `${r.row} Tail_ESS`);
    }
    // PSIS-LOO: the largest Pareto k shown, against stats/ and brms's loo()
    const top = await cells("loo");
    const kRows = top.filter((r) => r.cols.pareto_k !== undefined);
    assert.equal(kRows.length, 10);
    const mine = psisLoo(fit.idata, { rEff: "auto" }).diagnostics.pareto_k;
    const theirs = (await loo(fit)).paretoK!;
    for (const r of kRows) {
      const j = Number(r.row) - 1;
      assert.equal(r.cols.pareto_k, mine[j].toFixed(2), `k[${j}] vs stats/`);
      assert.equal(r.cols.pareto_k, theirs[j].toFixed(2), `k[${j}] vs brms loo()`);
    }
  });

  it("Estimate: intervals plot and the summary table equal brms's estimates", async () => {
    await show("panel=estimate&q=^b_", "estimate");
    const ps = await plots();
    assert.equal(ps[0].kind, "intervals");
    assert.ok(ps[0].marks > 0);
    const rows = await cells("summary");
    const b = rows.filter((r) => r.row.startsWith("b_"));
    assert.ok(b.length >= 5, `rows: ${rows.map((r) => r.row)}`);
    const brms = (await summary(fit)).fixed;
    for (const r of b) {
      const i = brms.rowNames!.indexOf(r.row.slice(2));
      const col = (c: string) => Number((brms.column(c) as unknown as ArrayLike<number>)[i]);
      assert.equal(r.cols.mean, col("Estimate").toFixed(2), `${r.row} Estimate`);
      assert.equal(r.cols.sd, col("Est.Error").toFixed(2), `${r.row} Est.Error`);
      assert.equal(r.cols["q2.5"], col("l-95% CI").toFixed(2), `${r.row} l-95% CI`);
      assert.equal(r.cols["q97.5"], col("u-95% CI").toFixed(2), `${r.row} u-95% CI`);
    }
    await shot("estimate");
  });

  it("Explore: trace, density, autocorrelation, histogram and a bivariate scatter", async () => {
    await show("panel=explore&v=b_zAge&v=b_zBase", "explore");
    const ps = await plots();
    assert.deepEqual(ps.map((p) => p.kind), ["trace", "density", "acf", "histogram", "scatter"]);
    for (const p of ps) assert.ok(p.rendered === "1" && p.marks > 0, p.kind);
    const sc = ps.find((p) => p.kind === "scatter")!;
    assert.ok(sc.titles.includes("b_zAge") && sc.titles.includes("b_zBase"));
    // one line per chain
    assert.equal(ps[0].marks, 2);
    await shot("explore");
  });

  it("More: Stan code, priors, data summary and glossary", async () => {
    await show("panel=more", "more");
    const text = await b.page.$eval("main", (m) => m.textContent ?? "");
    assert.match(text, /poisson_log/);
    assert.match(text, /student_t\(3, 0, 2.5\)/);
    assert.match(text, /Pareto k/);
    const data = await cells("data");
    assert.equal(data[0].row, "count");
    await shot("more");
  });

  it("searching a variable loads that variable only (request log)", async () => {
    await show("panel=explore&v=b_zAge", "explore");
    const mark = ex.requests.length;
    await b.page.type("#search", "^r_patient\\[7,");
    await b.page.waitForSelector('#matches div[data-var="r_patient[7,Intercept]"]');
    await b.page.click('#matches div[data-var="r_patient[7,Intercept]"]');
    await b.page.waitForFunction(() =>
      location.hash.includes("r_patient") && document.body.dataset.ready === "explore"
    );
    const log = ex.requests.slice(mark);
    const loaded = new Set<string>();
    for (const r of log) r.vars.forEach((v) => loaded.add(v));
    assert.deepEqual([...loaded].sort(), ["b_zAge", "r_patient[7,Intercept]"]);
    const searched = log.filter((r) => r.path === "/api/vars");
    assert.ok(searched.some((r) => r.query.q === "^r_patient\\[7,"));
    // the newly chosen variable's plots ask for it and the variable already shown, nothing else
    assert.ok(log.some((r) => r.path === "/api/plot" && r.vars.join() === "b_zAge"));
  });

  it("a Zarr store: variables from metadata, draws read on demand, same numbers", async () => {
    const dir = join(tmp.path, "idata.zarr");
    toZarr(fit.idata, dir);
    await using z = await explore(dir);
    const get = async (p: string) =>
      (await fetch(`http://127.0.0.1:${z.port}${p}&token=${z.token}`)).json();
    const meta = await get("/api/meta?x=1");
    assert.equal(meta.fits[0].variables, fit.idata.group("posterior").varNames().length);
    const s = await get("/api/summary?var=b_zAge&var=sd_patient__Intercept");
    assert.deepEqual(
      s.rows.map((r: { rhat: number }) => r.rhat),
      summarizeDraws(fit.idata, {
        varNames: ["b_zAge", "sd_patient__Intercept"],
        probs: [0.025, 0.975],
      })
        .map((r) => r.rhat),
    );
  });

  it("brmsts explore DIR prints a 127.0.0.1 URL with its token and serves until SIGTERM", async () => {
    const dir = join(tmp.path, "cli-fit");
    toZarr(fit.idata, join(dir, "idata.zarr"));
    const [cmd, ...args] = runScriptArgv(join(ROOT, "cli.ts"));
    const child = spawn(cmd, [...args, "explore", dir], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const url = await new Promise<string>((res, rej) => {
        let out = "";
        child.stdout!.on("data", (d) => {
          out += d;
          if (out.includes("\n")) res(out.split("\n")[0]);
        });
        child.once("exit", (c) => rej(new Error(`exited ${c} before printing a URL`)));
      });
      const u = new URL(url);
      assert.equal(u.hostname, "127.0.0.1");
      assert.match(u.searchParams.get("token") ?? "", /^[0-9a-f]{32}$/);
      const denied = await fetch(`${u.origin}/api/meta`);
      assert.equal(denied.status, 403);
      await denied.body?.cancel();
      const meta = await (await fetch(`${u.origin}/api/meta?token=${u.searchParams.get("token")}`))
        .json();
      assert.equal(meta.fits[0].variables, fit.idata.group("posterior").varNames().length);
    } finally {
      const done = new Promise<[number | null, string | null]>((r) =>
        child.once("exit", (c, sig) => r([c, sig]))
      );
      child.kill("SIGTERM");
      // Stopped: a clean exit, or (Deno, a signal racing the handler's set-up) the signal itself.
      const [code, sig] = await done;
      assert.ok(code === 0 || sig === "SIGTERM", `exit ${code} ${sig}`);
    }
  });

  it("several fits: forest plot and looCompare", async () => {
    await using two = await explore({ a: fit, b: fit.idata }, { more: false });
    const b2 = await openBrowser(new URL(two.url).origin);
    try {
      await b2.page.goto(`${two.url}#panel=compare&v=b_zAge&v=b_zBase`);
      await b2.page.waitForFunction(() => document.body.dataset.ready === "compare", {
        timeout: 120_000,
      });
      const marks = await b2.page.$$eval(
        'div.plot[data-plot="forest"] svg g.role-mark > line',
        (l) => l.length,
      );
      assert.ok(marks >= 4, `forest marks ${marks}`);
      const rows = await b2.page.$$eval(
        "#loocompare tr[data-row]",
        (r) => r.map((x) => (x as HTMLElement).dataset.row),
      );
      assert.deepEqual([...rows].sort(), ["a", "b"]);
      await b2.page.screenshot({
        path: join(ARTIFACTS, `explore-compare-${RT}.png`),
        fullPage: true,
      });
      assert.deepEqual(b2.errors, []);
      assert.deepEqual(b2.blocked, []);
    } finally {
      await b2.close();
    }
  });

  it("no console errors, nothing outside the server requested", () => {
    assert.deepEqual(b.errors, []);
    assert.deepEqual(b.blocked, []);
  });
});
