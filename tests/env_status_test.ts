/**
 * status() and installBrms(): environment, library paths, toolchain, versions, Stan readiness;
 * exact instructions when something is missing.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configureWorker, defaultWorker, shutdown } from "../worker/mod.ts";
import {
  environmentPaths,
  manage,
  MissingRequirementsError,
  RPackageInstallError,
  setBrmstsHome,
} from "../env/mod.ts";
import { status } from "../status.ts";

describe("status() and installBrms()", () => {
  let home: string;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "brmsts-env-status-"));
    setBrmstsHome(join(home, "home"));
    defaultWorker().setConsoleOutput("silent");
    await configureWorker({});
  });

  after(async () => {
    await configureWorker({});
    await shutdown();
    setBrmstsHome();
    rmSync(home, { recursive: true, force: true });
  });

  it("reports the plain system R when no environment is active", { timeout: 60_000 }, async () => {
    const s = await status();
    assert.equal(s.environment, null);
    assert.equal(s.libPaths.at(-1), "/usr/lib/R/library");
    assert.ok(s.libPaths.includes("/usr/lib/R/site-library"));
    assert.equal(s.brms, "2.18.0");
    assert.equal(s.rstan, "2.21.7");
    assert.equal(s.cmdstanr, null);
    assert.match(s.toolchain.gxx!, /^g\+\+ .*\d+\.\d+/);
    assert.match(s.toolchain.make!, /^GNU Make \d/);
    assert.equal(s.boost, "/usr/include");
    assert.equal(s.canCompileStan, true);
    assert.match(s.rVersion, /^R version 4\./);
    assert.equal(typeof s.pid, "number");
  });

  it("inside an environment: its name and library; installBrms finds everything", {
    timeout: 60_000,
  }, async () => {
    await using ctx = await manage({ environmentName: "S" });
    const s = await status();
    assert.equal(s.environment, "S");
    assert.equal(s.libPaths[0], realpathSync(environmentPaths("S").library));
    const report = await ctx.installBrms();
    assert.equal(report.environment, "S");
    assert.equal(report.brms, "2.18.0");
    assert.equal(report.rstan, "2.21.7");
    assert.equal(report.canCompileStan, true);
    assert.deepEqual(report.installed, []);
  });

  it("names the missing R packages and the apt command when brms is not visible", {
    timeout: 60_000,
  }, async () => {
    // Hide the site library (where Debian puts brms and rstan) from this environment.
    const emptySite = join(home, "empty-site");
    mkdirSync(emptySite);
    await using ctx = await manage({
      environmentName: "nolibs",
      env: { R_LIBS_SITE: emptySite },
    });
    assert.equal((await status()).canCompileStan, false);
    const err = await ctx.installBrms().then(() => null, (e) => e);
    assert.ok(err instanceof MissingRequirementsError, `got ${err}`);
    assert.deepEqual(err.missing.map((m) => m.what), ["R package brms", "R package rstan"]);
    assert.equal(err.aptCommand, "sudo apt-get install -y --no-install-recommends r-cran-brms");
    assert.match(err.message, /environment "nolibs": missing R package brms, R package rstan/);
    assert.match(err.message, /pass \{ repos: "<CRAN mirror URL>" \}/);
    // With a repository that does not have them, the install fails cleanly.
    const repo = join(home, "empty-repo", "src", "contrib");
    mkdirSync(repo, { recursive: true });
    const { spawnSync } = await import("node:child_process");
    spawnSync("Rscript", ["-e", `tools::write_PACKAGES(${JSON.stringify(repo)}, type = "source")`]);
    const err2 = await ctx.installBrms({ repos: `file://${join(home, "empty-repo")}` })
      .then(() => null, (e) => e);
    assert.ok(err2 instanceof RPackageInstallError, `got ${err2}`);
    assert.equal(err2.package, "rstan");
    assert.deepEqual(await ctx.listRPackages(), []);
  });

  it("names g++ and make when the toolchain is not on the environment's PATH", {
    timeout: 60_000,
  }, async () => {
    const emptyBin = join(home, "empty-bin");
    mkdirSync(emptyBin);
    await using ctx = await manage({
      environmentName: "notools",
      rHome: "/usr/lib/R",
      env: { PATH: emptyBin },
    });
    const s = await status();
    assert.deepEqual(s.toolchain, { gxx: null, make: null });
    assert.equal(s.canCompileStan, false);
    const err = await ctx.installBrms().then(() => null, (e) => e);
    assert.ok(err instanceof MissingRequirementsError, `got ${err}`);
    assert.deepEqual(err.missing, [
      { what: "g++", aptPackage: "g++" },
      { what: "make", aptPackage: "make" },
    ]);
    assert.equal(err.aptCommand, "sudo apt-get install -y --no-install-recommends g++ make");
  });
});
