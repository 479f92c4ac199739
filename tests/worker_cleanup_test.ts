/**
 * Issue 13 (hardening), items 5 and 6: nothing is left in /dev/shm or TMPDIR when the main
 * process is SIGKILLed during a large R → TS transfer, or when a Stan compile is aborted.
 *
 * @module
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { RAbortError, RWorker } from "../worker/mod.ts";
import { pidAlive, runScriptArgv, waitFor } from "./_util.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Pids of the processes whose process group is `pgrp`, with their command names. */
function group(pgrp: number): { pid: number; comm: string }[] {
  const out: { pid: number; comm: string }[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) === pgrp) {
        out.push({ pid, comm });
      }
    } catch { /* gone */ }
  }
  return out;
}

describe("clean-up after the main process is SIGKILLed mid-transfer", () => {
  let dir: string;
  before(() => dir = mkdtempSync(join(tmpdir(), "brmsts-orphan-test-")));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("leaves no shared-memory segment when the orphan grace timer ends the worker", async () => {
    const script = join(dir, "child.ts");
    writeFileSync(
      script,
      `import { RWorker } from ${JSON.stringify(join(ROOT, "worker", "mod.ts"))};
const w = new RWorker({ env: { BRMSTS_ORPHAN_GRACE_MS: "1" } });
w.setConsoleOutput("silent");
await w.eval("x <- rnorm(3e7); 1");
console.log("pid " + w.info!.pid + " tmp " + w.info!.tempDir);
await w.eval("x");
`,
    );
    const [cmd, ...args] = runScriptArgv(script);
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise((res) => child.on("exit", res));
    let out = "";
    child.stdout!.on("data", (d) => out += String(d));
    assert.ok(await waitFor(() => /pid \d+/.test(out), 120_000, 20), "the child reported no pid");
    const wpid = Number(/pid (\d+)/.exec(out)![1]);
    const mine = () =>
      readdirSync("/dev/shm").filter((n) =>
        n.startsWith(`brmsts-w${wpid}-`) || n.startsWith(`brmsts-m${child.pid}-`)
      );
    // The 240 MB response segment exists once the worker starts writing it: kill the main then.
    const big = () =>
      mine().some((n) => {
        try {
          return statSync(`/dev/shm/${n}`).size >= 2e8;
        } catch {
          return false;
        }
      });
    assert.ok(await waitFor(big, 60_000, 1), "no response segment appeared");
    child.kill("SIGKILL");
    await exited;
    assert.ok(await waitFor(() => !pidAlive(wpid), 20_000), "the worker outlived its client");
    assert.deepEqual(mine(), []);
    // R's temp dir (and the private TMPDIR around it) went with the worker.
    const rTemp = /tmp (\S+)/.exec(out)![1];
    assert.equal(existsSync(rTemp), false, rTemp);
    if (/brmsts-tmp-/.test(dirname(rTemp))) assert.equal(existsSync(dirname(rTemp)), false);
  });
});

describe("clean-up after the main process and its worker are SIGKILLed at once", () => {
  let dir: string;
  before(() => dir = mkdtempSync(join(tmpdir(), "brmsts-both-killed-test-")));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("a new worker removes the private TMPDIR neither process was left to remove", async () => {
    const script = join(dir, "child.ts");
    writeFileSync(
      script,
      `import { RWorker } from ${JSON.stringify(join(ROOT, "worker", "mod.ts"))};
const w = new RWorker();
w.setConsoleOutput("silent");
await w.eval("1");
console.log("pid " + w.info!.pid + " tmp " + w.info!.tempDir);
await new Promise(() => {});
`,
    );
    const [cmd, ...args] = runScriptArgv(script);
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise((res) => child.on("exit", res));
    let out = "";
    child.stdout!.on("data", (d) => out += String(d));
    assert.ok(await waitFor(() => /tmp \S+/.test(out), 120_000, 20), "the child reported no pid");
    const wpid = Number(/pid (\d+)/.exec(out)![1]);
    const privateTmp = dirname(/tmp (\S+)/.exec(out)![1]);
    assert.match(privateTmp, new RegExp(`brmsts-tmp-${child.pid}-`));
    process.kill(wpid, "SIGKILL");
    child.kill("SIGKILL");
    await exited;
    assert.ok(await waitFor(() => !pidAlive(wpid), 20_000), "the worker is still alive");
    assert.ok(existsSync(privateTmp), "the dir this test is about was removed by a dying process");
    // A private TMPDIR whose main process is dead but whose worker lives on is kept.
    const living = mkdtempSync(join(tmpdir(), `brmsts-tmp-${wpid}-`));
    writeFileSync(join(living, ".worker-pid"), String(process.pid));
    const w = new RWorker();
    try {
      await w.eval("1");
      assert.equal(existsSync(privateTmp), false, privateTmp);
      assert.equal(existsSync(living), true, living);
    } finally {
      await w.shutdown();
      rmSync(living, { recursive: true, force: true });
    }
  });
});

describe("clean-up after an aborted Stan compile", () => {
  let dir: string;
  const saved = process.env.TMPDIR;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "brmsts-compile-test-"));
    process.env.TMPDIR = dir; // the worker's temp files go below this directory
  });
  after(() => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it("leaves no Rtmp directory and no compiler file in TMPDIR", { timeout: 300_000 }, async () => {
    assert.equal(tmpdir(), dir);
    const w = new RWorker();
    w.setConsoleOutput("silent");
    try {
      await w.eval("suppressPackageStartupMessages(library(rstan)); 1");
      const pid = w.info!.pid;
      const tag = `m${Date.now().toString(36)}${process.pid}`; // a model nobody compiled before
      const ac = new AbortController();
      const call = w.eval(
        `stan_model(model_code = "parameters { real ${tag}; } model { ${tag} ~ normal(0, 1); }")`,
        { signal: ac.signal },
      ).catch((e) => e);
      const compiling = () => group(pid).some((p) => /cc1plus|g\+\+|^cc1$/.test(p.comm));
      assert.ok(await waitFor(compiling, 120_000, 20), "the compiler never started");
      await new Promise((r) => setTimeout(r, 1500)); // well into the compile: cc*.s exists
      ac.abort();
      const err = await call;
      assert.ok(err instanceof RAbortError, String(err));
    } finally {
      await w.shutdown();
    }
    assert.ok(
      await waitFor(() => readdirSync(dir).length === 0, 10_000),
      `left in TMPDIR: ${readdirSync(dir).join(", ")}`,
    );
  });
});
