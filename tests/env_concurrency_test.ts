/**
 * Two processes changing environments at once leave a valid state: the state file parses and
 * names an existing environment, configs are whole, the lock never admitted two holders.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { hasEnvironment, readEnvironmentConfig, setBrmstsHome } from "../env/mod.ts";
import { readState } from "../env/store/state.ts";
import { withHomeLock } from "../env/lock.ts";
import { acquireHomeLock } from "../env/lock.ts";
import { writeEnvironmentConfig } from "../env/store/config.ts";

const CHILD = new URL("./fixtures/env_activate_loop.ts", import.meta.url).pathname;

/** Runs the loop script in a child process of the same runtime as this test. */
function runChild(args: string[]): Promise<{ code: number | null; output: string }> {
  // deno-lint-ignore no-explicit-any
  const isBun = !!(globalThis as any).Bun;
  const argv = isBun ? [CHILD, ...args] : ["run", "-A", "--quiet", "--no-lock", CHILD, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (b) => output += b);
    child.stderr!.on("data", (b) => output += b);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("concurrent environment changes", () => {
  let home: string;
  const names = ["e1", "e2", "e3"];

  before(() => {
    home = mkdtempSync(join(tmpdir(), "brmsts-env-conc-"));
    setBrmstsHome(home);
    for (const name of names) {
      writeEnvironmentConfig({ name, rHome: null, env: {}, startupScripts: [] });
    }
    writeFileSync(join(home, "counter"), "0");
  });

  after(() => {
    setBrmstsHome();
    rmSync(home, { recursive: true, force: true });
  });

  it("two processes activating environments in a loop leave a valid state file", {
    timeout: 120_000,
  }, async () => {
    const n = 40;
    const results = await Promise.all([
      runChild([home, String(n), "e1", "e2"]),
      runChild([home, String(n), "e3", "e2", "e1"]),
    ]);
    for (const r of results) assert.equal(r.code, 0, r.output);
    const state = readState();
    assert.ok(state.active !== null && names.includes(state.active), `state: ${state.active}`);
    assert.ok(hasEnvironment(state.active!));
    assert.doesNotThrow(() => JSON.parse(readFileSync(join(home, "state.json"), "utf8")));
    const shared = readEnvironmentConfig("shared");
    assert.equal(shared.startupScripts[0].length, 1000 + Number(shared.env.I));
    assert.equal(readFileSync(join(home, "counter"), "utf8"), String(2 * n), "no lost updates");
    assert.deepEqual(readdirSync(home).sort(), ["counter", "environments", "state.json"]);
    for (const name of [...names, "shared"]) {
      assert.deepEqual(readdirSync(join(home, "environments", name)).sort(), [
        "Rlib",
        "config.json",
      ]);
    }
  });

  it("a lock held by another live process makes waiters time out naming it", {
    timeout: 60_000,
  }, async () => {
    // This process holds the lock; a child trying to activate must wait and fail.
    const release = await acquireHomeLock();
    try {
      const script = join(home, "try_lock.ts");
      writeFileSync(
        script,
        `import { setBrmstsHome } from ${
          JSON.stringify(new URL("../env/mod.ts", import.meta.url).pathname)
        };\n` +
          `import { withHomeLock } from ${
            JSON.stringify(new URL("../env/lock.ts", import.meta.url).pathname)
          };\n` +
          `setBrmstsHome(${JSON.stringify(home)});\n` +
          `try { await withHomeLock(() => {}, { timeoutMs: 300 }); console.log("GOT IT"); }\n` +
          `catch (e) { console.log(e.name, e.message); }\n`,
      );
      // deno-lint-ignore no-explicit-any
      const isBun = !!(globalThis as any).Bun;
      const r = await new Promise<string>((resolve) => {
        const c = spawn(
          process.execPath,
          isBun ? [script] : ["run", "-A", "--quiet", "--no-lock", script],
        );
        let out = "";
        c.stdout!.on("data", (b) => out += b);
        c.stderr!.on("data", (b) => out += b);
        c.on("close", () => resolve(out));
      });
      assert.match(r, new RegExp(`EnvironmentLockError .*held by pid ${process.pid} `));
    } finally {
      release();
    }
    assert.equal(await withHomeLock(() => 1), 1);
  });
});
