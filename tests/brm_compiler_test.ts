/**
 * Faster Stan compiles (brms/compile/compiler.ts) and the bounded model cache (brms/compile/cache_admin.ts):
 * a model compiled with brmsts's flags (-g0, precompiled header) samples draws identical() in
 * R to the same model compiled the brms way; a truncated, stale or corrupt header is rebuilt or
 * bypassed and the fit still succeeds; two processes with no header build it once; eviction
 * keeps the models under the cap and never removes an entry being read.
 *
 * Compiles three models (one with the new flags, one the brms way, one with a corrupt header)
 * and builds the real header once in the shared test cache if it has none yet; the tests of the
 * build logic (two processes, truncation, corruption) use a header of Eigen alone
 * (`BRMSTS_PCH_HEADERS=1`, same code path, far cheaper) in temporary directories.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { groupData, TEST_CACHE } from "./brm_shared.ts";
import { runScriptArgv } from "./_util.ts";
import { RWorker } from "../worker/mod.ts";
import { brm, cacheInfo, clearCache } from "../brms/mod.ts";
import { compilerCacheStatus } from "../brms/compile/compiler.ts";
import { compilerDir, headerDigest, prepareCompiler } from "../brms/compile/compiler.ts";
import { ensureTools } from "../brms/core/r_helpers.ts";
import {
  cacheMaxBytes,
  enforceCacheCap,
  markReader,
  touchEntry,
} from "../brms/compile/cache_admin.ts";

/** The small gaussian fit both compile tests run (same data and seed, so draws compare). */
const SMALL_FIT = {
  formula: "y ~ g",
  data: groupData(40, 3),
  chains: 1,
  iter: 300,
  seed: 41,
  progress: false,
} as const;

async function withWorker<T>(fn: (w: RWorker) => Promise<T>): Promise<T> {
  const w = new RWorker();
  w.setConsoleOutput("silent");
  try {
    await ensureTools(w);
    return await fn(w);
  } finally {
    await w.shutdown();
  }
}

/** Runs prepareCompiler() for `root` in a separate process; resolves with its JSON result. */
function prepareInChild(root: string): Promise<{ pchState: string }> {
  const script = join(root, "..", "prepare_child.ts");
  writeFileSync(
    script,
    `import { RWorker } from ${JSON.stringify(new URL("../worker/mod.ts", import.meta.url).href)};
import { ensureTools } from ${
      JSON.stringify(new URL("../brms/core/r_helpers.ts", import.meta.url).href)
    };
import { prepareCompiler } from ${
      JSON.stringify(new URL("../brms/compile/compiler.ts", import.meta.url).href)
    };
const w = new RWorker();
w.setConsoleOutput("silent");
await ensureTools(w);
const cc = await prepareCompiler({ worker: w, root: ${
      JSON.stringify(root)
    }, enter: () => {}, callOpts: {} });
await w.shutdown();
console.log(JSON.stringify(cc));
`,
  );
  const [cmd, ...args] = runScriptArgv(script);
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let out = "", err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`child failed (${code}): ${err}`));
      resolve(JSON.parse(out.trim().split("\n").at(-1)!));
    });
  });
}

describe("faster Stan compiles", () => {
  let tmp: string;

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), "brmsts-compiler-"));
  });

  after(() => {
    delete process.env.BRMSTS_PCH_HEADERS;
    rmSync(tmp, { recursive: true, force: true });
  });

  it(
    "compiles with -g0 and the precompiled header, and samples draws identical() to the model compiled the brms way",
    { timeout: 1_800_000 },
    async () => {
      // A fresh models directory (so the model really compiles) sharing the test cache's
      // compiler cache (so the header is built once for all test runs).
      const root = join(tmp, "identical");
      mkdirSync(root, { recursive: true });
      mkdirSync(compilerDir(TEST_CACHE), { recursive: true });
      symlinkSync(compilerDir(TEST_CACHE), compilerDir(root));
      // A fit does not wait for a missing header (it is built in the background): build the
      // shared one first, so that this fit uses it.
      await withWorker((w) =>
        prepareCompiler({ worker: w, root: TEST_CACHE, enter: () => {}, callOpts: {} })
      );
      await withWorker(async (w) => {
        const fit = await brm({
          ...SMALL_FIT,
          cacheDir: root,
          worker: w,
          returnIdata: false,
        });
        assert.equal(fit.cache, "compiled");
        assert.ok(
          fit.compiler?.pch === "built" || fit.compiler?.pch === "ready",
          JSON.stringify(fit.compiler),
        );
        // g++ 12 here: the model was compiled with link-time optimisation.
        assert.equal(fit.compiler?.lto, true, JSON.stringify(fit.compiler));
        assert.ok(compilerCacheStatus(root).ready);
        // The same call compiled and sampled the brms way (R's own flags, no Makevars of ours).
        await w.eval(
          "brmsts_test_same <- function(fit) {\n" +
            '  stopifnot(is.na(Sys.getenv("R_MAKEVARS_USER", NA)))\n' +
            // The compile skipped pkgbuild's compiler check only while it ran.
            '  stopifnot(is.null(getOption("pkgbuild.has_compiler")))\n' +
            "  ref <- brms::brm(y ~ g, data = fit$data, chains = 1, iter = 300, seed = 41,\n" +
            "                   refresh = 0, silent = 2)\n" +
            "  c(code = identical(brms::stancode(fit), brms::stancode(ref)),\n" +
            "    draws = identical(as.array(fit$fit), as.array(ref$fit)),\n" +
            "    sampler = identical(rstan::get_sampler_params(fit$fit),\n" +
            "                        rstan::get_sampler_params(ref$fit)),\n" +
            "    some = length(as.array(fit$fit)) > 100)\n" +
            "}",
        );
        const verdict = await w.call("brmsts_test_same", [fit.r]) as Record<string, boolean>;
        assert.deepEqual(verdict, { code: true, draws: true, sampler: true, some: true });
        // No debug information: the entry is far smaller than a -g shared object (~22 MB).
        const entry = join(root, "models", `${fit.cacheKey}.rds`);
        assert.ok(statSync(entry).size < 8e6, `entry has ${statSync(entry).size} bytes`);
      });
    },
  );

  it(
    "builds a missing header once when two processes compile at once, drops headers of other fingerprints, and rebuilds a truncated one",
    { timeout: 1_800_000 },
    async () => {
      process.env.BRMSTS_PCH_HEADERS = "1"; // inherited by the child and by new workers
      const root = join(tmp, "two");
      const stale = join(compilerDir(root), "pch-0000000000000000");
      mkdirSync(stale, { recursive: true });
      writeFileSync(join(stale, "manifest.json"), "{}");
      const [here, there] = await Promise.all([
        withWorker((w) => prepareCompiler({ worker: w, root, enter: () => {}, callOpts: {} })),
        prepareInChild(root),
      ]);
      const states = [here!.pchState, there.pchState].sort();
      assert.deepEqual(states, ["built", "ready"]);
      assert.ok(compilerCacheStatus(root).ready);
      assert.ok(!existsSync(stale), "the header of another fingerprint was not removed");
      const dirs = readdirSync(compilerDir(root)).filter((n) => /^pch-[0-9a-f]+$/.test(n));
      assert.equal(dirs.length, 1);

      // Truncated (a crash while writing, a full disk): detected and rebuilt.
      const gch = join(compilerDir(root), dirs[0], "brmsts_stan.hpp.gch");
      truncateSync(gch, 1000);
      const again = await withWorker((w) =>
        prepareCompiler({ worker: w, root, enter: () => {}, callOpts: {} })
      );
      assert.equal(again!.pchState, "built");
      // (g++ does not write headers byte-for-byte reproducibly: the size may differ a little.)
      assert.ok(statSync(gch).size > 1e6);
      assert.ok(compilerCacheStatus(root).ready);
    },
  );

  it(
    "bypasses a corrupt header that g++ cannot use and a link-time optimisation flag it rejects, and the fit still succeeds",
    { timeout: 1_800_000 },
    async () => {
      // The header of the previous test, overwritten with garbage that passes brmsts's own
      // digest (the manifest is rewritten): only g++ can notice.
      const root = join(tmp, "two");
      const dir = compilerCacheStatus(root).fingerprints[0];
      const pdir = join(compilerDir(root), `pch-${dir}`);
      const gch = join(pdir, "brmsts_stan.hpp.gch");
      const garbage = new Uint8Array(statSync(gch).size).fill(0x5a);
      writeFileSync(gch, garbage);
      const m = JSON.parse(readFileSync(join(pdir, "manifest.json"), "utf8"));
      m.digest = await headerDigest(gch);
      writeFileSync(join(pdir, "manifest.json"), JSON.stringify(m));
      // And a link-time optimisation flag g++ rejects: the compile is retried without it.
      process.env.BRMSTS_LTO_FLAGS = "-fbrmsts-no-such-flag";
      try {
        await withWorker(async (w) => {
          const fit = await brm({
            ...SMALL_FIT,
            cacheDir: root,
            worker: w,
          });
          assert.equal(fit.cache, "compiled");
          assert.equal(fit.compiler?.lto, false, JSON.stringify(fit.compiler));
          assert.deepEqual(fit.idata.get("posterior", "b_Intercept").shape, [1, 150]);
        });
      } finally {
        delete process.env.BRMSTS_LTO_FLAGS;
      }
    },
  );
});

describe("a missing header never delays a fit", () => {
  it(
    "the first compile goes without it while a detached nice-19 process builds it; later compiles use it",
    { timeout: 1_800_000 },
    async () => {
      process.env.BRMSTS_PCH_HEADERS = "1"; // a cheap header, same code path
      const root = mkdtempSync(join(tmpdir(), "brmsts-pch-bg-"));
      const builders = () =>
        readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
          try {
            const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8");
            return cmd.includes("--brmsts-build-header") && cmd.includes(root);
          } catch {
            return false;
          }
        });
      try {
        await withWorker(async (w) => {
          const prep = () =>
            prepareCompiler({ worker: w, root, enter: () => {}, callOpts: {}, background: true });
          const first = await prep();
          assert.equal(first!.pch, null);
          assert.equal(first!.pchState, "off");
          assert.match(first!.reason ?? "", /being built/);
          // A second compile meanwhile does not wait either, and starts no second builder.
          const second = await prep();
          assert.equal(second!.pch, null);
          const seen = builders();
          assert.ok(seen.length <= 1, `${seen.length} builders`);
          if (seen.length) {
            // Lowest CPU priority (field 19 of /proc/<pid>/stat, after the command's ")").
            const stat = readFileSync(`/proc/${seen[0]}/stat`, "utf8");
            assert.equal(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16], "19");
          }
        });
        const t0 = Date.now();
        while (!compilerCacheStatus(root).ready && Date.now() - t0 < 900_000) {
          await new Promise((r) => setTimeout(r, 500));
        }
        assert.ok(compilerCacheStatus(root).ready, "the header was not built in the background");
        const t1 = Date.now();
        while (builders().length && Date.now() - t1 < 30_000) {
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.deepEqual(builders(), [], "the builder process did not exit");
        const later = await withWorker((w) =>
          prepareCompiler({ worker: w, root, enter: () => {}, callOpts: {}, background: true })
        );
        assert.equal(later!.pchState, "ready");
        assert.ok(later!.pch && existsSync(`${later!.pch}.gch`));
        const left = readdirSync(compilerDir(root)).filter((n) => n.endsWith(".job.json"));
        assert.deepEqual(left, []);
      } finally {
        delete process.env.BRMSTS_PCH_HEADERS;
        rmSync(root, { recursive: true, force: true });
      }
    },
  );
});

describe("bounded model cache", () => {
  let root: string;
  const MB = 1 << 20;

  before(() => {
    root = mkdtempSync(join(tmpdir(), "brmsts-cap-"));
  });

  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  /** Writes a fake entry of `mb` MB last used `ageS` seconds ago. */
  function entry(key: string, mb: number, ageS: number): string {
    const dir = join(root, "models");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${key}.rds`);
    writeFileSync(file, new Uint8Array(mb * MB));
    const t = new Date(Date.now() - ageS * 1000);
    utimesSync(file, t, t);
    return file;
  }

  it("evicts least recently used models until under the cap, never one being read", () => {
    entry("oldest", 3, 500);
    const read = entry("old-but-read", 3, 400);
    entry("middle", 3, 300);
    const used = entry("touched", 3, 200);
    entry("newest", 3, 100);
    touchEntry(used); // a hit makes it the most recently used
    const done = markReader(read); // another reader of this process
    // A reader mark of a dead process does not protect an entry.
    writeFileSync(join(root, "models", "middle.rds.reader-4194321-dead"), "{}");
    try {
      const evicted = enforceCacheCap({ cacheDir: root, cacheMaxBytes: 7 * MB });
      assert.deepEqual(evicted, ["oldest", "middle", "newest"]);
      const info = cacheInfo({ cacheDir: root, cacheMaxBytes: 7 * MB });
      assert.deepEqual(info.entries.map((e) => e.key), ["old-but-read", "touched"]);
      assert.ok(info.modelBytes <= 7 * MB);
      assert.equal(info.entries[0].inUse, true);
    } finally {
      done();
    }
    // Once read, it can go; the cap is met after removing just it.
    assert.deepEqual(enforceCacheCap({ cacheDir: root, cacheMaxBytes: 4 * MB }), [
      "old-but-read",
    ]);
  });

  it("clearCache() removes every model not being read and exposed functions, and reports the bytes freed", () => {
    entry("a", 1, 10);
    const b = entry("b", 2, 20);
    // exposeFunctions()'s Rcpp cache: counted by cacheInfo(), removed by clearCache().
    const fn = join(root, "functions", "sourceCpp-x86_64-pc-linux-gnu-1.0.10", "sourcecpp_1");
    mkdirSync(fn, { recursive: true });
    writeFileSync(join(fn, "f.so"), new Uint8Array(3000));
    writeFileSync(join(fn, "..", "file1.cpp"), new Uint8Array(500));
    const done = markReader(b);
    try {
      const info = cacheInfo({ cacheDir: root });
      assert.equal(info.functionsBytes, 3500);
      const freed = clearCache({ cacheDir: root });
      assert.equal(freed, info.modelBytes - 2 * MB + 3500);
      assert.deepEqual(cacheInfo({ cacheDir: root }).entries.map((e) => e.key), ["b"]);
      assert.equal(cacheInfo({ cacheDir: root }).functionsBytes, 0);
    } finally {
      done();
    }
  });

  it("reports the compiler cache ready only while the header matches its manifest", () => {
    const pdir = join(compilerDir(root), "pch-00000000000000ab");
    mkdirSync(pdir, { recursive: true });
    assert.equal(compilerCacheStatus(root).ready, false);
    writeFileSync(join(pdir, "brmsts_stan.hpp.gch"), new Uint8Array(4096));
    writeFileSync(join(pdir, "manifest.json"), JSON.stringify({ format: 1, size: 4096 }));
    const s = compilerCacheStatus(root);
    assert.equal(s.ready, true);
    assert.deepEqual(s.fingerprints, ["00000000000000ab"]);
    assert.ok(s.bytes >= 4096);
    truncateSync(join(pdir, "brmsts_stan.hpp.gch"), 100);
    assert.equal(compilerCacheStatus(root).ready, false);
    assert.equal(cacheInfo({ cacheDir: root }).compiler.ready, false);
  });

  it("reads the cap from cacheMaxBytes, then BRMSTS_CACHE_MAX, else 2 GB", () => {
    const prev = process.env.BRMSTS_CACHE_MAX;
    try {
      delete process.env.BRMSTS_CACHE_MAX;
      assert.equal(cacheMaxBytes(), 2 * 1024 ** 3);
      process.env.BRMSTS_CACHE_MAX = "500M";
      assert.equal(cacheMaxBytes(), 500 * MB);
      process.env.BRMSTS_CACHE_MAX = "123456";
      assert.equal(cacheMaxBytes(), 123456);
      assert.equal(cacheMaxBytes(42), 42);
    } finally {
      if (prev === undefined) delete process.env.BRMSTS_CACHE_MAX;
      else process.env.BRMSTS_CACHE_MAX = prev;
    }
  });
});
