import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { tmpdir } from "node:os";
import process from "node:process";
import { defaultWorker, evalR, type RObject, RWorker, shutdown } from "../worker/mod.ts";
import { fdCount, pidAlive, runScriptArgv, shmEntries, waitFor } from "./_util.ts";

const ROOT = new URL("..", import.meta.url).pathname;

function runScript(
  src: string,
): {
  done: Promise<{ code: number | null; out: string }>;
  pid: number;
  kill(): void;
  /** What the script has printed so far. */
  output(): string;
} {
  const dir = mkdtempSync(join(tmpdir(), "brmsts-test-"));
  const file = join(dir, "script.ts");
  writeFileSync(file, src.replaceAll("@ROOT@", ROOT));
  const [cmd, ...args] = runScriptArgv(file);
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => out += d);
  const done = new Promise<{ code: number | null; out: string }>((res) => {
    child.on("exit", (code) => {
      rmSync(dir, { recursive: true, force: true });
      res({ code, out });
    });
  });
  return { done, pid: child.pid!, kill: () => child.kill("SIGKILL"), output: () => out };
}

function childPids(pid: number): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).trim().split("\n")
      .filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe("worker lifecycle and resources", () => {
  it("leaves no process, R temp dir, channel, fd or shared-memory segment after shutdown", async () => {
    defaultWorker().setConsoleOutput("silent");
    const channelDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith("brmsts-ch-"));
    const fd0 = fdCount(), dirs0 = channelDirs();
    const s = await defaultWorker().status();
    assert.deepEqual(channelDirs(), dirs0, "the channel directory goes once both ends are open");
    const mine = [process.pid, s.pid];
    assert.ok(existsSync(s.tempDir));
    await evalR("x <- rnorm(10)");
    await shutdown();
    assert.equal(await waitFor(() => !pidAlive(s.pid), 5000), true);
    assert.equal(existsSync(s.tempDir), false);
    assert.deepEqual(shmEntries(mine), []);
    assert.equal(fdCount(), fd0, "the channel's fds are closed");
  });

  it("releases preserved R objects when handles are disposed", async () => {
    const w = new RWorker();
    w.setConsoleOutput("silent");
    try {
      const base = (await w.status()).preservedObjects;
      const envs = [];
      for (let i = 0; i < 5; i++) envs.push(await w.eval("new.env()") as RObject);
      assert.equal((await w.status()).preservedObjects, base + 5);
      envs.slice(0, 3).forEach((e) => e.dispose());
      assert.equal((await w.status()).preservedObjects, base + 2);
      {
        using scoped = await w.eval("new.env()") as RObject;
        assert.equal(scoped.alive, true);
      }
      assert.equal((await w.status()).preservedObjects, base + 2);
    } finally {
      await w.shutdown();
    }
  });

  it("passes a handle back to R as the same object", async () => {
    const w = new RWorker();
    w.setConsoleOutput("silent");
    try {
      const env = await w.eval("e <- new.env(); assign('v', 123, envir = e); e") as RObject;
      assert.equal(await w.call("get", ["v", env]), 123);
      assert.equal(await w.call("identical", [env, env]), true);
      await w.call("assign", ["w", 7, env]);
      assert.equal(await w.eval("get('w', envir = e)"), 7);
    } finally {
      await w.shutdown();
    }
  });

  it("lets a script that never calls shutdown exit, and its worker follow", async () => {
    const script = runScript(`
      import { evalR, setConsoleOutput } from "@ROOT@worker/mod.ts";
      setConsoleOutput("silent");
      console.log(await evalR("Sys.getpid()"));
    `);
    const { code, out } = await script.done;
    assert.equal(code, 0);
    const rPid = Number(out.trim());
    assert.ok(rPid > 0);
    assert.equal(
      await waitFor(() => !pidAlive(rPid), 10_000),
      true,
      "the worker outlived its parent",
    );
  });

  it("a worker whose parent dies while it starts removes its R temp dir", async () => {
    const rTemps = () => readdirSync(tmpdir()).filter((n) => n.startsWith("Rtmp")).sort();
    const before = rTemps();
    const script = runScript(`
      import { evalR, setConsoleOutput } from "@ROOT@worker/mod.ts";
      setConsoleOutput("silent");
      await evalR("1");
    `);
    let rPid = 0;
    await waitFor(
      () => {
        rPid = childPids(script.pid)[0] ?? 0;
        return rPid > 0 &&
          readFileSync(`/proc/${rPid}/cmdline`, "utf8").includes("worker/host/serve.ts");
      },
      20_000,
      5,
    );
    assert.ok(rPid > 0, "worker not found");
    script.kill(); // R is still starting: its ready message finds nobody to read it
    await script.done;
    assert.equal(await waitFor(() => !pidAlive(rPid), 15_000), true, "the worker kept running");
    assert.deepEqual(rTemps(), before);
  });

  it("ends the worker when its parent is killed, even while R is busy", async () => {
    const script = runScript(`
      import { evalR, setConsoleOutput } from "@ROOT@worker/mod.ts";
      setConsoleOutput("silent");
      console.log(await evalR("tempdir()"));
      // A background job, as a compiler R waits for is: it must not outlive the worker.
      console.log(await evalR('system("sleep 300 >/dev/null 2>&1 & echo $!", intern = TRUE)'));
      await evalR("while (TRUE) {}");
    `);
    let rPid = 0;
    await waitFor(() => {
      rPid = childPids(script.pid)[0] ?? 0;
      return rPid > 0 &&
        readFileSync(`/proc/${rPid}/cmdline`, "utf8").includes("worker/host/serve.ts");
    }, 20_000);
    assert.ok(rPid > 0, "worker not found");
    assert.ok(
      await waitFor(() => /Rtmp.*\n\d+\n/.test(script.output()), 20_000),
      "no tempdir() and job pid printed",
    );
    // Let R enter the busy loop, then kill the parent without any chance to clean up.
    await new Promise((r) => setTimeout(r, 1000));
    script.kill();
    await script.done;
    assert.equal(
      await waitFor(() => !pidAlive(rPid), 15_000),
      true,
      "orphaned worker kept running",
    );
    const { out } = await script.done;
    const [rTemp, job] = out.trim().split("\n");
    assert.match(rTemp, /Rtmp/);
    assert.equal(existsSync(rTemp), false, "the orphaned worker left its R temp dir");
    assert.ok(await waitFor(() => !pidAlive(Number(job)), 3000), `its job ${job} outlived it`);
  });
});
