/**
 * The compiled-model cache of brm(): reuse in the same worker, a fresh worker and a new process
 * (asserted from the `compiled` flag and the phases, never from wall-clock time); invalid
 * entries detected and rebuilt; concurrent processes wait for one compile; the lock itself.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import process from "node:process";
import { join } from "node:path";
import { GAUSSIAN_PRIORS, groupData, ROOT, TEST_CACHE } from "./brm_shared.ts";
import { runScriptArgv } from "./_util.ts";
import { defaultWorker, RWorker, shutdown } from "../worker/mod.ts";
import { brm, type BrmOptions, type ProgressEvent } from "../brms/mod.ts";
import { commitEntry, tryLock } from "../brms/compile/store.ts";
import { ensureTools } from "../brms/core/r_helpers.ts";

const spec = (seed: number): BrmOptions => ({
  formula: "y ~ g",
  data: groupData(30 + seed, seed),
  priors: GAUSSIAN_PRIORS,
  chains: 1,
  iter: 200,
  seed,
  progress: false,
});

function phases(events: ProgressEvent[]): string[] {
  return [...new Set(events.flatMap((e) => (e.kind === "phase" ? [e.phase] : [])))];
}

async function withWorker<T>(fn: (w: RWorker) => Promise<T>): Promise<T> {
  const w = new RWorker();
  w.setConsoleOutput("silent");
  try {
    return await fn(w);
  } finally {
    await w.shutdown();
  }
}

describe("brm() compiled-model cache", () => {
  let key: string;
  let entry: string;
  let tmp: string;

  before(async () => {
    defaultWorker().setConsoleOutput("silent");
    tmp = mkdtempSync(join(tmpdir(), "brmsts-brm-cache-"));
    const first = await brm(spec(1)); // compiles only when the shared test cache is cold
    key = first.cacheKey!;
    entry = join(TEST_CACHE, "models", `${key}.rds`);
  });

  after(async () => {
    await shutdown();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("reuses the model in the same worker (memory)", async () => {
    const events: ProgressEvent[] = [];
    const res = await brm({ ...spec(2), onProgress: (e) => events.push(e) });
    assert.equal(res.compiled, false);
    assert.equal(res.cache, "memory");
    assert.equal(res.cacheKey, key);
    assert.ok(!phases(events).includes("compile"));
  });

  it("does not compile in a fresh worker with new data (disk)", async () => {
    assert.ok(existsSync(entry));
    const events: ProgressEvent[] = [];
    const res = await withWorker((w) =>
      brm({ ...spec(3), worker: w, onProgress: (e) => events.push(e) })
    );
    assert.equal(res.compiled, false);
    assert.equal(res.cache, "disk");
    assert.deepEqual(phases(events), ["prepare", "load", "sample", "extract", "done"]);
    assert.equal(res.idata.get("observed_data", "y").shape[0], 33);
  });

  it("does not compile in a new process", { timeout: 300_000 }, async () => {
    const script = join(tmp, "child.ts");
    writeFileSync(
      script,
      `import { brm } from ${JSON.stringify(join(ROOT, "brms", "mod.ts"))};
import { setConsoleOutput, shutdown } from ${JSON.stringify(join(ROOT, "worker", "mod.ts"))};
import { GAUSSIAN_PRIORS, groupData } from ${JSON.stringify(join(ROOT, "tests", "brm_shared.ts"))};
setConsoleOutput("silent");
const r = await brm({ formula: "y ~ g", data: groupData(40, 9), priors: GAUSSIAN_PRIORS,
  chains: 1, iter: 200, seed: 9, progress: false, returnIdata: false });
console.log(JSON.stringify({ compiled: r.compiled, cache: r.cache, key: r.cacheKey }));
await shutdown();
`,
    );
    const [cmd, ...args] = runScriptArgv(script);
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        cmd,
        args,
        { env: { ...process.env, BRMSTS_CACHE_DIR: TEST_CACHE } },
        (e, so, se) => e ? reject(new Error(`${e.message}\n${se}`)) : resolve(so),
      )
    );
    assert.deepEqual(JSON.parse(out.trim().split("\n").at(-1)!), {
      compiled: false,
      cache: "disk",
      key,
    });
  });

  it("detects stale and foreign entries without failing", async () => {
    const w = defaultWorker();
    await ensureTools(w);
    const bad = join(tmp, "bad.rds");
    const code = "data { }";
    await w.call("saveRDS", [{ format: 1, key: "other" }, bad]);
    assert.match(String(await w.call("brmsts_load", ["k1", bad, code])), /^invalid: /);
    writeFileSync(bad, "not an RDS file at all");
    assert.match(String(await w.call("brmsts_load", ["k2", bad, code])), /^invalid: unreadable/);
    assert.equal(await w.call("brmsts_load", ["k3", join(tmp, "missing.rds"), code]), "missing");
  });

  it(
    "waits for another process's compile instead of compiling twice",
    { timeout: 300_000 },
    async () => {
      const dir = join(tmp, "concurrent");
      const models = join(dir, "models");
      mkdirSync(models, { recursive: true });
      const file = join(models, `${key}.rds`);
      // Pretend another live process (this one) is compiling the model.
      const release = tryLock(join(models, `${key}.lock`));
      assert.ok(release);
      const events: ProgressEvent[] = [];
      let waiting = false;
      const fit = withWorker((w) =>
        brm({
          ...spec(6),
          worker: w,
          cacheDir: dir,
          onProgress: (e) => {
            events.push(e);
            if (e.kind === "phase" && e.detail === "waiting for another process") waiting = true;
          },
        })
      );
      while (!waiting) await new Promise((r) => setTimeout(r, 100));
      // "Finish" the other compile: an atomic rename of a complete entry, then unlock.
      copyFileSync(entry, `${file}.tmp-test`);
      assert.ok(commitEntry(`${file}.tmp-test`, file));
      release!();
      const res = await fit;
      assert.equal(res.compiled, false);
      assert.equal(res.cache, "disk");
    },
  );

  it("takes locks exclusively and clears stale ones", () => {
    const lock = join(tmp, "x.lock");
    const r1 = tryLock(lock);
    assert.ok(r1);
    assert.equal(tryLock(lock), null);
    r1!();
    // A lock left by a process that no longer exists is stale.
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 17, host: hostname(), time: 0 }));
    const r2 = tryLock(lock);
    assert.ok(r2, "stale lock was not cleared");
    r2!();
    assert.ok(!existsSync(lock));
  });
});
