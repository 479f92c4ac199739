/**
 * Environments end to end: install a locally built package into environment A, see it in A
 * and not in B, uninstall it, and check that a broken tarball leaves A byte-identical.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { configureWorker, defaultWorker, evalR, shutdown } from "../worker/mod.ts";
import {
  activateEnvironment,
  activeEnvironment,
  deactivateEnvironment,
  EnvironmentError,
  environmentPaths,
  hasEnvironment,
  listEnvironments,
  manage,
  readEnvironmentConfig,
  removeEnvironment,
  RPackageInstallError,
  setBrmstsHome,
} from "../env/mod.ts";
import { readState } from "../env/store/state.ts";
import { buildTinyPackage } from "./fixtures/rpkg.ts";

/** Every path under `dir` with its type, mode, size, mtime and content hash. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    const st = lstatSync(d);
    const hash = st.isFile() ? createHash("sha256").update(readFileSync(d)).digest("hex") : "";
    out.push(`${rel}|${st.mode}|${st.size}|${st.mtimeMs}|${hash}`);
    if (st.isDirectory()) {
      for (const n of readdirSync(d).sort()) {
        walk(join(d, n), `${rel}/${n}`);
      }
    }
  };
  walk(dir, ".");
  return out;
}

describe("managed environments: packages", () => {
  let home: string;
  let good: string, good2: string, broken: string, garbage: string;

  before(() => {
    home = mkdtempSync(join(tmpdir(), "brmsts-env-pkg-"));
    setBrmstsHome(join(home, "home"));
    const pk = (sub: string) => {
      const d = join(home, sub);
      mkdirSync(d);
      return d;
    };
    good = buildTinyPackage(pk("good"), { version: "0.1.0", value: 1 });
    good2 = buildTinyPackage(pk("good2"), { version: "0.2.0", value: 2 });
    broken = buildTinyPackage(pk("broken"), { version: "0.3.0", broken: true });
    garbage = join(pk("garbage"), "tinypkg_9.9.9.tar.gz");
    writeFileSync(garbage, "this is not a tarball\n");
    defaultWorker().setConsoleOutput("silent");
  });

  after(async () => {
    await configureWorker({});
    await shutdown();
    setBrmstsHome();
    rmSync(home, { recursive: true, force: true });
  });

  it("installs a tarball into A: importable in A, the library first in .libPaths()", {
    timeout: 60_000,
  }, async () => {
    await using ctx = await manage({ environmentName: "A" });
    assert.equal(ctx.environmentName, "A");
    assert.equal(await ctx.isRPackageInstalled("tinypkg"), false);
    const installed = await ctx.installRPackage(good);
    assert.deepEqual(installed.map((p) => [p.name, p.version]), [["tinypkg", "0.1.0"]]);
    assert.equal(await ctx.isRPackageInstalled("tinypkg"), true);
    await ctx.importRPackages("tinypkg");
    assert.equal(await ctx.worker.eval("tiny_value()"), 1);
    const libs = await ctx.worker.eval(".libPaths()") as string[];
    assert.equal(libs[0], realpathSync(environmentPaths("A").library));
    assert.ok(libs.includes("/usr/lib/R/site-library"), "the system library stays visible");
    assert.deepEqual((await ctx.listRPackages()).map((p) => p.name), ["tinypkg"]);
  });

  it("on dispose persists the config, records A as active, restarts the worker in A", {
    timeout: 60_000,
  }, async () => {
    assert.ok(hasEnvironment("A"));
    assert.equal(readState().active, "A");
    assert.equal(activeEnvironment(), "A");
    assert.deepEqual(readEnvironmentConfig("A"), {
      name: "A",
      rHome: null,
      env: {},
      startupScripts: [],
    });
    assert.equal(await evalR("tinypkg::hello()"), "hello from tinypkg 0.1.0");
    assert.equal(await evalR("Sys.getenv('BRMSTS_ENVIRONMENT')"), "A");
  });

  it("environment B does not see A's package", { timeout: 60_000 }, async () => {
    await using ctx = await manage({ environmentName: "B", startupScripts: ["x_b <- 42"] });
    assert.equal(await ctx.isRPackageInstalled("tinypkg"), false);
    assert.equal(await ctx.worker.eval("requireNamespace('tinypkg', quietly = TRUE)"), false);
    await assert.rejects(ctx.importRPackages("tinypkg"), /there is no package called/);
    assert.equal(await ctx.worker.eval("x_b"), 42, "start-up scripts run in the context");
  });

  it(
    "a broken tarball fails cleanly and leaves A byte-identical",
    { timeout: 60_000 },
    async () => {
      const lib = environmentPaths("A").library;
      const before = snapshot(lib);
      await using ctx = await manage({ environmentName: "A" });
      for (const bad of [broken, garbage]) {
        const err = await ctx.installRPackage(bad).then(() => null, (e) => e);
        assert.ok(err instanceof RPackageInstallError, `expected RPackageInstallError, got ${err}`);
        assert.match(err.message, /the library was left unchanged/);
        assert.ok(err.log.length > 0, "the error carries R's output");
      }
      const mismatch = await ctx.installRPackage(good2, { version: "0.1.5" }).then(
        () => null,
        (e) => e,
      );
      assert.ok(mismatch instanceof RPackageInstallError);
      assert.match(mismatch.message, /has version 0\.2\.0, not the requested 0\.1\.5/);
      await assert.rejects(ctx.installRPackage(join(home, "nope_1.0.tar.gz")), /no such file/);
      assert.deepEqual(snapshot(lib), before);
      assert.deepEqual(readdirSync(environmentPaths("A").dir).sort(), ["Rlib", "config.json"]);
      await ctx.importRPackages("tinypkg");
      assert.equal(await ctx.worker.eval("tinypkg::tiny_value()"), 1);
    },
  );

  it("reinstalling a loaded package restarts the worker so the new version is used", {
    timeout: 60_000,
  }, async () => {
    await using ctx = await manage({ environmentName: "A" });
    await ctx.importRPackages("tinypkg");
    const gen = ctx.worker.generation;
    const installed = await ctx.installRPackage(good2, { version: "0.2.0" });
    assert.equal(installed[0].version, "0.2.0");
    assert.ok(ctx.worker.generation > gen, "the worker was restarted");
    assert.equal(await ctx.worker.eval("tinypkg::tiny_value()"), 2);
    assert.deepEqual(readdirSync(environmentPaths("A").library), ["tinypkg"]);
  });

  it("installs by name from a CRAN-like repository (a local file:// one here)", {
    timeout: 60_000,
  }, async () => {
    const contrib = join(home, "repo", "src", "contrib");
    mkdirSync(contrib, { recursive: true });
    copyFileSync(good, join(contrib, basename(good)));
    const r = spawnSync("Rscript", [
      "-e",
      `tools::write_PACKAGES(${JSON.stringify(contrib)}, type = "source")`,
    ]);
    assert.equal(r.status, 0, String(r.stderr));
    await using ctx = await manage({ environmentName: "B" });
    const installed = await ctx.installRPackage("tinypkg", {
      repos: `file://${join(home, "repo")}`,
    });
    assert.deepEqual(installed.map((p) => [p.name, p.version]), [["tinypkg", "0.1.0"]]);
    assert.equal(await ctx.worker.eval("tinypkg::tiny_value()"), 1);
    const missing = await ctx.installRPackage("notthere", { repos: `file://${join(home, "repo")}` })
      .then(() => null, (e) => e);
    assert.ok(missing instanceof RPackageInstallError);
    assert.match(missing.log, /not available/);
    assert.equal(await ctx.uninstallRPackage("tinypkg"), true);
  });

  it("uninstalls from A; refuses to touch the system library", { timeout: 60_000 }, async () => {
    await using ctx = await manage({ environmentName: "A" });
    assert.equal(await ctx.uninstallRPackage("tinypkg"), true);
    assert.equal(await ctx.isRPackageInstalled("tinypkg"), false);
    assert.equal(await ctx.uninstallRPackage("tinypkg"), false);
    assert.deepEqual(readdirSync(environmentPaths("A").library), []);
    await assert.rejects(
      ctx.uninstallRPackage("brms"),
      (e: Error) => e instanceof EnvironmentError && /never modifies/.test(e.message),
    );
    assert.ok(existsSync("/usr/lib/R/site-library/brms/DESCRIPTION"));
    await assert.rejects(ctx.installRPackage("MCMCglmm"), /needs a CRAN-like repository/);
    await assert.rejects(
      ctx.installRPackage("MCMCglmm", { repos: "file:///nonexistent", version: "1.0" }),
      /needs the R package remotes/,
    );
    await assert.rejects(ctx.importRPackages("not a name"), /not an R package name/);
  });

  it(
    "a closed context refuses work; nested contexts are refused",
    { timeout: 60_000 },
    async () => {
      const ctx = await manage({ environmentName: "A" });
      await assert.rejects(manage({ environmentName: "B" }), /already open/);
      await assert.rejects(activateEnvironment("B"), /manage\(\) context is open/);
      await ctx.dispose();
      await ctx.dispose();
      await assert.rejects(ctx.isRPackageInstalled("x1"), /closed/);
    },
  );

  it(
    "a failed start-up restores the previous worker and creates nothing",
    { timeout: 60_000 },
    async () => {
      await assert.rejects(manage({ environmentName: "C", rHome: "/nonexistent/R" }));
      assert.equal(hasEnvironment("C"), false);
      assert.equal(existsSync(environmentPaths("C").dir), false);
      assert.equal(await evalR("Sys.getenv('BRMSTS_ENVIRONMENT')"), "A");
    },
  );

  it("lists, activates, deactivates and removes environments", { timeout: 60_000 }, async () => {
    const list = listEnvironments();
    assert.deepEqual(list.map((e) => [e.name, e.active, e.problem]), [
      ["A", true, null],
      ["B", false, null],
    ]);
    await activateEnvironment("B");
    assert.equal(readState().active, "B");
    assert.equal(await evalR("x_b"), 42);
    await assert.rejects(removeEnvironment("B"), /active environment|runs in it/);
    await assert.rejects(activateEnvironment("nope"), /does not exist/);
    await deactivateEnvironment();
    assert.equal(readState().active, null);
    const libs = await evalR(".libPaths()") as string[];
    assert.ok(!libs.some((l) => l.startsWith(realpathSync(home))), "plain system R");
    assert.equal(await evalR("Sys.getenv('BRMSTS_ENVIRONMENT')"), "");
    await removeEnvironment("B");
    assert.equal(hasEnvironment("B"), false);
    await assert.rejects(removeEnvironment("B"), /does not exist/);
    assert.deepEqual(listEnvironments().map((e) => e.name), ["A"]);
  });
});
