/**
 * Environment files and locking without R: config.json and state.json validation (errors name
 * the file and the problem), activeWorkerConfig(), the cross-process lock.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
  activeWorkerConfig,
  brmstsHome,
  EnvironmentConfigError,
  EnvironmentError,
  EnvironmentLockError,
  environmentPaths,
  listEnvironments,
  readEnvironmentConfig,
  setBrmstsHome,
  workerConfigFor,
} from "../env/mod.ts";
import { readState } from "../env/store/state.ts";
import { acquireHomeLock, withHomeLock } from "../env/lock.ts";
import { writeEnvironmentConfig } from "../env/store/config.ts";
import { writeState } from "../env/store/state.ts";
import { recoverLibrary } from "../env/install.ts";

describe("environment files", () => {
  let root: string;
  let n = 0;
  let home: string;

  before(() => {
    root = mkdtempSync(join(tmpdir(), "brmsts-env-cfg-"));
  });
  // A fresh home per test.
  const fresh = () => {
    home = join(root, `h${n++}`);
    setBrmstsHome(home);
    return home;
  };
  afterEach(() => setBrmstsHome());
  after(() => rmSync(root, { recursive: true, force: true }));

  const writeConfig = (name: string, text: string) => {
    const p = environmentPaths(name);
    mkdirSync(p.library, { recursive: true });
    writeFileSync(p.config, text);
    return p.config;
  };
  const configError = (name: string, problem: RegExp) => (e: unknown) => {
    assert.ok(e instanceof EnvironmentConfigError, `expected EnvironmentConfigError, got ${e}`);
    assert.equal(e.file, environmentPaths(name).config);
    assert.ok(e.message.startsWith(e.file + ": "), "the message names the file");
    assert.match(e.problem, problem);
    return true;
  };

  it("resolves the home: setBrmstsHome, else BRMSTS_HOME, else ~/.brmsts", () => {
    setBrmstsHome();
    const saved = process.env.BRMSTS_HOME;
    try {
      process.env.BRMSTS_HOME = "/srv/x/.brmsts";
      assert.equal(brmstsHome(), "/srv/x/.brmsts");
      process.env.BRMSTS_HOME = "relative/path";
      assert.throws(() => brmstsHome(), /absolute/);
      delete process.env.BRMSTS_HOME;
      assert.match(brmstsHome(), /\.brmsts$/);
      setBrmstsHome("/tmp/elsewhere");
      assert.equal(brmstsHome(), "/tmp/elsewhere");
    } finally {
      if (saved === undefined) delete process.env.BRMSTS_HOME;
      else process.env.BRMSTS_HOME = saved;
    }
  });

  it("rejects unsafe environment names", () => {
    fresh();
    for (const bad of ["", "../x", ".hidden", "a/b", "-x", "x".repeat(65), "sp ace"]) {
      assert.throws(() => environmentPaths(bad), EnvironmentError, bad);
    }
    assert.equal(
      environmentPaths("proj-1.a_b").library,
      join(home, "environments/proj-1.a_b/Rlib"),
    );
  });

  it("writes and reads config.json round trip", () => {
    fresh();
    const cfg = {
      name: "dev",
      rHome: "/usr/lib/R",
      env: { OMP_NUM_THREADS: "1" },
      startupScripts: ["x <- 1"],
    };
    writeEnvironmentConfig(cfg);
    assert.deepEqual(readEnvironmentConfig("dev"), cfg);
    assert.ok(existsSync(environmentPaths("dev").library));
    assert.deepEqual(readdirSync(environmentPaths("dev").dir).sort(), ["Rlib", "config.json"]);
  });

  it("corrupt or hand-edited configs give errors naming the file and the problem", () => {
    fresh();
    const cases: [string, RegExp][] = [
      ["", /empty/],
      ['{"schema": 1, "name": "e",', /not valid JSON/],
      ["[1, 2]", /expected a JSON object, found an array/],
      ['{"schema": 2, "name": "e"}', /"schema" must be 1, found number 2/],
      [
        '{"schema": 1, "name": "other"}',
        /"name" is "other" but the file belongs to environment "e"/,
      ],
      ['{"schema": 1, "name": "e", "startupScript": []}', /unknown key "startupScript"/],
      [
        '{"schema": 1, "name": "e", "rHome": "relative"}',
        /"rHome" must be null or an absolute path/,
      ],
      ['{"schema": 1, "name": "e", "env": {"A": 1}}', /"env.A" must be a string, found number 1/],
      [
        '{"schema": 1, "name": "e", "env": {"R_LIBS_USER": "/x"}}',
        /"env.R_LIBS_USER" is set by brmsts/,
      ],
      ['{"schema": 1, "name": "e", "env": {"1X": "a"}}', /"1X" is not a valid variable name/],
      ['{"schema": 1, "name": "e", "startupScripts": "x"}', /"startupScripts" must be an array/],
      [
        '{"schema": 1, "name": "e", "startupScripts": ["a", 3]}',
        /"startupScripts\[1\]" must be a string/,
      ],
    ];
    for (const [text, problem] of cases) {
      writeConfig("e", text);
      assert.throws(() => readEnvironmentConfig("e"), configError("e", problem), text);
    }
    // listEnvironments still lists it, with the problem, so it can be repaired or removed.
    const [info] = listEnvironments();
    assert.equal(info.name, "e");
    assert.match(info.problem!, /startupScripts\[1\]/);
    assert.throws(() => readEnvironmentConfig("missing"), /environment "missing" does not exist/);
  });

  it("state.json: missing means none active; corrupt names the file", () => {
    fresh();
    assert.deepEqual(readState(), { active: null, updatedAt: null });
    assert.deepEqual(activeWorkerConfig(), {}, "no active environment: plain system R");
    mkdirSync(home, { recursive: true });
    const file = join(home, "state.json");
    for (
      const [text, problem] of [
        ["{", /not valid JSON/],
        ['{"schema": 1, "active": 3}', /"active" must be an environment name or null/],
        ['{"schema": 1, "active": "../x"}', /invalid environment name/],
        ['{"schema": 1, "activ": "x"}', /unknown key "activ"/],
      ] as [string, RegExp][]
    ) {
      writeFileSync(file, text);
      assert.throws(() => readState(), (e: unknown) => {
        assert.ok(e instanceof EnvironmentConfigError);
        assert.equal(e.file, file);
        assert.match(e.problem, problem);
        return true;
      });
    }
  });

  it("activeWorkerConfig() gives the active environment's worker configuration", async () => {
    fresh();
    writeEnvironmentConfig({
      name: "dev",
      rHome: "/usr/lib/R",
      env: { R_LIBS: "/extra" },
      startupScripts: ["1"],
    });
    await withHomeLock(() => writeState("dev"));
    const lib = environmentPaths("dev").library;
    const cfg = activeWorkerConfig();
    assert.deepEqual(cfg, {
      env: { R_LIBS: `${lib}:/extra`, R_LIBS_USER: lib, BRMSTS_ENVIRONMENT: "dev" },
      rHome: "/usr/lib/R",
      startupScripts: ["1"],
    });
    assert.deepEqual(cfg, workerConfigFor(readEnvironmentConfig("dev")));
    // The state names an environment that was deleted by hand.
    rmSync(environmentPaths("dev").dir, { recursive: true });
    assert.throws(() => activeWorkerConfig(), (e: unknown) => {
      assert.ok(e instanceof EnvironmentConfigError);
      assert.equal(e.file, join(home, "state.json"));
      assert.match(e.problem, /active environment "dev" does not exist/);
      return true;
    });
  });

  it("recovers a library a crashed process left mid-swap", () => {
    fresh();
    const { dir, library } = environmentPaths("crash");
    mkdirSync(library, { recursive: true });
    const dead = spawnSync("true").pid!;
    const pkg = (d: string) => {
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, "DESCRIPTION"), "Package: tinypkg\nVersion: 0.1.0\nBuilt: R 4.2.2\n");
    };
    pkg(join(library, `.old-tinypkg-${dead}-abc123`)); // renamed aside, never replaced
    pkg(join(library, `.old-otherpkg-${dead}-abc124`));
    pkg(join(library, "otherpkg")); // replaced: the aside copy is garbage
    mkdirSync(join(dir, `.staging-${dead}-x1`));
    mkdirSync(join(dir, `.staging-${process.pid}-x2`)); // a live process's staging: kept
    assert.deepEqual(recoverLibrary(dir, library), ["tinypkg"]);
    assert.deepEqual(readdirSync(library).sort(), ["otherpkg", "tinypkg"]);
    assert.deepEqual(readdirSync(dir).sort(), [`.staging-${process.pid}-x2`, "Rlib"]);
  });

  it("the lock excludes concurrent holders in one process", async () => {
    fresh();
    let inside = 0, maxInside = 0;
    await Promise.all(Array.from({ length: 8 }, () =>
      withHomeLock(async () => {
        maxInside = Math.max(maxInside, ++inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
      })));
    assert.equal(maxInside, 1);
    assert.deepEqual(readdirSync(home), [], "nothing left behind");
  });

  it("breaks a stale lock (dead owner), times out on a live one naming the holder", async () => {
    fresh();
    mkdirSync(join(home, ".lock"), { recursive: true });
    // A pid that is certainly dead: a child that already exited.
    const dead = spawnSync("true").pid!;
    writeFileSync(
      join(home, ".lock", "owner.json"),
      JSON.stringify({
        pid: dead,
        start: null,
        host: hostname(),
        token: "t",
        since: new Date().toISOString(),
      }),
    );
    // Temporary files of a crashed writer are swept when the lock is next taken.
    mkdirSync(join(home, `.lock.new-${dead}-zz1`));
    writeFileSync(join(home, `.state.json.${dead}-zz2.tmp`), "{");
    assert.equal(await withHomeLock(() => 7, { timeoutMs: 2000 }), 7);
    assert.equal(existsSync(join(home, ".lock")), false);
    assert.deepEqual(readdirSync(home), []);

    const release = await (await import("../env/lock.ts")).acquireHomeLock();
    try {
      await assert.rejects(withHomeLock(() => 1, { timeoutMs: 150 }), (e: unknown) => {
        assert.ok(e instanceof EnvironmentLockError);
        assert.match(e.holder, new RegExp(`pid ${process.pid}\\b`));
        assert.match(e.message, /timed out after 150 ms waiting for the brmsts lock/);
        return true;
      });
    } finally {
      release();
    }
    assert.equal(await withHomeLock(() => "free again", { timeoutMs: 500 }), "free again");
  });

  it("breaks a lock without a valid owner record only once it has stayed so for a while", async () => {
    fresh();
    // Released and taken again between two reads, a live lock looks record-less for a moment:
    // a fresh record-less lock is waited for, not broken. (An empty directory would simply be
    // renamed over; this one holds a file that is not a record.)
    mkdirSync(join(home, ".lock"), { recursive: true });
    writeFileSync(join(home, ".lock", "owner.json"), "{");
    await assert.rejects(withHomeLock(() => 1, { timeoutMs: 300 }), (e: unknown) => {
      assert.ok(e instanceof EnvironmentLockError);
      assert.equal(e.holder, "an unknown process");
      return true;
    });
    const old = new Date(Date.now() - 10_000);
    utimesSync(join(home, ".lock"), old, old); // left by hand, or by a crash, long ago
    assert.equal(await withHomeLock(() => 2, { timeoutMs: 300 }), 2);
    assert.deepEqual(readdirSync(home), []);
  });

  it("frees the lock when it is released while a breaker has set it aside", async () => {
    fresh();
    const release = await acquireHomeLock();
    // Another process, taking the lock for stale, has just renamed it aside to look at it; it
    // would rename it back when it sees a record other than the one it judged.
    const aside = join(home, `.lock.stale-${process.pid}-zz9`);
    renameSync(join(home, ".lock"), aside);
    release();
    assert.equal(existsSync(aside), false, "the released lock was removed where it was");
    assert.deepEqual(readdirSync(home), []);
    assert.equal(await withHomeLock(() => 3, { timeoutMs: 300 }), 3);
  });

  it("breaks a lock of its own that a breaker put back after it was released", async () => {
    fresh();
    const release = await acquireHomeLock();
    const record = readFileSync(join(home, ".lock", "owner.json"), "utf8");
    release();
    // The breaker's rename back landed after the release: the lock carries a record of this
    // live process that nobody holds.
    mkdirSync(join(home, ".lock"));
    writeFileSync(join(home, ".lock", "owner.json"), record);
    assert.equal(await withHomeLock(() => 4, { timeoutMs: 300 }), 4);
    assert.deepEqual(readdirSync(home), []);
  });
});
