/**
 * Hot-swap torture, as brmspy runs it: four times, enter manage(), check brms, reinstall a
 * package, leave (the worker restarts), fit a small model on the package's data. Afterwards
 * the InferenceData of every earlier fit must still be readable with the right values, although
 * the workers that produced them are long gone.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import { configureWorker, defaultWorker, evalR, rCode, shutdown } from "../worker/mod.ts";
import { manage, setBrmstsHome } from "../env/mod.ts";
import { brm } from "../brms/mod.ts";
import type { InferenceData } from "../idata/mod.ts";
import { buildTinyPackage } from "./fixtures/rpkg.ts";

/** Byte copies of every variable of every group, keyed `group/variable`. */
function copyAll(idata: InferenceData): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const g of idata.groups()) {
    for (const name of idata.group(g).varNames()) {
      const d = idata.get(g, name).data;
      out.set(`${g}/${name}`, new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice());
    }
  }
  return out;
}

describe("hot-swap torture", () => {
  let home: string;
  let tarball: string;

  before(() => {
    home = mkdtempSync(join(tmpdir(), "brmsts-env-hot-"));
    setBrmstsHome(join(home, "home"));
    mkdirSync(join(home, "pkg"));
    tarball = buildTinyPackage(join(home, "pkg"), { version: "0.1.0", value: 1 });
    defaultWorker().setConsoleOutput("silent");
  });

  after(async () => {
    await configureWorker({});
    await shutdown();
    setBrmstsHome();
    rmSync(home, { recursive: true, force: true });
  });

  it("manage() loop: reinstall, leave, use the package from the restarted worker", {
    timeout: 300_000,
  }, async () => {
    const pids = new Set<number>();
    for (let i = 0; i < 4; i++) {
      {
        await using ctx = await manage({ environmentName: "hot" });
        await ctx.installBrms();
        if (await ctx.isRPackageInstalled("tinypkg")) {
          assert.equal(await ctx.uninstallRPackage("tinypkg"), true);
        }
        await ctx.installRPackage(tarball);
        await ctx.importRPackages("tinypkg");
      }
      const d = await evalR("nrow(tinypkg::tiny_data())");
      assert.equal(d, 20);
      pids.add((await defaultWorker().status()).pid);
    }
    assert.equal(pids.size, 4, "every iteration ran in a fresh worker");
  });

  it(
    "fits after every swap; every earlier InferenceData stays readable with the right values",
    { timeout: 900_000 },
    async () => {
      const fits: { idata: InferenceData; bytes: Map<string, Uint8Array>; bx: Float64Array }[] = [];
      const outcomes: string[] = [];
      for (let i = 0; i < 4; i++) {
        {
          await using ctx = await manage({ environmentName: "hot" });
          await ctx.installBrms();
          if (await ctx.isRPackageInstalled("tinypkg")) await ctx.uninstallRPackage("tinypkg");
          await ctx.installRPackage(tarball);
          await ctx.importRPackages("tinypkg");
        }
        const fit = await brm({
          formula: "y ~ x",
          data: rCode("tinypkg::tiny_data()"),
          iter: 200,
          chains: 1,
          seed: 11,
          refresh: 0,
          // The suite's shared cache when tools/test.sh sets one (Deno and Bun then compile once).
          cacheDir: process.env.BRMSTS_CACHE_DIR ?? join(home, "cache"),
        });
        outcomes.push(fit.cache);
        const bx = Float64Array.from(fit.idata.get("posterior", "b_x").data as Float64Array);
        fits.push({ idata: fit.idata, bytes: copyAll(fit.idata), bx });
      }
      // One compile at most; every later fit reuses the compiled model from the disk cache.
      console.error(`hot-swap fits, compiled-model cache: ${outcomes.join(", ")}`);
      assert.ok(outcomes.slice(1).every((o) => o === "disk"), `cache outcomes: ${outcomes}`);
      // The workers that produced fits 0..2 are gone; their data must still be intact.
      for (const [k, { idata, bytes, bx }] of fits.entries()) {
        assert.ok(idata.groups().includes("posterior"), `fit ${k}: ${idata.groups()}`);
        assert.deepEqual(idata.get("posterior", "b_x").shape, [1, 100], `fit ${k}: 1 x 100 draws`);
        const now = copyAll(idata);
        assert.deepEqual([...now.keys()], [...bytes.keys()], `fit ${k}: same variables`);
        for (const [key, b] of bytes) {
          assert.ok(Buffer.from(now.get(key)!).equals(Buffer.from(b)), `fit ${k}: ${key} changed`);
        }
        assert.deepEqual(bx, fits[0].bx, `fit ${k}: same data and seed, same draws`);
        const mean = bx.reduce((a, b) => a + b, 0) / bx.length;
        assert.ok(Math.abs(mean - 2) < 0.5, `fit ${k}: slope near 2, got ${mean}`);
      }
    },
  );
});
