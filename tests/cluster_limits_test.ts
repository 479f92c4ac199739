/**
 * Limits per job (issue 27): a real worker on a real nats-server, with limits set low enough to
 * be reached cheaply. Each over-limit job fails with kind "limit" naming the limit, is not
 * retried, and the worker serves the next job: 10^9 iterations (refused before R), a data object
 * over the byte limit (refused from its declared size, before it is read; the 2 GB case of the
 * issue is the same check with another number), a job past its wall time (stopped while it
 * samples), and a job whose R passes the memory limit (killed by the watchdog).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { smallJob } from "./brm_shared.ts";
import { type NatsServer, startNats } from "./nats_shared.ts";
import { shutdown } from "../worker/mod.ts";
import {
  type Cluster,
  ClusterJobError,
  type ClusterWorker,
  connectCluster,
  startWorker,
} from "../cluster/mod.ts";

const good = smallJob;

async function failsWithLimit(cluster: Cluster, opts: Record<string, unknown>, limit: RegExp) {
  const h = await cluster.submit({ ...good(1), ...opts } as never);
  await assert.rejects(h.result(), (e: unknown) => {
    assert.ok(e instanceof ClusterJobError, String(e));
    assert.equal(e.kind, "limit", e.message);
    assert.equal(e.attempts, 1, "a job over a limit is not retried");
    assert.match(e.message, limit);
    return true;
  });
}

describe("a worker enforces its limits per job", () => {
  let nats: NatsServer;
  let cluster: Cluster;
  let worker: ClusterWorker | undefined;
  const logs: Record<string, unknown>[] = [];

  const start = async (limits: Record<string, number>) => {
    await worker?.stop();
    worker = await startWorker({
      servers: nats.url,
      ackWaitMs: 20_000,
      shareModels: false,
      limits,
      onLog: (e) => logs.push(e),
    });
    await worker.ready;
  };

  before(async () => {
    nats = await startNats();
    cluster = await connectCluster({ servers: nats.url });
  });
  after(async () => {
    await cluster?.close();
    await worker?.stop();
    await shutdown();
    await nats?.dispose();
  });

  it("refuses 10^9 iterations and data over the byte limit before R, then fits the next job", async () => {
    await start({ maxDataBytes: 2 ** 20, maxIterations: 1e6 });
    await failsWithLimit(cluster, { iter: 1e9 }, /1000000000.*--max-iterations/);
    const n = 300_000; // 2.4 MB of doubles, over the 1 MiB limit
    const big = {
      y: Float64Array.from({ length: n }, (_, i) => Math.sin(i)),
      g: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? "a" : "b")),
    };
    await failsWithLimit(cluster, { data: big }, /--max-data-bytes/);
    const res = await (await cluster.submit(good(2))).result();
    assert.equal(res.draws.numRows, 100);
  });

  it("stops a job past its wall time and answers the next job", async () => {
    await start({ maxJobSeconds: 1 });
    await failsWithLimit(cluster, { iter: 2_000_000, seed: 3 }, /--max-job-seconds/);
    // Alive: it answers the next job (any fit would take longer than this worker's 1 s limit,
    // so the next job is one refused before R).
    await failsWithLimit(cluster, { iter: 1e9 }, /--max-iterations/);
  });

  it("kills a job whose R passes the memory limit, and answers the next job", async () => {
    // R with brms loaded is far above 64 MiB: the watchdog ends the job's R during the job.
    await start({ maxJobMemory: 64 * 2 ** 20 });
    await failsWithLimit(cluster, { seed: 5 }, /maxJobMemory|--max-job-memory|memory/);
    // The worker lives on: it answers the next job (refused before R, so the memory limit does
    // not apply to it).
    await failsWithLimit(cluster, { iter: 1e9 }, /--max-iterations/);
    assert.ok(logs.every((e) => e.event !== "slot-error"), JSON.stringify(logs.slice(-5)));
  });
});
