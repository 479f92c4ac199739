/**
 * The one cross-process lock (lock.ts) as the compiled-model cache and the compiler header use
 * it (brms/compile/store.ts `tryLock`): exclusive across processes, broken when its holder is
 * killed, when it is too old, when it has no owner record for a minute, and when it is a lock
 * file of the cache's earlier format; a waiting `acquireLock` gets it on release and names the
 * holder on timeout. The environments' use of it is covered by env_concurrency_test.ts and
 * env_config_test.ts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { tryLock } from "../brms/compile/store.ts";
import { acquireLock } from "../lock.ts";
import { BrmstsError } from "../errors.ts";

// deno-lint-ignore no-explicit-any
const isBun = !!(globalThis as any).Bun;

/** Starts a process that takes the cache lock at `lock` and holds it until killed. */
async function holder(dir: string, lock: string) {
  const script = join(dir, `hold-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(
    script,
    `import { tryLock } from ${
      JSON.stringify(new URL("../brms/compile/store.ts", import.meta.url).pathname)
    };\n` +
      `const r = tryLock(${JSON.stringify(lock)});\n` +
      `console.log(r ? "HELD" : "BUSY");\n` +
      `setInterval(() => {}, 1000);\n`,
  );
  const child = spawn(
    process.execPath,
    isBun ? [script] : ["run", "-A", "--quiet", "--no-lock", script],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const first = await new Promise<string>((resolve) => {
    let out = "";
    child.stdout!.on("data", (b) => {
      out += b;
      if (out.includes("\n")) resolve(out.trim());
    });
    child.on("close", () => resolve(out.trim()));
  });
  return { child, first };
}

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => /\.lock\.(new|stale|released)-/.test(n));
}

describe("the cross-process lock (cache and compiler header)", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "brmsts-lock-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("is exclusive across processes and broken once its holder is killed", async () => {
    const lock = join(dir, "k1.lock");
    const { child, first } = await holder(dir, lock);
    try {
      assert.equal(first, "HELD");
      assert.equal(tryLock(lock), null, "a live process's lock was taken");
      const second = await holder(dir, lock);
      second.child.kill("SIGKILL");
      assert.equal(second.first, "BUSY");
    } finally {
      child.kill("SIGKILL");
      await new Promise((res) => child.once("exit", res));
    }
    const release = tryLock(lock);
    assert.ok(release, "a killed process's lock was not broken");
    assert.equal(tryLock(lock), null);
    release();
    assert.equal(existsSync(lock), false);
    assert.deepEqual(leftovers(dir), []);
  });

  it("reads a lock file of the earlier format: live pid kept, dead pid or old broken", () => {
    const lock = join(dir, "k2.lock");
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now() }));
    assert.equal(tryLock(lock), null, "a live pid's lock file was broken");
    writeFileSync(
      lock,
      JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now() - 4 * 3600_000 }),
    );
    const r1 = tryLock(lock);
    assert.ok(r1, "a lock file older than 3 hours was kept");
    r1();
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 17, host: hostname(), time: Date.now() }));
    const r2 = tryLock(lock);
    assert.ok(r2, "a dead pid's lock file was kept");
    r2();
    assert.equal(existsSync(lock), false);
  });

  it("trusts another host's lock for 3 hours, and a lock without a valid record for a minute", () => {
    const lock = join(dir, "k3.lock");
    const other = (since: number) => {
      rmSync(lock, { recursive: true, force: true });
      mkdirSync(lock);
      writeFileSync(
        join(lock, "owner.json"),
        JSON.stringify({
          pid: 1,
          start: null,
          host: "elsewhere.invalid",
          token: "x",
          since: new Date(since).toISOString(),
        }),
      );
    };
    other(Date.now() - 3600_000);
    assert.equal(tryLock(lock), null, "another host's recent lock was broken");
    other(Date.now() - 4 * 3600_000);
    const r1 = tryLock(lock);
    assert.ok(r1, "another host's 4-hour-old lock was kept");
    r1();
    mkdirSync(lock);
    writeFileSync(join(lock, "owner.json"), "{ half-writ"); // no valid record
    assert.equal(tryLock(lock), null, "a fresh record-less lock was broken");
    const old = (Date.now() - 120_000) / 1000;
    utimesSync(lock, old, old);
    const r2 = tryLock(lock);
    assert.ok(r2, "a 2-minute-old record-less lock was kept");
    r2();
    assert.equal(existsSync(lock), false);
    assert.deepEqual(leftovers(dir), []);
  });

  it("lets a waiter in on release and names the holder on timeout", async () => {
    const lock = join(dir, "k4.lock");
    const held = tryLock(lock)!;
    assert.ok(held);
    const timeoutError = (who: string) => new BrmstsError(`held by ${who}`);
    await assert.rejects(
      acquireLock(lock, { timeoutMs: 150, timeoutError }),
      new RegExp(`held by pid ${process.pid} on `),
    );
    setTimeout(held, 100);
    const t0 = Date.now();
    const release = await acquireLock(lock, { timeoutMs: 10_000, timeoutError });
    assert.ok(Date.now() - t0 >= 50);
    release();
    release(); // twice is harmless
    assert.equal(existsSync(lock), false);
    assert.deepEqual(leftovers(dir), []);
  });
});
