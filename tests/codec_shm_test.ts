import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import {
  callR,
  defaultWorker,
  evalR,
  releaseShared,
  RWorkerCrashedError,
  shutdown,
} from "../worker/mod.ts";
import { Categorical, DataFrame } from "../data/mod.ts";
import { fdCount, shmEntries, waitFor } from "./_util.ts";
import { forceGC, mappedSegments, mappedSegmentSizes, procKiB } from "./_codec_util.ts";

const MiB = 1048576;

function frame(n: number, seed: number): DataFrame {
  return new DataFrame({
    x: new Float64Array(n).map((_, i) => i + seed),
    k: new Int32Array(n).map((_, i) => i % 7),
    g: Categorical.from(Array.from({ length: n }, (_, i) => `g${(i + seed) % 5}`), {
      levels: ["g0", "g1", "g2", "g3", "g4", "unused"],
    }),
    s: Array.from({ length: n }, (_, i) => (i % 9 ? `s${(i * 31 + seed) % 400}` : null)),
  });
}

/** Stops the worker (if any) and starts a new one, so its segment pool starts empty. */
async function freshWorker(): Promise<void> {
  await shutdown();
  assert.equal(await evalR("1L"), 1);
}

describe("codec: shared-memory lifetime and leaks", () => {
  before(() => defaultWorker().setConsoleOutput("silent"));
  after(() => shutdown());

  it("1,000 transfers of mixed frames leave /dev/shm and open fds at their baseline", async () => {
    await freshWorker();
    const pid = (await defaultWorker().status()).pid;
    const base = {
      shm: shmEntries(),
      main: fdCount(),
      worker: fdCount(pid),
      maps: mappedSegments().length,
    };
    for (let i = 0; i < 1000; i++) {
      const n = i % 50 === 0 ? 60_000 : i % 3 === 0 ? 2_000 : 20; // view, copy and inline paths
      const back = await callR("identity", [frame(n, i)]) as DataFrame;
      assert.equal(back.nrow, n);
      assert.equal((back.column("x") as Float64Array)[n - 1], n - 1 + i);
      assert.equal((back.column("g") as Categorical).at(0), `g${i % 5}`);
    }
    await forceGC();
    await evalR("1"); // carries the released leases back
    assert.deepEqual(shmEntries(), base.shm);
    // Not above the baseline (earlier test files' child pipes may close meanwhile).
    assert.ok(fdCount() <= base.main, `main fds ${fdCount()} > ${base.main}`);
    assert.ok(fdCount(pid) <= base.worker, `worker fds ${fdCount(pid)} > ${base.worker}`);
    assert.ok(mappedSegments(pid).length <= 10, `worker maps ${mappedSegments(pid).length}`);
    const maps = mappedSegments().length; // views from earlier test files may still be alive
    assert.ok(maps <= base.maps + 12, `main maps ${maps} (${base.maps} before)`);
    // The main process maps shared memory through libc only: libR is never loaded here.
    assert.ok(!readFileSync("/proc/self/maps", "utf8").includes("libR.so"));
  });

  it("a worker killed mid-transfer leaves no segment behind (both directions)", async () => {
    // A fresh worker: a segment reused from its pool has no name left to watch for (under Bun
    // every test file shares one process, so earlier files may have filled the pool).
    await freshWorker();
    await evalR("big <- runif(5e7)");
    const pid = (await defaultWorker().status()).pid;
    const p = evalR("big");
    // The name exists only while the result is in flight (until main maps it): poll fast.
    const outcome = p.then(() => "resolved", (e) => e);
    const seen = await waitFor(
      () => shmEntries().some((n) => n.startsWith(`brmsts-w${pid}-`)),
      20_000,
      5,
    );
    process.kill(pid, "SIGKILL");
    assert.ok(seen, "the worker's segment never appeared");
    assert.ok(await outcome instanceof RWorkerCrashedError);
    assert.deepEqual(shmEntries(), []);
    assert.equal(await evalR("1 + 1"), 2);

    const pid2 = (await defaultWorker().status()).pid;
    process.kill(pid2, "SIGSTOP"); // the worker cannot map the request: its name stays in flight
    const q = callR("sum", [new Float64Array(2_000_000).fill(1)]);
    const inFlight = await waitFor(() =>
      shmEntries().some((n) => n.startsWith(`brmsts-m${process.pid}-`))
    );
    process.kill(pid2, "SIGKILL");
    assert.ok(inFlight, "the request's segment never appeared");
    await assert.rejects(q, RWorkerCrashedError);
    assert.deepEqual(shmEntries(), []);
    assert.equal(await callR("sum", [new Float64Array(2_000_000).fill(1)]), 2_000_000);
  });

  it("a typed array outlives its result, GC and a worker restart", async () => {
    await freshWorker();
    let res: Float64Array | null = await evalR("as.numeric(1:400000) / 4") as Float64Array;
    const sub = res.subarray(1000, 1010);
    let df: DataFrame | null = await evalR(
      "data.frame(a = as.numeric(1:300000), f = factor(rep(c('x', 'y'), 150000)))",
    ) as DataFrame;
    const col = df.column("a") as Float64Array;
    const codes = (df.column("f") as Categorical).codes;
    res = df = null;
    await forceGC();
    // Transfers that would reuse any segment given back.
    for (let i = 0; i < 30; i++) releaseShared(await evalR("as.numeric(1:400000) * 0"));
    const check = () => {
      for (let i = 0; i < 10; i++) assert.equal(sub[i], (1001 + i) / 4);
      assert.equal(col.length, 300000);
      assert.equal(col[299999], 300000);
      assert.equal(codes[299999], 1);
      assert.equal(codes[0], 0);
    };
    check();
    const oldPid = (await defaultWorker().status()).pid;
    process.kill(oldPid, "SIGKILL");
    await waitFor(() => (defaultWorker().info?.pid ?? oldPid) !== oldPid, 100);
    assert.equal(await evalR("2 + 2"), 4);
    assert.notEqual((await defaultWorker().status()).pid, oldPid);
    check();
    await forceGC();
    check();
    assert.ok(mappedSegments().some((n) => n.startsWith(`brmsts-w${oldPid}-`)));
  });

  it("releaseShared() detaches views at once; small results are plain copies", async () => {
    const x = await evalR("as.numeric(1:1e6)") as Float64Array;
    const y = x.subarray(5);
    assert.equal(y[0], 6);
    assert.equal(releaseShared(x), 1);
    assert.equal(x.length, 0);
    assert.equal(y.length, 0);
    const small = await evalR("as.numeric(1:1000)") as Float64Array;
    assert.equal(releaseShared(small), 0);
    assert.equal(small[999], 1000);
    const kept = [];
    for (let i = 0; i < 5; i++) {
      kept.push(await evalR(`as.numeric(1:500000) + ${i}`) as Float64Array);
    }
    kept.forEach((v, i) => assert.equal(v[499999], 500000 + i));
  });

  it("repeating a large transfer 20 times grows neither /dev/shm nor the worker", async () => {
    await freshWorker();
    await evalR("big <- runif(2e7); big_sum <- sum(big)");
    const pid = (await defaultWorker().status()).pid;
    const expected = await evalR("big_sum") as number;
    const once = async (i: number) => {
      let v: Float64Array | null = await evalR("big") as Float64Array;
      assert.equal(v.length, 2e7);
      if (i % 5 === 0) {
        let s = 0;
        for (let k = 0; k < v.length; k++) s += v[k];
        assert.ok(Math.abs(s - expected) < 1e-6 * Math.abs(expected));
      }
      if (i % 2) releaseShared(v);
      v = null;
      await forceGC();
    };
    await once(0);
    await once(1);
    // Shared memory held by this process and its worker (other processes on the machine may be
    // using /dev/shm at the same time, so the file system's total is not a measure of ours).
    const ours = () =>
      [...mappedSegmentSizes("self").values(), ...mappedSegmentSizes(pid).values()]
        .reduce((a, b) => a + b, 0);
    const shm0 = ours(), rss0 = procKiB(pid, "RssAnon");
    for (let i = 2; i < 22; i++) await once(i);
    await evalR("1");
    const shm1 = ours(), rss1 = procKiB(pid, "RssAnon");
    // Up to two 160 MB segments may still await their finalizer at either measurement (the
    // runtime decides when it runs, Bun's conservative GC later than V8's); a leak of the
    // ten transfers not released by hand would be 1.6 GB.
    assert.ok(
      shm1 - shm0 < 2 * 2e7 * 8 + 20 * MiB,
      `mapped shared memory grew by ${((shm1 - shm0) / MiB).toFixed(1)} MiB`,
    );
    assert.ok(
      rss1 - rss0 < 50 * MiB,
      `worker heap (RssAnon) grew by ${((rss1 - rss0) / MiB).toFixed(1)} MiB`,
    );
    // This worker's segments only (views of earlier workers' results may not be collected yet).
    const large = (p: number | "self") =>
      [...mappedSegmentSizes(p)].filter(([n, b]) =>
        n.startsWith(`brmsts-w${pid}-`) && b >= 100 * MiB
      );
    // At most two: the one in use and one whose views await their finalizer (the runtime
    // decides when that runs); twenty transfers must not have made twenty.
    assert.ok(large("self").length <= 2, `main maps ${large("self").length} large segments`);
    assert.ok(large(pid).length <= 2, `the worker maps ${large(pid).length} large segments`);
  });

  it("100 transfers of a large vector reuse one prefaulted segment and leave nothing behind", async () => {
    await freshWorker();
    const pid = (await defaultWorker().status()).pid;
    await evalR("v8m <- as.numeric(seq_len(1e6)); NULL"); // 8 MB
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const v = await evalR("v8m") as Float64Array;
      const segs = [...mappedSegmentSizes("self")].filter(([n]) => n.startsWith(`brmsts-w${pid}-`));
      assert.equal(segs.length, 1, "one worker segment mapped here");
      seen.add(segs[0][0]);
      if (i === 0) {
        // Prefaulted on mapping: its pages are resident before anything reads them.
        assert.ok(
          residentBytes("self", segs[0][0]) >= 8e6,
          `only ${residentBytes("self", segs[0][0])} bytes resident before the first read`,
        );
      }
      assert.equal(v[0], 1);
      assert.equal(v[999_999], 1e6);
      assert.equal(releaseShared(v), 1);
    }
    assert.equal(seen.size, 1, `100 transfers used ${seen.size} segments`);
    assert.deepEqual(shmEntries([pid]), [], "no name left in /dev/shm while the worker lives");
    await shutdown();
    assert.deepEqual(shmEntries([pid, process.pid]), []);
  });
});

/** Resident bytes of a mapped /dev/shm segment in a process (from /proc/<pid>/smaps). */
function residentBytes(pid: number | "self", name: string): number {
  const lines = readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n");
  let inSeg = false, total = 0;
  for (const line of lines) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inSeg = line.includes(`/dev/shm/${name}`);
    else if (inSeg && line.startsWith("Rss:")) total += Number(line.split(/\s+/)[1]) * 1024;
  }
  return total;
}
