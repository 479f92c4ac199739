// Isolated jobs: each job runs in a fresh copy (fork) of the worker's warm R (RWorker.isolated,
// brm({ isolate: true })). Needs R + brms; the fit model is small and shared through
// BRMSTS_CACHE_DIR.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import process from "node:process";
import { brm, RAbortError, releaseShared, RError, RWorker } from "../mod.ts";
import { pidAlive, shmEntries, waitFor } from "./_util.ts";

const data = { y: [1.2, 0.4, 2.2, 1.9, 3.1, 2.5, 0.7, 1.4], x: [0, 1, 0, 1, 2, 2, 0, 1] };
const fitOpts = { formula: "y ~ x", data, chains: 1, iter: 300, seed: 7, refresh: 0 };

/** Children of `pid` (pid and state letter), from /proc. */
function children(pid: number): { pid: number; state: string }[] {
  const out: { pid: number; state: string }[] = [];
  for (const name of readdirSync("/proc")) {
    const p = Number(name);
    if (!p) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[1]) === pid) out.push({ pid: p, state: f[0] });
    } catch { /* gone */ }
  }
  return out;
}

describe("isolated jobs (a fork of the warm R per job)", () => {
  const w = new RWorker();
  let pid = 0;
  before(async () => {
    w.setConsoleOutput("silent");
    await w.eval("suppressPackageStartupMessages(library(brms)); template_value <- 42");
    pid = w.info!.pid;
  });
  after(() => w.shutdown());

  it("runs the job's calls in a copy that sees the template's state", async () => {
    const res = await w.isolated(async (iw, job) => {
      assert.notEqual(job.pid, pid);
      const seen = await iw.eval("c(Sys.getpid(), template_value, 'package:brms' %in% search())");
      const fit = await iw.eval("lm(y ~ x, data.frame(x = 1:5, y = c(1, 3, 2, 5, 4)))");
      const coef = await iw.call("coef", [fit]) as Record<string, number>;
      return { seen: Array.from(seen as Float64Array), coef, job };
    });
    assert.deepEqual(res.seen, [res.job.pid, 42, 1]);
    assert.ok(Math.abs(res.coef.x - 0.8) < 1e-12); // lm's slope, as R computes it
    assert.ok(Math.abs(res.coef["(Intercept)"] - 0.6) < 1e-12);
  });

  it("a job's copy cannot change the template or the next job", async () => {
    await w.isolated(async (iw) => {
      await iw.eval("leaked <- 1; template_value <- 0; suppressWarnings(library(splines))");
      assert.deepEqual(await iw.eval("'package:splines' %in% search()"), true);
    });
    const check = "c(exists('leaked'), template_value, 'package:splines' %in% search())";
    const next = await w.isolated((iw) => iw.eval(check));
    assert.deepEqual(Array.from(next as Float64Array), [0, 42, 0]);
    assert.deepEqual(Array.from(await w.eval(check) as Float64Array), [0, 42, 0]);
    assert.equal(w.info!.pid, pid);
  });

  it("a copy that calls q() or is killed with SIGKILL mid-fit leaves the template serving", async () => {
    const gen = w.generation;
    await w.isolated(async (iw) => {
      await assert.rejects(iw.eval("q(status = 3)"), RError);
      await assert.rejects(iw.eval("1"), /ended without answering/);
    });
    // Killed mid-fit: a long fit of a cached model, killed once sampling runs.
    let copyPid = 0;
    let killed = false;
    const err = await w.isolated(async (iw, job) => {
      copyPid = job.pid;
      return await brm({
        ...fitOpts,
        iter: 400000,
        worker: iw,
        progress: false,
        onProgress: (p) => {
          if (!killed && p.kind === "phase" && p.phase === "sample") {
            killed = true;
            setTimeout(() => process.kill(copyPid, "SIGKILL"), 200);
          }
        },
      }).then(() => null, (e) => e);
    });
    assert.ok(killed, "the fit reached sampling");
    assert.ok(err instanceof RError, String(err));
    assert.match(err.message, /ended without answering/);
    await waitFor(() => !pidAlive(copyPid), 5000);
    assert.equal(await w.eval("1 + 1"), 2);
    assert.equal(w.generation, gen);
    assert.equal(w.info!.pid, pid);
  });

  it("abort (AbortSignal) of an isolated job's call: RAbortError, the template lives", async () => {
    const ac = new AbortController();
    let copyPid = 0;
    const t0 = Date.now();
    await w.isolated(async (iw, job) => {
      copyPid = job.pid;
      setTimeout(() => ac.abort(), 300);
      await assert.rejects(iw.eval("Sys.sleep(60)", { signal: ac.signal }), RAbortError);
    });
    assert.ok(Date.now() - t0 < 30_000);
    await waitFor(() => !pidAlive(copyPid), 5000);
    assert.equal(await w.isolated((iw) => iw.eval("template_value")), 42);
  });

  it("the fork path and the plain path give bit-identical draws", async () => {
    const plain = await brm({ ...fitOpts, worker: w, progress: false });
    const forked = await brm({ ...fitOpts, worker: w, progress: false, isolate: true });
    const names = [...plain.idata.group("posterior").vars.keys()];
    assert.deepEqual([...forked.idata.group("posterior").vars.keys()], names);
    assert.ok(names.includes("b_x"));
    for (const v of names) {
      const a = plain.idata.get("posterior", v).data as Float64Array;
      const b = forked.idata.get("posterior", v).data as Float64Array;
      assert.equal(a.length, 150);
      assert.ok(a.every((x, i) => Object.is(x, b[i])), v);
    }
    // The isolated fit's brmsfit ended with its copy.
    await assert.rejects(w.call("nobs", [forked.r]));
  });

  it("leaves no zombie, shared-memory name or temp file after 100 jobs", async () => {
    const tempDir = w.info!.tempDir;
    const files = () => readdirSync(tempDir).sort();
    const before = files();
    const shmBefore = shmEntries([pid]).length;
    for (let i = 0; i < 100; i++) {
      const v = await w.isolated((iw) =>
        iw.eval(`writeLines("x", tempfile()); dir.create(tempfile()); rnorm(20000) + ${i}`)
      ) as Float64Array;
      assert.equal(v.length, 20000);
      releaseShared(v);
    }
    await waitFor(() => children(pid).every((c) => c.state !== "Z"), 5000);
    assert.deepEqual(children(pid).filter((c) => c.state === "Z"), []);
    assert.deepEqual(files(), before);
    assert.equal(shmEntries([pid]).length, shmBefore);
    assert.ok(existsSync(tempDir));
    assert.equal(await w.eval("template_value"), 42);
  });
});
