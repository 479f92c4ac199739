import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  defaultWorker,
  evalR,
  RAbortError,
  RHandleError,
  RObject,
  RStartupError,
  RWorker,
  RWorkerCrashedError,
  shutdown,
} from "../worker/mod.ts";
import { callR } from "../worker/mod.ts";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pidAlive, waitFor } from "./_util.ts";

/**
 * A library preloaded into the worker process that kills it with SIGSEGV as it starts, before
 * the runtime or R runs, once for each marker file it can remove (or every time, with
 * `BRMSTS_TEST_CRASH_ALWAYS=1`): a crash while starting, made on purpose. Built in `dir`.
 */
function buildCrashAtStart(dir: string): string {
  const src = join(dir, "crash.c");
  const lib = join(dir, "crash.so");
  writeFileSync(
    src,
    `#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
__attribute__((constructor)) static void crash_at_start(void) {
  const char *marker = getenv("BRMSTS_TEST_CRASH_MARKER");
  if (getenv("BRMSTS_TEST_CRASH_ALWAYS") || (marker && unlink(marker) == 0)) raise(SIGSEGV);
}
`,
  );
  execFileSync("gcc", ["-shared", "-fPIC", "-o", lib, src]);
  return lib;
}

/** This process's private worker temp dirs (spawnHost's `brmsts-tmp-<pid>-…`). */
const ownTmpDirs = () =>
  readdirSync(tmpdir()).filter((n) => n.startsWith(`brmsts-tmp-${process.pid}-`));

describe("crash containment and cancellation", () => {
  let crashDir: string;
  let crashAtStart: string;

  before(() => {
    defaultWorker().setConsoleOutput("silent");
    crashDir = mkdtempSync(join(tmpdir(), "brmsts-crash-at-start-"));
    crashAtStart = buildCrashAtStart(crashDir);
  });
  after(async () => {
    await shutdown();
    rmSync(crashDir, { recursive: true, force: true });
  });

  it("survives q('no') with a fresh worker", async () => {
    const pid = (await defaultWorker().status()).pid;
    const err = await evalR('q("no")').catch((e) => e);
    assert.ok(err instanceof RWorkerCrashedError, String(err));
    assert.equal(err.recovered, true);
    assert.equal(err.exitCode, 0);
    assert.equal(pidAlive(pid), false);
    const s = await defaultWorker().status();
    assert.notEqual(s.pid, pid);
    assert.equal(await evalR("40 + 2"), 42);
  });

  it("survives the worker being killed with SIGKILL", async () => {
    const before = await defaultWorker().status();
    const err = await evalR("tools::pskill(Sys.getpid(), 9)").catch((e) => e);
    assert.ok(err instanceof RWorkerCrashedError, String(err));
    assert.equal(err.recovered, true);
    assert.equal(err.signal, "SIGKILL");
    assert.equal(await evalR("1 + 2"), 3);
    const after = await defaultWorker().status();
    assert.equal(after.generation, before.generation + 1);
  });

  it("rejects every queued call when the worker dies, then serves new ones", async () => {
    const calls = [evalR("tools::pskill(Sys.getpid(), 9)"), evalR("1"), evalR("2")];
    const settled = await Promise.allSettled(calls);
    for (const s of settled) {
      assert.equal(s.status, "rejected");
      assert.ok((s as PromiseRejectedResult).reason instanceof RWorkerCrashedError);
    }
    assert.equal(await evalR("5"), 5);
  });

  it("refuses a handle from a worker that has died", async () => {
    const env = await evalR("new.env()");
    assert.ok(env instanceof RObject);
    assert.deepEqual(env.classes, ["environment"]);
    await evalR("tools::pskill(Sys.getpid(), 9)").catch(() => {});
    assert.equal(env.alive, false);
    await assert.rejects(callR("ls", [env]), RHandleError);
  });

  it("aborts a runaway loop within a second and keeps the worker", async () => {
    const pid = (await defaultWorker().status()).pid;
    const ac = new AbortController();
    const started = Date.now();
    const p = evalR("while (TRUE) {}", { signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    const err = await p.catch((e) => e);
    const elapsed = Date.now() - started - 200;
    assert.ok(err instanceof RAbortError, String(err));
    assert.equal(err.workerRestarted, false);
    assert.ok(elapsed < 1000, `abort took ${elapsed} ms`);
    assert.equal((await defaultWorker().status()).pid, pid);
    assert.equal(await evalR("1 + 1"), 2);
  });

  it("aborts a call that still waits in the channel while the worker is busy", async () => {
    // With no idle wait, a fresh worker byte-compiles its trap (≥ 40 ms) right after it says
    // it is ready, so the first call arrives while it is busy and the abort comes before the
    // worker has read the call.
    const w = new RWorker({ env: { BRMSTS_COMPILE_IDLE_MS: "0" }, abortGraceMs: 3000 });
    w.setConsoleOutput("silent");
    try {
      const ac = new AbortController();
      const p = w.eval("while (TRUE) {}", { signal: ac.signal });
      while (!w.info) await new Promise((r) => setTimeout(r, 1));
      await new Promise((r) => setTimeout(r, 5));
      const pid = w.info.pid;
      const started = Date.now();
      ac.abort();
      const err = await p.catch((e) => e);
      assert.ok(err instanceof RAbortError, String(err));
      assert.equal(err.workerRestarted, false, "the worker was killed instead of interrupted");
      assert.ok(Date.now() - started < 1000, `abort took ${Date.now() - started} ms`);
      assert.equal(w.info?.pid, pid);
      assert.equal(await w.eval("1 + 1"), 2);
    } finally {
      await w.shutdown();
    }
  });

  it("ends the processes R started when the worker dies", async () => {
    // A background job of the worker (as a Stan compile is): it must not outlive a crash.
    const pid = Number(
      await evalR('system("sleep 300 >/dev/null 2>&1 & echo $!", intern = TRUE)'),
    );
    assert.ok(pid > 0 && pidAlive(pid));
    const err = await evalR("tools::pskill(Sys.getpid(), 9)").catch((e) => e);
    assert.ok(err instanceof RWorkerCrashedError, String(err));
    assert.ok(await waitFor(() => !pidAlive(pid), 3000), `sleep ${pid} outlived the worker`);
    assert.equal(await evalR("1"), 1);
  });

  it("kills and restarts a worker that ignores the interrupt", async () => {
    const w = defaultWorker();
    const grace = w.config.abortGraceMs;
    w.config.abortGraceMs = 300;
    try {
      const pid = (await defaultWorker().status()).pid;
      const ac = new AbortController();
      // Sys.sleep does not check for interrupts: R cannot yield.
      const p = evalR("Sys.sleep(30)", { signal: ac.signal });
      setTimeout(() => ac.abort(), 100);
      const err = await p.catch((e) => e);
      assert.ok(err instanceof RAbortError, String(err));
      assert.equal(err.workerRestarted, true);
      assert.equal(pidAlive(pid), false);
      assert.equal(await evalR("3"), 3);
    } finally {
      w.config.abortGraceMs = grace;
    }
  });

  it("starts a worker that died of a signal while starting once more, and says so", async () => {
    const marker = join(crashDir, "marker");
    writeFileSync(marker, "");
    const tmpBefore = ownTmpDirs().length;
    const w = new RWorker({
      env: { LD_PRELOAD: crashAtStart, BRMSTS_TEST_CRASH_MARKER: marker },
    });
    w.setConsoleOutput("silent");
    const logs: string[] = [];
    w.onLog((e) => logs.push(e.text));
    try {
      assert.equal(await w.eval("6 * 7"), 42);
      assert.equal(existsSync(marker), false, "the first start did not crash");
      assert.deepEqual(logs.filter((t) => t.includes("while starting")), [
        "brmsts: the R worker died of SIGSEGV while starting; starting a new one\n",
      ]);
      assert.equal((await w.status()).generation, 1);
    } finally {
      await w.shutdown();
    }
    assert.equal(ownTmpDirs().length, tmpBefore, "a temp dir of the crashed start is left");
  });

  it("fails with an RStartupError naming the signal when the second start dies too", async () => {
    const tmpBefore = ownTmpDirs().length;
    const w = new RWorker({ env: { LD_PRELOAD: crashAtStart, BRMSTS_TEST_CRASH_ALWAYS: "1" } });
    w.setConsoleOutput("silent");
    const err = await w.eval("1").catch((e) => e);
    assert.ok(err instanceof RStartupError, String(err));
    assert.equal(err.message, "the R worker failed to start (signal SIGSEGV)");
    await w.shutdown();
    assert.equal(ownTmpDirs().length, tmpBefore, "a temp dir of a crashed start is left");
  });

  it("rejects a call aborted before it starts without touching R", async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(evalR("1", { signal: ac.signal }), RAbortError);
    const slow = evalR("Sys.sleep(0.3); 1");
    const ac2 = new AbortController();
    const queued = evalR("2", { signal: ac2.signal });
    ac2.abort();
    await assert.rejects(queued, RAbortError);
    assert.equal(await slow, 1);
  });
});
