/**
 * brmsts as a dependency of another project: `npm pack` the repository, install the tarball into
 * a temporary Bun project (`import ... from "brmsts"`) and unpack it into a temporary Deno project
 * with no configuration at all (`import ... from "./brmsts/mod.ts"`), then run the same script in
 * each: `evalR`, formula and prior text, `makeStancode`, a `brm()` fit of a model the brm tests
 * already compiled (gaussian `y ~ g`, so no compile) and an Arrow export. Every value must equal
 * what this repository's own modules give.
 *
 * Offline: the Bun project is installed by `npm ci --offline` from npm's cache (warm after
 * tools/setup.sh), with a lockfile made of this repository's package-lock.json entries for the
 * production dependencies. Bun's own cache is not filled by set-up, so `bun add` would need the
 * network. The Deno project's Arrow export runs a second time in a Deno project whose
 * node_modules is the Bun project's (`nodeModulesDir: "manual"`), with an empty DENO_DIR and
 * `--cached-only`, so it needs no network either.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { GAUSSIAN_PRIORS, groupData, ROOT, TEST_CACHE } from "./brm_shared.ts";
import { brm, type FitResult, makeStancode } from "../brms/mod.ts";
import { bf, prior } from "../formula/mod.ts";
import { setConsoleOutput, shutdown } from "../worker/mod.ts";
import { InferenceData, toArrow } from "../idata/mod.ts";
import { ARROW_NPM } from "../idata/_load_arrow.ts";

const DENO = join(ROOT, "node_modules", ".bin", "deno");
const BUN = join(ROOT, "node_modules", ".bin", "bun");
const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const TGZ = `${PKG.name}-${PKG.version}.tgz`;

/** The fit of brm_cache_test's child process: its compiled model is in the cache already. */
const FIT = {
  formula: "y ~ g",
  data: groupData(40, 9),
  priors: GAUSSIAN_PRIORS,
  chains: 1,
  iter: 200,
  seed: 9,
  progress: false,
} as const;
const FORMULA = "y ~ g + (1 | obs_id)";
const PRIOR: [string, string] = ["normal(0, 300)", "b"];

/**
 * The script each project runs, importing brmsts from `spec`; prints one JSON line. Without
 * `arrow` it leaves out toArrow() (and so never loads apache-arrow).
 */
function script(spec: string, arrow: boolean): string {
  const exportArrow = arrow
    ? `const table = await toArrow(r.idata);
  const arrow = { rows: table.numRows, sigma: Array.from(table.getChild("sigma").toArray()) };`
    : "const arrow = null;";
  return `import { bf, brm, evalR, makeStancode, prior, setConsoleOutput, shutdown${
    arrow ? ", toArrow" : ""
  } }
  from ${JSON.stringify(spec)};
setConsoleOutput("silent");
const fit = ${JSON.stringify(FIT)};
try {
  const evaluated = await evalR("sum(1:10) * 2.5");
  const formula = String(bf(${JSON.stringify(FORMULA)}));
  const priorText = String(prior(...${JSON.stringify(PRIOR)}));
  const stancode = await makeStancode({ formula: fit.formula, data: fit.data, priors: fit.priors });
  const r = await brm(fit);
  const post = r.idata.group("posterior");
  const draws = Object.fromEntries(["b_Intercept", "b_gb", "b_gc", "sigma"].map((v) =>
    [v, Array.from(post.get(v).data)]
  ));
  ${exportArrow}
  console.log(JSON.stringify({ evaluated, formula, priorText, stancode, compiled: r.compiled,
    cache: r.cache, draws, arrow }));
} finally {
  await shutdown();
}
`;
}

/** Runs `cmd args` in `cwd`; resolves to stdout, rejects with stderr on a non-zero exit. */
function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  return new Promise<string>((resolve, reject) =>
    execFile(
      cmd,
      args,
      {
        cwd,
        env: { ...process.env, BRMSTS_CACHE_DIR: TEST_CACHE, NO_COLOR: "1", ...env },
        maxBuffer: 64 << 20,
        timeout: 600_000,
      },
      (e, so, se) =>
        e ? reject(new Error(`${cmd} ${args.join(" ")}: ${e.message}\n${se}`)) : resolve(so),
    )
  );
}

/**
 * A project that installed the tarball (in `tmp`, the parent of `dir`): the tarball plus this
 * repository's locked production dependencies as package-lock.json, so that
 * `npm ci --offline` resolves everything from npm's cache.
 */
async function installBunProject(dir: string): Promise<void> {
  mkdirSync(dir);
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")).packages;
  const packages: Record<string, unknown> = {
    "": { name: "consumer", dependencies: { brmsts: `file:../${TGZ}` } },
    "node_modules/brmsts": {
      version: PKG.version,
      resolved: `file:../${TGZ}`,
      dependencies: PKG.dependencies,
    },
  };
  for (const [k, v] of Object.entries(lock)) {
    if (k && !(v as { dev?: boolean }).dev) packages[k] = v;
  }
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name: "consumer",
      private: true,
      type: "module",
      dependencies: { brmsts: `file:../${TGZ}` },
    }),
  );
  writeFileSync(
    join(dir, "package-lock.json"),
    JSON.stringify({ name: "consumer", lockfileVersion: 3, requires: true, packages }),
  );
  const ci = ["ci", "--no-audit", "--no-fund", "--loglevel=error"];
  try {
    await run("npm", [...ci, "--offline"], dir);
  } catch {
    // npm's cache lacks a package (set-up found node_modules already installed): fetch it.
    await run("npm", [...ci, "--prefer-offline"], dir);
  }
}

interface Output {
  evaluated: number;
  formula: string;
  priorText: string;
  stancode: string;
  compiled: boolean;
  cache: string;
  draws: Record<string, number[]>;
  arrow: { rows: number; sigma: number[] };
}

const lastLine = (s: string): Output => JSON.parse(s.trim().split("\n").at(-1)!);

describe("brmsts installed into another project", { timeout: 900_000 }, () => {
  let tmp: string;
  let ref: FitResult;
  let refStancode: string;

  before(async () => {
    setConsoleOutput("silent");
    tmp = mkdtempSync(join(tmpdir(), "brmsts-package-"));
    await run("npm", ["pack", "--silent", "--pack-destination", tmp], ROOT);
    await installBunProject(join(tmp, "bun-project"));
    ref = await brm(FIT);
    refStancode = await makeStancode({ formula: FIT.formula, data: FIT.data, priors: FIT.priors });
  });

  after(async () => {
    await shutdown();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  function assertSame(out: Output) {
    assert.equal(out.evaluated, 137.5);
    assert.equal(out.formula, String(bf(FORMULA)));
    assert.equal(out.priorText, String(prior(...PRIOR)));
    assert.equal(out.stancode, refStancode);
    assert.match(out.stancode, /lprior \+= normal_lpdf\(b \| 0, 300\);/);
    assert.equal(out.compiled, false, "the model should come from the compiled-model cache");
    assert.equal(out.cache, "disk");
    const post = ref.idata.group("posterior");
    for (const [v, values] of Object.entries(out.draws)) {
      assert.deepEqual(values, Array.from(post.get(v).data), `draws of ${v}`);
    }
    assert.equal(out.draws.sigma.length, 100);
    assert.equal(out.arrow.rows, 100);
    assert.deepEqual(out.arrow.sigma, out.draws.sigma);
  }

  it("the tarball holds the sources, R files and licence, and no tests, benchmarks or node_modules", async () => {
    const list = await run("tar", ["tzf", TGZ], tmp);
    const files = new Set(list.trim().split("\n"));
    for (const f of ["LICENSE", "mod.ts", "package.json", "worker/host/bootstrap.R", "cli.ts"]) {
      assert.ok(files.has(`package/${f}`), f);
    }
    assert.ok(![...files].some((f) => f.includes("node_modules/")));
    // Only what runs: package.json's `files` keeps tests, benchmarks and CI tools out.
    for (const dir of ["tests/", "bench/", "tools/", ".ci/", ".cache/"]) {
      assert.ok(![...files].some((f) => f.startsWith(`package/${dir}`)), dir);
    }
  });

  it("the Arrow fallback specifier pins package.json's version", () => {
    assert.equal(ARROW_NPM, `npm:apache-arrow@${PKG.dependencies["apache-arrow"]}`);
  });

  it("runs in a Bun project that installed the tarball", async () => {
    const dir = join(tmp, "bun-project");
    assert.ok(readdirSync(join(dir, "node_modules")).includes("apache-arrow"));
    writeFileSync(join(dir, "main.ts"), script("brmsts", true));
    assertSame(lastLine(await run(BUN, ["main.ts"], dir)));
  });

  it("runs in a Deno project with no configuration (import by path)", async () => {
    const dir = join(tmp, "deno-project");
    mkdirSync(dir);
    await run("tar", ["xzf", join(tmp, TGZ), "-C", dir], dir);
    await run("mv", ["package", "brmsts"], dir);
    // The core (evalR, formulas, brm) must not need apache-arrow at all: an empty DENO_DIR and
    // --cached-only prove that nothing is fetched. toArrow() is left out here (it imports
    // npm:apache-arrow, which an empty DENO_DIR cannot provide offline) and run below.
    writeFileSync(join(dir, "main.ts"), script("./brmsts/mod.ts", false));
    const denoDir = join(tmp, "deno-dir");
    const out = lastLine(
      await run(DENO, ["run", "-A", "--cached-only", "main.ts"], dir, { DENO_DIR: denoDir }),
    );
    assert.equal(out.arrow, null);
    assertSame({ ...out, arrow: { rows: 100, sigma: out.draws.sigma } });
    assert.ok(!readdirSync(dir).some((f) => f === "deno.json" || f === "package.json"));
  });

  it("exports Arrow in a Deno project whose node_modules holds apache-arrow", async () => {
    const bunModules = join(tmp, "bun-project", "node_modules");
    const dir = join(tmp, "deno-node-modules");
    mkdirSync(dir);
    await run("tar", ["xzf", join(tmp, TGZ), "-C", dir], dir);
    await run("mv", ["package", "brmsts"], dir);
    writeFileSync(join(dir, "deno.json"), JSON.stringify({ nodeModulesDir: "manual" }));
    symlinkSync(bunModules, join(dir, "node_modules"));
    writeFileSync(
      join(dir, "main.ts"),
      `import { InferenceData, toArrow } from "./brmsts/mod.ts";
const idata = InferenceData.fromObject({ posterior: { mu: new Float64Array([1, 2, 3, 4]) } },
  { chains: 2 });
const t = await toArrow(idata);
console.log(JSON.stringify({ names: t.schema.fields.map((f) => f.name),
  mu: Array.from(t.getChild("mu").toArray()), chain: Array.from(t.getChild(".chain").toArray()) }));
`,
    );
    const denoDir = join(tmp, "deno-dir-2");
    const out = JSON.parse(
      (await run(DENO, ["run", "-A", "--cached-only", "main.ts"], dir, { DENO_DIR: denoDir }))
        .trim(),
    );
    const idata = InferenceData.fromObject(
      { posterior: { mu: new Float64Array([1, 2, 3, 4]) } },
      { chains: 2 },
    );
    const t = await toArrow(idata);
    assert.deepEqual(out, {
      names: t.schema.fields.map((f) => f.name),
      mu: [1, 2, 3, 4],
      chain: [1, 1, 2, 2],
    });
  });
});
