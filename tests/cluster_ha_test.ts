/**
 * A cluster worker under a process manager: `brmsts worker` stops on SIGTERM within its
 * `--stop-timeout` whatever NATS does (idle with the server up; in the middle of a fit with the
 * server SIGKILLed, where it used to ignore SIGTERMs for minutes), and its R processes end with
 * it. The job it held is handed back (nak) and another worker finishes it.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { GAUSSIAN_PRIORS, groupData, ROOT, TEST_CACHE } from "./brm_shared.ts";
import { pidAlive, runScriptArgv, waitFor } from "./_util.ts";
import { type NatsServer, startNats } from "./nats_shared.ts";
import { connectCluster } from "../cluster/mod.ts";

interface WorkerProc {
  proc: ChildProcess;
  events: Record<string, unknown>[];
  descendants: Set<number>;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

function children(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const c = readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").trim();
      if (c) out.push(...c.split(/\s+/).map(Number));
    }
  } catch { /* gone */ }
  return out.flatMap((c) => [c, ...children(c)]);
}

function startWorkerProc(url: string, name: string, extra: string[] = []): WorkerProc {
  const [cmd, ...pre] = runScriptArgv(join(ROOT, "cli.ts"));
  const proc = spawn(cmd, [
    ...pre,
    "worker",
    "--nats",
    url,
    "--name",
    name,
    "--ack-wait",
    "6",
    "--json",
    ...extra,
  ], {
    cwd: ROOT,
    env: { ...process.env, BRMSTS_CACHE_DIR: TEST_CACHE },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const w: WorkerProc = {
    proc,
    events: [],
    descendants: new Set(),
    exited: new Promise((r) => proc.once("exit", (code, signal) => r({ code, signal }))),
  };
  let buf = "";
  proc.stdout!.on("data", (b: Buffer) => {
    buf += b.toString();
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        w.events.push(JSON.parse(line));
      } catch { /* not ours */ }
    }
    for (const c of children(proc.pid!)) w.descendants.add(c);
  });
  return w;
}

/** SIGTERMs `w` and waits (at most `ms`) for it to exit; returns whether it did. */
async function sigterm(w: WorkerProc, ms: number): Promise<boolean> {
  for (const c of children(w.proc.pid!)) w.descendants.add(c);
  w.proc.kill("SIGTERM");
  const exited = await Promise.race([
    w.exited.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
  ]);
  if (!exited) {
    w.proc.kill("SIGKILL");
    await w.exited;
  }
  return exited;
}

describe("worker stop on SIGTERM", { timeout: 900_000 }, () => {
  let nats: NatsServer;
  const procs: WorkerProc[] = [];
  before(async () => {
    process.env.BRMSTS_CACHE_DIR ??= TEST_CACHE;
    nats = await startNats({ noWebsocket: true });
  });
  after(async () => {
    for (const w of procs) if (w.proc.exitCode === null) w.proc.kill("SIGKILL");
    await nats?.dispose();
  });

  it("idle, server up: exits 0 on SIGTERM with its R processes", async () => {
    const w = startWorkerProc(nats.url, "idle", ["--stop-timeout", "5"]);
    procs.push(w);
    assert.ok(await waitFor(() => w.events.some((e) => e.event === "ready"), 300_000));
    assert.ok(w.descendants.size > 0, "the worker has R processes");
    // Generous bound (far above --stop-timeout): the old worker never exited here.
    assert.ok(await sigterm(w, 60_000), "the worker exited after SIGTERM");
    // Deno's node:child_process reports any child it sent a signal to as killed by it (a shell
    // that traps SIGTERM and exits 0 shows as signal SIGTERM there, exit 0 under Bun).
    const ex = await w.exited;
    if ((globalThis as Record<string, unknown>).Bun) assert.equal(ex.code, 0);
    else assert.ok(ex.code === 0 || ex.signal === "SIGTERM");
    assert.ok(await waitFor(() => [...w.descendants].every((p) => !pidAlive(p)), 10_000));
  });

  it("mid-fit with the NATS server SIGKILLed: exits within its stop time-out, R ended; the job is finished by another worker", async () => {
    const a = startWorkerProc(nats.url, "a", ["--stop-timeout", "4"]);
    procs.push(a);
    assert.ok(await waitFor(() => a.events.some((e) => e.event === "ready"), 300_000));
    const cluster = await connectCluster({ servers: nats.url, env: false });
    const job = await cluster.submit({
      formula: "y ~ g",
      data: groupData(31, 1),
      priors: GAUSSIAN_PRIORS,
      chains: 1,
      iter: 200_000, // long enough to be running when the server goes
      seed: 1,
    });
    await cluster.close();
    assert.ok(await waitFor(() => a.events.some((e) => e.event === "started"), 300_000));
    const pid = nats.pid();
    process.kill(pid, "SIGKILL");
    assert.ok(await waitFor(() => !pidAlive(pid), 10_000));
    for (const c of children(a.proc.pid!)) a.descendants.add(c);
    assert.ok(a.descendants.size >= 2, "a running job's R and its spare");
    assert.ok(await sigterm(a, 60_000), "the worker exited after SIGTERM with its server gone");
    assert.ok(await waitFor(() => [...a.descendants].every((p) => !pidAlive(p)), 10_000));
    // The server comes back; the job was never acknowledged: another worker gets it.
    await nats.start();
    const b = startWorkerProc(nats.url, "b", ["--stop-timeout", "4"]);
    procs.push(b);
    const c2 = await connectCluster({ servers: nats.url, env: false });
    try {
      assert.ok(
        await waitFor(
          () => b.events.some((e) => e.event === "started" && e.job === job.id),
          300_000,
        ),
        "the job is delivered again",
      );
      await c2.cancel(job.id); // no need to sample 200,000 iterations
    } finally {
      await c2.close();
    }
    assert.ok(await sigterm(b, 60_000));
  });
});
