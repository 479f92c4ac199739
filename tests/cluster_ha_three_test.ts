/**
 * No single NATS server to lose (issue 27, item 6): three nats-servers clustered on loopback with
 * JetStream, one brmsts worker and one client given all three. The streams and buckets are
 * created with 3 replicas by default; the leader of the job stream is killed (SIGKILL) while
 * jobs run, and every job still completes exactly once: each result arrives, each job's state is
 * `done`, and the worker reports one `done` per job.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { GAUSSIAN_PRIORS, groupData } from "./brm_shared.ts";
import { type NatsCluster, startNatsCluster } from "./nats_shared.ts";
import { pidAlive, waitFor } from "./_util.ts";
import { shutdown } from "../worker/mod.ts";
import { type Cluster, type ClusterWorker, connectCluster, startWorker } from "../cluster/mod.ts";
import {
  DATA_BUCKET,
  EVENT_STREAM,
  JOB_STREAM,
  MODEL_BUCKET,
  STATE_BUCKET,
} from "../cluster/protocol.ts";

const job = (seed: number) => ({
  formula: "y ~ g",
  data: groupData(30 + seed, seed),
  priors: GAUSSIAN_PRIORS,
  chains: 1,
  iter: 200,
  seed,
});

describe("a brmsts cluster on three nats-servers", () => {
  let nats: NatsCluster;
  let cluster: Cluster;
  let worker: ClusterWorker | undefined;
  const logs: Record<string, unknown>[] = [];
  const pids: number[] = [];

  before(async () => {
    nats = await startNatsCluster(3);
    pids.push(...nats.servers.map((s) => s.pid()));
    worker = await startWorker({
      servers: nats.urls,
      ackWaitMs: 20_000,
      shareModels: false,
      onLog: (e) => {
        logs.push(e);
        if (process.env.BRMSTS_TEST_LOG) console.error(JSON.stringify(e).slice(0, 300));
      },
    });
    cluster = await connectCluster({ servers: nats.urls });
    await worker.ready;
  });

  after(async () => {
    await cluster?.close();
    await worker?.stop();
    await shutdown();
    await nats?.dispose();
    for (const p of pids) assert.ok(await waitFor(() => !pidAlive(p), 10_000), `nats ${p} gone`);
  });

  it("creates the streams and buckets with 3 replicas by default", async () => {
    const { jetstreamManager } = await import("@nats-io/jetstream");
    const jsm = await jetstreamManager(cluster.nc);
    for (
      const name of [
        JOB_STREAM,
        EVENT_STREAM,
        `KV_${STATE_BUCKET}`,
        `OBJ_${DATA_BUCKET}`,
        `OBJ_${MODEL_BUCKET}`,
      ]
    ) {
      assert.equal((await jsm.streams.info(name)).config.num_replicas, 3, name);
    }
    assert.ok(!logs.some((e) => e.event === "replicas-kept"), "nothing existed before");
  });

  it("completes every job exactly once when the job stream's leader is killed", async () => {
    const { jetstreamManager } = await import("@nats-io/jetstream");
    const jsm = await jetstreamManager(cluster.nc);
    const seeds = [1, 2, 3, 4, 5, 6];
    const handles = await Promise.all(seeds.map((s) => cluster.submit(job(s))));
    const ids = handles.map((h) => h.id);
    const results = handles.map((h) => h.result());
    results.forEach((p) => p.catch(() => {})); // awaited below
    // Kill the leader of the job stream once the first job runs.
    assert.ok(await waitFor(() => logs.some((e) => e.event === "started"), 600_000));
    const leader = (await jsm.streams.info(JOB_STREAM)).cluster?.leader ?? "";
    const victim = nats.servers[Number(leader.replace("brmsts-n", ""))];
    assert.ok(victim, `a leader among the three: ${leader}`);
    const pid = victim.pid();
    const dbg = (m: string) => process.env.BRMSTS_TEST_LOG && console.error(m);
    dbg(`client on ${cluster.nc.getServer()}, killing ${victim.url} (${leader})`);
    let settled = 0;
    results.forEach((p) => p.then(() => dbg(`result ${++settled}`), (e) => dbg(`rej ${e}`)));
    (async () => {
      for await (const s of cluster.nc.status()) dbg(`client status ${JSON.stringify(s)}`);
    })();
    process.kill(pid, "SIGKILL");
    assert.ok(await waitFor(() => !pidAlive(pid), 10_000));

    const got = await Promise.all(results);
    for (const r of got) assert.equal(r.draws.numRows, 100);
    // Each job's state is done and the worker fitted each exactly once.
    const { Kvm } = await import("@nats-io/kv");
    const kv = await new Kvm(cluster.nc).open(STATE_BUCKET);
    for (const id of ids) {
      const e = await kv.get(id);
      assert.equal(JSON.parse(new TextDecoder().decode(e!.value)).state, "done", id);
      const done = logs.filter((l) => l.event === "done" && l.job === id).length;
      assert.equal(done, 1, `one done for ${id}`);
    }
    // The two servers left still run JetStream with the job stream (a new leader).
    const info = await jsm.streams.info(JOB_STREAM);
    assert.notEqual(info.cluster?.leader, leader);
  });
});
