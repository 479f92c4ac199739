/**
 * The package's subpath modules (package.json / deno.json `exports`). The pure ones (stats,
 * formula, data, idata, plot specs, display) are imported and used in three places where FFI,
 * subprocesses and the file system are out of reach: a Deno process run with no permissions at
 * all, a Bun process, and headless Chromium (each use bundled with `bun build --target browser`
 * into one ES module, inlined in a page). Every run computes the same values: closed-form ones
 * asserted exactly, the others equal to what this (fully privileged) process computes with the
 * same code.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const BIN = join(ROOT, "node_modules", ".bin");
const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const DENO_JSON = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8"));
const EXPORTS: Record<string, string> = PKG.exports;
const PURE = ["./stats", "./formula", "./data", "./idata", "./plot", "./display"] as const;
const file = (sub: string) => join(ROOT, EXPORTS[sub]);

/**
 * One use per pure subpath: an ES module exporting `run()`, which returns JSON-able values.
 * `@stats` etc. stand for the subpath's file.
 */
const USES: Record<(typeof PURE)[number], string> = {
  "./stats": `
import { essBulk, hdi, loo, rhat, summarizeDraws } from "@stats";
import { InferenceData } from "@idata";
export function run() {
  const x = Float64Array.from({ length: 100 }, (_, i) => i + 1); // 2 chains x 50 draws: 1..100
  const idata = InferenceData.fromObject({ posterior: { mu: x } }, { chains: 2 });
  const [row] = summarizeDraws(idata);
  // log-likelihood of 4 observations under 200 draws, row-major (draw, observation)
  const data = Float64Array.from({ length: 800 }, (_, k) =>
    -0.5 * ((k % 4) - 1.5 - Math.sin(Math.floor(k / 4))) ** 2 - 0.92);
  const l = loo({ data, draws: 200, obs: 4 }, { rEff: 1 });
  return { row, rhat: rhat(x, 2), essBulk: essBulk(x, 2), hdi: hdi(x, 0.9),
    elpd: l.elpd_loo, k: Array.from(l.pointwise.influence_pareto_k) };
}`,
  "./formula": `
import { bf, prior, poisson } from "@formula";
export function run() {
  return { bf: String(bf("y ~ x + (1 | g)", "sigma ~ z")),
    prior: String(prior("normal(0, 1)", "b", { coef: "x" })), family: String(poisson()) };
}`,
  "./data": `
import { DataFrame, Categorical } from "@data";
export function run() {
  const df = new DataFrame({ x: [1, 2, 3, 4], g: Categorical.from(["a", "b", "a", "b"]) });
  return { nrow: df.nrow, names: df.names, records: df.toRecords(), text: df.toString() };
}`,
  "./idata": `
import { InferenceData } from "@idata";
export function run() {
  const idata = InferenceData.fromObject(
    { posterior: { mu: Float64Array.from({ length: 12 }, (_, i) => i) } }, { chains: 3 });
  const v = idata.get("posterior", "mu");
  return { groups: idata.groups(), dims: v.dims, shape: v.shape, last: v.data[11] };
}`,
  "./plot": `
import { plotPosterior, plotTrace } from "@plot";
import { InferenceData } from "@idata";
export function run() {
  const x = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  const idata = InferenceData.fromObject({ posterior: { mu: x } }, { chains: 2 });
  const trace = plotTrace(idata).spec;
  const intervals = plotPosterior(idata, { kind: "intervals" }).spec;
  return { schema: trace.$schema, traceRows: trace.data.values.length,
    intervals: intervals.data.values };
}`,
  "./display": `
import { rowsBundle } from "@display";
export function run() {
  const b = rowsBundle([{ a: 1, b: "x<y" }], { title: "T" });
  return { text: b["text/plain"], html: b["text/html"].includes("<td>x&lt;y</td>") };
}`,
};

const tmp = mkdtempSync(join(tmpdir(), "brmsts-subpath-"));

/** The module of a use with `@name` replaced by the subpath's file URL; path of a runner. */
function writeUse(sub: (typeof PURE)[number], target: "host" | "browser"): string {
  const src = USES[sub].replace(/"@(\w+)"/g, (_, n) => JSON.stringify(file("./" + n)));
  const name = sub.slice(2);
  writeFileSync(join(tmp, `${name}_use.ts`), src);
  const runner = target === "host"
    ? `import { run } from "./${name}_use.ts";\nconsole.log(JSON.stringify(run()));\n`
    : `import { run } from "./${name}_use.ts";\n` +
      `document.getElementById("out").textContent = encodeURIComponent(JSON.stringify(run()));\n`;
  const path = join(tmp, `${name}_${target}.ts`);
  writeFileSync(path, runner);
  return path;
}

/** Runs a command; resolves with stdout, rejects with its stderr when it fails. */
function run(cmd: string, args: string[], opts: { detached?: boolean } = {}): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, {
      cwd: tmp,
      stdio: ["ignore", "pipe", "pipe"],
      detached: opts.detached,
      env: { ...process.env, NO_COLOR: "1" },
    });
    let out = "", err = "";
    child.stdout!.on("data", (d) => out += d);
    child.stderr!.on("data", (d) => err += d);
    const killGroup = () => {
      if (!opts.detached) return;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch { /* already gone */ }
    };
    const timer = setTimeout(() => {
      killGroup();
      fail(new Error(`${cmd} timed out: ${err.slice(-2000)}`));
    }, 120_000);
    child.on("error", fail);
    child.on("exit", (code) => {
      clearTimeout(timer);
      killGroup(); // helpers left in the group (chromium's zygotes)
      code === 0 ? ok(out) : fail(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${err}`));
    });
  });
}

/** What this process computes with the same code: the reference for the other runtimes. */
async function reference(sub: (typeof PURE)[number]): Promise<unknown> {
  writeUse(sub, "host");
  const mod = await import("file://" + join(tmp, `${sub.slice(2)}_use.ts`));
  return JSON.parse(JSON.stringify(mod.run()));
}

/** Closed-form answers, checked on every runtime's result. */
const KNOWN: Record<(typeof PURE)[number], (r: Record<string, unknown>) => void> = {
  "./stats": (r) => {
    const row = r.row as Record<string, number>;
    assert.equal(row.mean, 50.5);
    assert.equal(row.median, 50.5);
    assert.ok(Math.abs(row.sd - Math.sqrt(100 * 101 / 12)) < 1e-12);
    assert.ok(Math.abs(row.q5 - 5.95) < 1e-12); // R: quantile(1:100, 0.05) (type 7)
    assert.ok(Math.abs(row.q95 - 95.05) < 1e-12);
    // R: x <- matrix(as.numeric(1:100), 50, 2); posterior::rhat(x); posterior::ess_bulk(x)
    assert.ok(Math.abs((r.rhat as number) - 3.08575448217926) < 1e-9);
    assert.ok(Math.abs((r.essBulk as number) - 2.77561911386398) < 1e-9);
    // R: ll <- t(sapply(0:199, function(s) -0.5 * ((0:3) - 1.5 - sin(s))^2 - 0.92))
    //    l <- loo::loo(ll, r_eff = rep(1, 4)); l$estimates["elpd_loo", 1]; l$diagnostics$pareto_k
    assert.ok(Math.abs((r.elpd as number) - -8.49004386415117) < 1e-9);
    const k = [-1.16457695888, -1.19789529147917, -1.21342855523683, -1.17950000583052];
    (r.k as number[]).forEach((v, i) => assert.ok(Math.abs(v - k[i]) < 1e-6, `k[${i}] ${v}`));
  },
  "./formula": (r) => {
    assert.equal(r.bf, "brms::bf(y ~ x + (1 | g), sigma ~ z)");
    assert.equal(r.prior, 'brms::set_prior("normal(0, 1)", class = "b", coef = "x")');
    assert.equal(r.family, 'brms::brmsfamily("poisson", link = "log")');
  },
  "./data": (r) => {
    assert.equal(r.nrow, 4);
    assert.deepEqual(r.names, ["x", "g"]);
    assert.deepEqual(r.records, [
      { x: 1, g: "a" },
      { x: 2, g: "b" },
      { x: 3, g: "a" },
      { x: 4, g: "b" },
    ]);
  },
  "./idata": (r) => {
    assert.deepEqual(r.groups, ["posterior"]);
    assert.deepEqual(r.dims, ["chain", "draw"]);
    assert.deepEqual(r.shape, [3, 4]);
    assert.equal(r.last, 11);
  },
  "./plot": (r) => {
    assert.equal(r.schema, "https://vega.github.io/schema/vega-lite/v5.json");
    assert.equal(r.traceRows, 100);
    const [iv] = r.intervals as Record<string, number>[];
    assert.equal(iv.m, 50.5); // median of 1..100
  },
  "./display": (r) => {
    assert.equal(r.text, "T\na    b\n1  x<y");
    assert.equal(r.html, true);
  },
};

describe("subpath modules", () => {
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("are the same in package.json and deno.json, and each file exists", () => {
    assert.deepEqual(DENO_JSON.exports, PKG.exports);
    for (const sub of [".", ...PURE, "./interpret", "./cluster", "./cli"]) {
      assert.ok(EXPORTS[sub], `no export ${sub}`);
      assert.ok(existsSync(join(ROOT, EXPORTS[sub])), `${sub}: ${EXPORTS[sub]} missing`);
    }
  });

  const refs = new Map<string, unknown>();
  for (const sub of PURE) {
    it(`${sub}: the reference values are the closed-form ones`, async () => {
      const ref = await reference(sub);
      refs.set(sub, ref);
      KNOWN[sub](ref as Record<string, unknown>);
    });
  }

  for (const sub of PURE) {
    it(`${sub}: loads and computes in Deno with no permissions`, async () => {
      const runner = writeUse(sub, "host");
      const out = await run(join(BIN, "deno"), [
        "run",
        "--no-prompt",
        "--no-config",
        "--node-modules-dir=none",
        runner,
      ]);
      const got = JSON.parse(out);
      KNOWN[sub](got);
      assert.deepEqual(got, refs.get(sub) ?? await reference(sub));
    });
  }

  for (const sub of PURE) {
    it(`${sub}: loads and computes in Bun`, async () => {
      const out = await run(join(BIN, "bun"), [writeUse(sub, "host")]);
      const got = JSON.parse(out);
      KNOWN[sub](got);
      assert.deepEqual(got, refs.get(sub) ?? await reference(sub));
    });
  }

  it("loads and computes in headless Chromium (each use bundled as one ES module)", async () => {
    const pages: string[] = [];
    for (const sub of PURE) {
      const entry = writeUse(sub, "browser");
      const js = join(tmp, `${sub.slice(2)}.js`);
      await run(join(BIN, "bun"), [
        "build",
        entry,
        "--target=browser",
        "--format=esm",
        `--outfile=${js}`,
        // Loaded only when a plot is rendered or arrow data converted, never at module load.
        "--external=vega",
        "--external=vega-lite",
        "--external=@resvg/resvg-wasm",
        "--external=apache-arrow",
        "--external=npm:*",
      ]);
      const code = readFileSync(js, "utf8").replaceAll("</script", "<\\/script");
      const html = join(tmp, `${sub.slice(2)}.html`);
      writeFileSync(
        html,
        `<!DOCTYPE html><html><body><pre id="out">pending</pre>` +
          `<script type="module">\n${code}\n</script></body></html>\n`,
      );
      pages.push(html);
    }
    for (const [i, sub] of PURE.entries()) {
      const profile = join(tmp, `chromium-${i}`);
      const dom = await run("chromium", [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--proxy-server=127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        `--user-data-dir=${profile}`,
        "--virtual-time-budget=5000",
        "--dump-dom",
        "file://" + pages[i],
      ], { detached: true });
      const m = /<pre id="out">([^<]*)<\/pre>/.exec(dom);
      assert.ok(m && m[1] !== "pending", `${sub}: the page did not run: ${dom.slice(0, 500)}`);
      const got = JSON.parse(decodeURIComponent(m[1]));
      KNOWN[sub](got);
      assert.deepEqual(got, refs.get(sub) ?? await reference(sub), sub);
    }
    // No chromium left behind by this test (each was killed with its process group).
    const ps = spawnSync("pgrep", ["-f", `--user-data-dir=${tmp}`], { encoding: "utf8" });
    assert.equal(ps.stdout.trim(), "");
  });
});
