/**
 * Fits across processes on NATS JetStream, with a real nats-server (JetStream, file storage,
 * WebSocket listener) on loopback and `brmsts worker` processes: nine jobs through three
 * workers, bit-identical to local fits with the same seeds and with progress in order; a bad
 * formula answered once with a typed error; a cancelled job's R interrupted while its worker
 * goes on; a worker SIGKILLed while sampling, its job finished elsewhere exactly once; queued
 * jobs surviving a nats-server restart; a WebSocket client in a process that never loads R;
 * compiled models shared through the object store; nothing left behind.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { GAUSSIAN_PRIORS, groupData, ROOT, TEST_CACHE } from "./brm_shared.ts";
import { pidAlive, runScriptArgv, shmEntries, waitFor } from "./_util.ts";
import { type NatsServer, startNats } from "./nats_shared.ts";
import { brm, type FitResult, preloadModel } from "../brms/mod.ts";
import { defaultWorker, RWorker, shutdown } from "../worker/mod.ts";
import type { InferenceData } from "../idata/mod.ts";
import {
  type Cluster,
  ClusterJobError,
  connectCluster,
  type JobEvent,
  type JobHandle,
} from "../cluster/mod.ts";
import { JOB_CONSUMER, JOB_STREAM, MODEL_BUCKET } from "../cluster/protocol.ts";
import { ModelShare } from "../cluster/_models.ts";
import { readPublicKey, writeKeyPair } from "../cluster/signing.ts";

const ACK_WAIT_S = 6;

const job = (seed: number, extra: Record<string, unknown> = {}) => ({
  formula: "y ~ g",
  data: groupData(30 + seed, seed),
  priors: GAUSSIAN_PRIORS,
  chains: 1,
  iter: 200,
  seed,
  ...extra,
});

interface WorkerProc {
  name: string;
  proc: ChildProcess;
  events: Record<string, unknown>[];
  descendants: Set<number>;
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

let KEYS: { privateKey: string; publicKey: string } | undefined;

function startWorkerProc(url: string, name: string, cacheDir = TEST_CACHE): WorkerProc {
  const [cmd, ...pre] = runScriptArgv(join(ROOT, "cli.ts"));
  const proc = spawn(cmd, [
    ...pre,
    "worker",
    "--nats",
    url,
    "--ack-wait",
    String(ACK_WAIT_S),
    "--max-deliver",
    "3",
    "--name",
    name,
    "--json",
    // Shared models are signed (issue 27): these workers sign their uploads and trust the key.
    ...(KEYS ? ["--signing-key", KEYS.privateKey, "--trusted-keys", KEYS.publicKey] : []),
  ], {
    cwd: ROOT,
    env: { ...process.env, BRMSTS_CACHE_DIR: cacheDir },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const w: WorkerProc = { name, proc, events: [], descendants: new Set() };
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

const isReady = (w: WorkerProc) => w.events.some((e) => e.event === "ready");

async function stopWorker(w: WorkerProc, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  for (const c of children(w.proc.pid!)) w.descendants.add(c);
  if (w.proc.exitCode === null && w.proc.signalCode === null) {
    const gone = new Promise((r) => w.proc.once("exit", r));
    w.proc.kill(signal);
    const t = setTimeout(() => w.proc.kill("SIGKILL"), 30_000);
    await gone;
    clearTimeout(t);
  }
}

function bytes(idata: InferenceData, name: string): string {
  const v = idata.get("posterior", name);
  const d = v.data as Float64Array;
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString("hex");
}

function assertSameDraws(a: InferenceData, b: InferenceData): void {
  const names = a.group("posterior").varNames();
  assert.deepEqual(b.group("posterior").varNames(), names);
  for (const n of names) assert.equal(bytes(b, n), bytes(a, n), `posterior ${n}`);
}

async function collect(h: JobHandle): Promise<JobEvent[]> {
  const out: JobEvent[] = [];
  for await (const e of h.events()) out.push(e);
  return out;
}

/** Progress of each attempt: seq 0, 1, 2, … and sampling iterations never going back. */
function assertInOrder(events: JobEvent[]): void {
  const byAttempt = new Map<number, JobEvent[]>();
  for (const e of events) {
    if (!byAttempt.has(e.attempt)) byAttempt.set(e.attempt, []);
    byAttempt.get(e.attempt)!.push(e);
  }
  for (const evs of byAttempt.values()) {
    assert.deepEqual(evs.map((e) => e.seq), evs.map((_, i) => i));
    assert.equal(evs[0].type, "started");
    const its = evs.flatMap((e) =>
      e.type === "progress" && e.progress.kind === "sampling"
        ? [e.progress.iteration as number]
        : []
    );
    assert.deepEqual(its, [...its].sort((x, y) => x - y));
  }
}

describe("brmsts cluster on NATS JetStream", () => {
  let nats: NatsServer;
  let cluster: Cluster;
  const workers: WorkerProc[] = [];
  const locals = new Map<number, FitResult>();
  let emptyCache: string;
  const started: number[] = [];

  before(async () => {
    nats = await startNats();
    started.push(nats.pid());
    emptyCache = mkdtempSync(join(tmpdir(), "brmsts-empty-cache-"));
    KEYS = await writeKeyPair(join(emptyCache, "..", `${emptyCache.split("/").pop()}-models`));
    workers.push(startWorkerProc(nats.url, "w0"), startWorkerProc(nats.url, "w1"));
    cluster = await connectCluster({ servers: nats.url });
    defaultWorker().setConsoleOutput("silent");
  });

  after(async () => {
    await cluster?.close();
    await Promise.all(workers.map((w) => stopWorker(w, "SIGKILL")));
    await shutdown();
    await nats?.dispose();
    rmSync(emptyCache, { recursive: true, force: true });
    for (const f of [KEYS?.privateKey, KEYS?.publicKey]) if (f) rmSync(f, { force: true });
  });

  it("shares a compiled model through the object store, keyed by platform fingerprint", async () => {
    // The first job: its worker uploads the model it used.
    const first = await cluster.submit(job(100));
    const res = await first.result();
    const local = await brm({ ...job(100), progress: false });
    assertSameDraws(local.idata, res.idata);
    const { Objm } = await import("@nats-io/obj");
    const store = await new Objm(cluster.nc).open(MODEL_BUCKET);
    const key = local.cacheKey!;
    let name = "";
    for (let i = 0; i < 200 && !name; i++) {
      name = (await store.list()).find((o) => o.name.endsWith(`/${key}.rds`))?.name ?? "";
      if (!name) await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(name, /^[0-9a-f]{16}\//);
    // A machine with an empty cache gets the same bytes.
    const share = new ModelShare(store, name.split("/")[0], emptyCache, {
      trusted: [readPublicKey(KEYS!.publicKey)],
    });
    assert.ok((await share.pull()).includes(key));
    assert.ok(
      readFileSync(join(emptyCache, "models", `${key}.rds`))
        .equals(readFileSync(join(TEST_CACHE, "models", `${key}.rds`))),
    );
    rmSync(join(emptyCache, "models"), { recursive: true, force: true });
    // A third worker whose own cache is empty: it must never compile (it pulls the model).
    workers.push(startWorkerProc(nats.url, "w2", emptyCache));
  });

  it("runs 9 jobs on 3 workers, bit-identical to local fits, progress in order per job", async () => {
    assert.ok(await waitFor(() => workers.every(isReady), 300_000, 200), "workers ready");
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const handles = await Promise.all(seeds.map((s) => cluster.submit(job(s))));
    const evs = handles.map((h) => collect(h));
    for (const s of seeds) locals.set(s, await brm({ ...job(s), progress: false }));
    const results = await Promise.all(handles.map((h) => h.result()));
    const events = await Promise.all(evs);
    results.forEach((r, i) => {
      assertSameDraws(locals.get(seeds[i])!.idata, r.idata);
      assert.equal(r.attempt, 1);
      assert.equal(r.draws.numRows, 100);
      assert.ok(r.rds.length > 1000 && r.rds[0] === 0x1f && r.rds[1] === 0x8b, "gzip RDS");
    });
    for (const e of events) {
      assertInOrder(e);
      assert.equal(e.filter((x) => x.type === "done").length, 1);
    }
    const by = new Set(results.map((r) => r.worker));
    assert.ok(by.size >= 2, `jobs spread over workers: ${[...by]}`);
    // The worker with the empty cache never compiled.
    const w2done = workers[2].events.filter((e) => e.event === "done");
    for (const e of w2done) assert.notEqual(e.cache, "compiled");
    // A worker's second job finds the model already loaded in its spare R (preloaded).
    const dones = workers.flatMap((w) => w.events.filter((e) => e.event === "done"));
    assert.ok(dones.some((e) => e.cache === "memory"), JSON.stringify(dones.map((e) => e.cache)));
  });

  it("preloadModel loads a cached model into a fresh R: the fit skips the load, same draws", async () => {
    const local = locals.get(1)!;
    const w = new RWorker();
    w.setConsoleOutput("silent");
    try {
      assert.equal(await preloadModel("0123abcd", { worker: w }), false, "no such entry");
      assert.equal(await preloadModel(local.cacheKey!, { worker: w }), true);
      const again = await brm({ ...job(1), progress: false, worker: w });
      assert.equal(again.cache, "memory");
      assertSameDraws(local.idata, again.idata);
    } finally {
      await w.shutdown();
    }
  });

  it("answers a job with an unknown variable once, with a typed error, without retrying", async () => {
    const h = await cluster.submit(job(20, { formula: "y ~ g + noSuchVariable" }));
    await assert.rejects(h.result(), (e: unknown) => {
      assert.ok(e instanceof ClusterJobError);
      assert.equal(e.kind, "bad-input");
      assert.equal(e.errorName, "RError");
      assert.match(e.message, /noSuchVariable/);
      assert.equal(e.attempts, 1);
      return true;
    });
    const evs = await collect(h);
    assert.deepEqual(evs.filter((e) => e.type !== "progress").map((e) => e.type), [
      "started",
      "failed",
    ]);
  });

  it("cancels a running job: its R is interrupted and the worker takes the next job", async () => {
    const h = await cluster.submit(job(30, { iter: 200_000 }));
    let worker = "";
    for await (const e of h.events()) {
      if (e.type === "progress" && e.progress.kind === "sampling") {
        worker = e.worker;
        break;
      }
    }
    const t0 = Date.now();
    await cluster.cancel(h);
    await assert.rejects(
      h.result(),
      (e: unknown) => e instanceof ClusterJobError && e.kind === "cancelled",
    );
    assert.ok(Date.now() - t0 < 20_000, "interrupted, not run to the end");
    const w = workers.find((x) => x.name === worker)!;
    assert.equal(w.proc.exitCode, null, "the worker lives on");
    // It takes further jobs: submit rounds of one job per worker at once (one at a time, the
    // other idle workers could take them all while this one replaces its interrupted R) until
    // it has done one.
    for (
      let i = 0;
      i < 8 && !w.events.some((e) => e.event === "done" && Number(e.time) > t0);
      i++
    ) {
      const round = await Promise.all(workers.map((_, k) => cluster.submit(job(40 + i * 10 + k))));
      await Promise.all(round.map((r) => r.result()));
    }
    assert.ok(w.events.some((e) => e.event === "done" && Number(e.time) > t0));
  });

  it("finishes a job on another worker, once, after its worker is SIGKILLed while sampling", async () => {
    const h = await cluster.submit(job(50, { iter: 3000 }));
    let victim: WorkerProc | undefined;
    for await (const e of h.events()) {
      if (e.type === "progress" && e.progress.kind === "sampling") {
        victim = workers.find((w) => w.name === e.worker);
        break;
      }
    }
    assert.ok(victim);
    await stopWorker(victim!, "SIGKILL");
    const res = await h.result();
    assert.notEqual(res.worker, victim!.name);
    assert.equal(res.attempt, 2);
    const local = await brm({ ...job(50, { iter: 3000 }), progress: false });
    assertSameDraws(local.idata, res.idata);
    const evs = await collect(h);
    assert.equal(evs.filter((e) => e.type === "done").length, 1);
    assert.deepEqual([...new Set(evs.map((e) => e.attempt))], [1, 2]);
    assertInOrder(evs);
    // The killed worker's R went with it.
    assert.ok(await waitFor(() => [...victim!.descendants].every((p) => !pidAlive(p)), 15_000));
  });

  it("completes queued jobs after nats-server is stopped and restarted (file storage)", async () => {
    const handles = await Promise.all([60, 61, 62].map((s) => cluster.submit(job(s))));
    await nats.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await nats.start();
    started.push(nats.pid());
    const results = await Promise.all(handles.map((h) => h.result()));
    for (const [i, r] of results.entries()) {
      const local = await brm({ ...job(60 + i), progress: false });
      assertSameDraws(local.idata, r.idata);
    }
  });

  it("serves a WebSocket client in a process that never loads R", async () => {
    const dir = mkdtempSync(join(tmpdir(), "brmsts-ws-"));
    try {
      const script = join(ROOT, "tests", "fixtures", "ws_submit.ts");
      const [cmd, ...pre] = runScriptArgv(script);
      const out = await new Promise<string>((res, rej) =>
        execFile(cmd, [...pre, nats.wsUrl, JSON.stringify(job(70))], {
          cwd: ROOT,
          timeout: 300_000,
        }, (err, stdout, stderr) => (err ? rej(new Error(`${err}\n${stderr}`)) : res(stdout)))
      );
      const r = JSON.parse(out.trim().split("\n").at(-1)!);
      assert.equal(r.libR, false);
      assert.equal(r.children, 0);
      const local = await brm({ ...job(70), progress: false });
      assert.equal(r.b_Intercept, bytes(local.idata, "b_Intercept"));
      assert.equal(r.sigma, bytes(local.idata, "sigma"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails a job whose worker died max_deliver times, with the crash reason", async () => {
    const { jetstreamManager } = await import("@nats-io/jetstream");
    const jsm = await jetstreamManager(cluster.nc);
    await jsm.consumers.update(JOB_STREAM, JOB_CONSUMER, { max_deliver: 1 });
    try {
      const alive = workers.filter((w) => w.proc.exitCode === null && w.proc.signalCode === null);
      assert.ok(alive.length >= 2, "a worker to kill and one to notice");
      const h = await cluster.submit(job(80, { iter: 200_000 }));
      let victim: WorkerProc | undefined;
      for await (const e of h.events()) {
        if (e.type === "progress" && e.progress.kind === "sampling") {
          victim = workers.find((w) => w.name === e.worker);
          break;
        }
      }
      await stopWorker(victim!, "SIGKILL");
      await assert.rejects(h.result(), (e: unknown) => {
        assert.ok(e instanceof ClusterJobError);
        assert.equal(e.kind, "crashed");
        assert.match(e.message, new RegExp(`${victim!.name} on attempt 1.*max_deliver`));
        return true;
      });
      const evs = await collect(h);
      assert.equal(evs.filter((e) => e.type === "failed").length, 1);
    } finally {
      await jsm.consumers.update(JOB_STREAM, JOB_CONSUMER, { max_deliver: 3 });
    }
  });

  it("leaves no nats-server, worker, R or compiler process and no shared memory behind", async () => {
    await cluster.close();
    await Promise.all(workers.map((w) => stopWorker(w)));
    await shutdown();
    await nats.stop();
    const pids = [
      ...started,
      ...workers.map((w) => w.proc.pid!),
      ...workers.flatMap((w) => [...w.descendants]),
    ];
    assert.ok(
      await waitFor(() => pids.every((p) => !pidAlive(p)), 20_000),
      `alive: ${pids.filter(pidAlive)}`,
    );
    assert.deepEqual(shmEntries(pids), []);
    assert.deepEqual(shmEntries([process.pid]), []);
  });
});
