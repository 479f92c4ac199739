/**
 * The `brmsts` command line, run as a subprocess of the runtime running the tests: fits of the
 * epilepsy data from CSV, Parquet and Arrow files give the same draws (bit for bit), the Zarr
 * output opens in xarray with the same values, `summary` and `loo` read the output without R,
 * bad input exits 2 naming the problem, and `--help` works for every command.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromArrays, tableFromIPC, tableToIPC } from "apache-arrow";
import { EPILEPSY, ROOT, TEST_CACHE } from "./brm_shared.ts";
import { rscript } from "./_rscript.ts";
import { runScriptArgv, shmEntries } from "./_util.ts";
import { parseCsv } from "../cli/read.ts";
import { fromZarr } from "../idata/mod.ts";

const CLI = join(ROOT, "cli.ts");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], timeout = 600_000): Promise<Run> {
  const [cmd, ...pre] = runScriptArgv(CLI);
  return new Promise((res) => {
    execFile(cmd, [...pre, ...args], {
      cwd: ROOT,
      timeout,
      maxBuffer: 1 << 26,
      env: { ...process.env, BRMSTS_CACHE_DIR: TEST_CACHE },
    }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      res({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const PRIOR_FLAGS = [
  "--prior",
  "b=normal(0, 1)",
  "--prior",
  "sd|patient=exponential(1)",
  "--prior",
  "Intercept=student_t(3, 0, 2.5)",
];
const FIT_FLAGS = (data: string, out: string) => [
  "fit",
  "--formula",
  EPILEPSY.formula,
  "--family",
  "poisson",
  ...PRIOR_FLAGS,
  "--data",
  data,
  "--chains",
  "1",
  "--iter",
  "120",
  "--seed",
  "11",
  "--out",
  out,
  "--json",
];

describe("brmsts command line", () => {
  let tmp: string;
  const files: Record<string, string> = {};
  /** The --out directory of the CSV fit (reused by the predict test: no second fit). */
  let fitDir = "";

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), "brmsts-cli-"));
    files.csv = join(tmp, "epilepsy.csv");
    // Grouping and treatment as integers, so every format carries the same doubles.
    rscript(`d <- brms::epilepsy
d$patient <- as.integer(as.character(d$patient)); d$Trt <- as.integer(as.character(d$Trt))
write.csv(d[c("count", "zAge", "zBase", "Trt", "patient")], "${files.csv}", row.names = FALSE)`);
    const cols = await parseCsv(readFileSync(files.csv, "utf8"));
    const table = tableFromArrays(
      Object.fromEntries(
        Object.entries(cols).map(([k, v]) => [k, Float64Array.from(v as number[])]),
      ),
    );
    files.arrow = join(tmp, "epilepsy.arrow");
    writeFileSync(files.arrow, tableToIPC(table, "file"));
    const pq = await import("parquet-wasm/node");
    files.parquet = join(tmp, "epilepsy.parquet");
    writeFileSync(
      files.parquet,
      pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(table, "stream"))),
    );
  });

  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it("prints help for every command and exits 0 without starting R", async () => {
    for (const c of ["fit", "predict", "summary", "loo", "status", "worker"]) {
      const r = await cli([c, "--help"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^brmsts ${c}: `));
      assert.match(r.stdout, /Usage: brmsts /);
    }
    const top = await cli(["--help"]);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /worker +run a cluster worker/);
    const bad = await cli(["fit", "--no-such-flag"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no-such-flag/);
  });

  it("fits the epilepsy data from CSV, Parquet and Arrow to the same draws, bit for bit", async () => {
    const outs: Record<string, string> = {};
    // The three fits run at once (separate processes, each with its own R).
    await Promise.all(["csv", "parquet", "arrow"].map(async (fmt) => {
      outs[fmt] = join(tmp, `fit-${fmt}`);
      const r = await cli(FIT_FLAGS(files[fmt], outs[fmt]));
      assert.equal(r.code, 0, `${fmt}: ${r.stderr}`);
      const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
      assert.equal(events.at(-1).event, "done");
      const sampling = events.filter((e) => e.kind === "sampling");
      assert.ok(sampling.length > 0, "sampling progress as JSON lines");
      const its = sampling.map((e) => e.iteration);
      assert.deepEqual(its, [...its].sort((a, b) => a - b), "progress in order");
    }));
    const post = (fmt: string) =>
      fromZarr(join(outs[fmt], "idata.zarr")).get("posterior", "b_zAge");
    const a = post("csv"), b = post("parquet"), c = post("arrow");
    assert.deepEqual(a.shape, [1, 60]);
    const bytes = (v: typeof a) => Buffer.from((v.data as Float64Array).buffer).toString("hex");
    assert.equal(bytes(b), bytes(a));
    assert.equal(bytes(c), bytes(a));
    fitDir = outs.csv;
    // The draws file and the summary agree with the Zarr store.
    const draws = tableFromIPC(readFileSync(join(outs.csv, "posterior.arrow")));
    assert.deepEqual(
      Array.from(draws.getChild("b_zAge")!.toArray() as Float64Array),
      Array.from(a.data as Float64Array),
    );
    const summary = JSON.parse(readFileSync(join(outs.csv, "summary.json"), "utf8"));
    const row = summary.find((s: { variable: string }) => s.variable === "b_zAge");
    const mean = (a.data as Float64Array).reduce((s, x) => s + x, 0) / 60;
    assert.ok(Math.abs(row.mean - mean) < 1e-12);
    // xarray reads the same values.
    const py = execFileSync("/usr/bin/python3", [
      "-c",
      `import xarray, sys
ds = xarray.open_zarr(sys.argv[1], group="posterior")
v = ds["b_zAge"]
print(",".join(v.dims), v.values.astype("<f8").tobytes().hex())`,
      join(outs.csv, "idata.zarr"),
    ], { encoding: "utf8" }).trim().split(" ");
    assert.equal(py[0], "chain,draw");
    assert.equal(py[1], bytes(a));
    // summary and loo read the output without R.
    const s = await cli(["summary", "--fit", outs.csv, "--json"]);
    assert.equal(s.code, 0, s.stderr);
    const rows = JSON.parse(s.stdout);
    assert.equal(rows.find((x: { variable: string }) => x.variable === "b_zAge").mean, row.mean);
    const l = await cli(["loo", "--fit", outs.csv, "--json"]);
    assert.equal(l.code, 0, l.stderr);
    const loo = JSON.parse(l.stdout);
    assert.equal(loo.n, 236);
    assert.ok(Number.isFinite(loo.elpd_loo) && loo.elpd_loo < 0);
    assert.ok(Math.abs(loo.looic + 2 * loo.elpd_loo) < 1e-9);
  });

  it("predict gives R's posterior_predict (seeded) and posterior_epred (newdata) on the saved fit", async () => {
    assert.ok(fitDir, "needs the CSV fit of the test before");
    const rds = join(fitDir, "fit.rds");
    const nd = join(tmp, "newdata.csv");
    writeFileSync(
      nd,
      "count,zAge,zBase,Trt,patient\n3,0.5,-0.2,1,4\n0,-1.25,0.75,0,17\n9,0,0,1,50\n",
    );
    const pp = join(tmp, "pp.arrow"), ep = join(tmp, "ep.arrow");
    const r1 = await cli(["predict", "--fit", fitDir, "--out", pp, "--seed", "5", "--json"]);
    assert.equal(r1.code, 0, r1.stderr);
    assert.deepEqual(JSON.parse(r1.stdout.trim().split("\n").at(-1)!), {
      event: "done",
      out: pp,
      group: "posterior_predictive",
    });
    const r2 = await cli([
      "predict",
      "--fit",
      fitDir,
      "--out",
      ep,
      "--kind",
      "epred",
      "--newdata",
      nd,
    ]);
    assert.equal(r2.code, 0, r2.stderr);
    /** The draws of an Arrow file, column by column (obs-major, as R's `as.double(matrix)`). */
    const drawsOf = (file: string, nobs: number) => {
      const t = tableFromIPC(readFileSync(file));
      const cols = t.schema.fields.map((f) => f.name).filter((n) => !n.startsWith("."));
      assert.equal(cols.length, nobs, cols.join(","));
      assert.equal(t.numRows, 60);
      const out = new Float64Array(cols.length * t.numRows);
      cols.forEach((n, k) => out.set(t.getChild(n)!.toArray() as Float64Array, k * t.numRows));
      return Buffer.from(out.buffer).toString("hex");
    };
    const r = rscript(`fit <- readRDS("${rds}")
nd <- read.csv("${nd}")
set.seed(5); pp <- brms::posterior_predict(fit)
ep <- brms::posterior_epred(fit, newdata = nd)
hex <- function(m) paste(as.character(writeBin(as.double(m), raw(), endian = "little")), collapse = "")
cat(nrow(pp), ncol(pp), hex(pp), hex(ep), "\n")`).trim().split(" ");
    assert.deepEqual(r.slice(0, 2), ["60", "236"]);
    assert.equal(drawsOf(pp, 236), r[2], "posterior_predict, bit for bit");
    assert.equal(drawsOf(ep, 3), r[3], "posterior_epred on new data, bit for bit");
    const bad = await cli(["predict", "--fit", fitDir, "--out", pp, "--kind", "nope"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--kind must be predict, epred or linpred/);
  });

  it("exits 2 naming the line of a ragged CSV row, before R starts", async () => {
    const bad = join(tmp, "ragged.csv");
    writeFileSync(bad, "count,zAge\n1,0.5\n2,0.1,7\n");
    const r = await cli([
      "fit",
      "--formula",
      "count ~ zAge",
      "--data",
      bad,
      "--out",
      join(tmp, "r"),
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /ragged\.csv: Invalid Record Length.*line 3/);
  });

  it("exits 2 naming a formula variable that is not a column of the data", async () => {
    const r = await cli([
      "fit",
      "--formula",
      "count ~ zAge + noSuchColumn",
      "--data",
      files.csv,
      "--family",
      "poisson",
      "--out",
      join(tmp, "unknown"),
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /noSuchColumn/);
    const resp = await cli([
      "fit",
      "--formula",
      "cnt ~ zAge",
      "--data",
      files.csv,
      "--out",
      join(tmp, "u2"),
    ]);
    assert.equal(resp.code, 2);
    assert.match(resp.stderr, /"cnt" .* not a column/);
  });

  it("leaves no shared-memory segment behind", () => {
    assert.deepEqual(shmEntries([process.pid]), []);
  });
});
