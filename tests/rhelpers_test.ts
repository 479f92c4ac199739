/**
 * The R helpers (rhelpers.ts): every `brmsts_*` function TypeScript calls is in the table, is
 * defined in a `.R` file of the block the table names, and is there in the worker after the
 * block is installed, in the block's attached environment and never in the global environment.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { R_HELPERS, type RHelperBlock, type RHelperName } from "../rhelpers.ts";
import {
  BRM_HELPERS,
  EXTRAS_HELPERS,
  POSTFIT_HELPERS,
  PRIOR_CHECK_HELPERS,
  SCORER_HELPERS,
} from "../brms/core/r_helpers.ts";
import { INTERPRET_HELPERS } from "../interpret/r_call.ts";
import { BAYESPLOT_HELPERS } from "../plot/bayesplot.ts";
import { defaultWorker, evalR, setConsoleOutput, shutdown } from "../worker/mod.ts";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const BLOCKS: RHelperBlock[] = [
  BRM_HELPERS,
  POSTFIT_HELPERS,
  EXTRAS_HELPERS,
  PRIOR_CHECK_HELPERS,
  SCORER_HELPERS,
  INTERPRET_HELPERS,
  BAYESPLOT_HELPERS,
];
/** `brmsts_*` strings in TypeScript that name no R function. */
const NOT_FUNCTIONS = new Set(["brmsts_code"]); // the class of rCode() values (worker/host)

/** Library TypeScript files (tests, benchmarks and examples aside). */
function sources(dir = "."): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((n) => {
    if (["node_modules", ".git", ".cache", "tests", "bench", "examples"].includes(n)) return [];
    const p = dir === "." ? n : join(dir, n);
    if (statSync(join(ROOT, p)).isDirectory()) return sources(p);
    return p.endsWith(".ts") ? [p] : [];
  });
}

/** The `brmsts_*` functions an R source defines at its top level. */
function defined(source: string): Set<string> {
  return new Set(
    [...source.matchAll(/^(brmsts_[A-Za-z0-9_.]+)\s*<-\s*function/gm)].map((m) => m[1]),
  );
}

describe("R helpers", () => {
  after(() => shutdown());

  it("has every brmsts_* name the library calls in its table, and calls them through it", () => {
    const called = new Map<string, string>();
    for (const f of sources()) {
      const code = readFileSync(join(ROOT, f), "utf8");
      for (const m of code.matchAll(/["'](brmsts_[A-Za-z0-9_]+)["']/g)) {
        if (!NOT_FUNCTIONS.has(m[1])) called.set(m[1], f);
      }
    }
    assert.ok(called.size >= 30, `only ${called.size} helper names found`);
    // …and calls them through the table (callRHelper), never by a bare name string.
    const bare = sources().filter((f) => {
      const code = readFileSync(join(ROOT, f), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "") // JSDoc examples may show a bare call
        .replace(/^\s*\/\/.*$/gm, "");
      return /(\.call|\.callResult|callR)\(\s*["']brmsts_/.test(code);
    });
    assert.deepEqual(bare, []);
    const missing = [...called].filter(([n]) => !(n in R_HELPERS)).map(([n, f]) => `${n} (${f})`);
    assert.deepEqual(missing, []);
  });

  it("defines every function of the table in a .R file of the block it names", () => {
    const byName = new Map(BLOCKS.map((b) => [b.name, b]));
    for (const [name, block] of Object.entries(R_HELPERS) as [RHelperName, string][]) {
      const b = byName.get(block);
      assert.ok(b, `${name}: no block "${block}"`);
      assert.ok(b.files.length > 0 && b.files.every((u) => u.pathname.endsWith(".R")));
      assert.ok(defined(b.source()).has(name), `${name} is not defined in ${b.files.join(", ")}`);
    }
  });

  it("installs each block once per worker session, outside the global environment", async () => {
    setConsoleOutput("silent");
    const w = defaultWorker();
    for (const b of BLOCKS) await b.ensure(w);
    for (const [name, block] of Object.entries(R_HELPERS)) {
      assert.equal(
        await evalR(`exists(${JSON.stringify(name)}, envir = as.environment("brmsts:${block}"))`),
        true,
        `${name} is not in brmsts:${block}`,
      );
    }
    assert.deepEqual(await evalR(`ls(globalenv(), all.names = TRUE, pattern = "^brmsts_")`), []);
    // A second ensure in the same session evaluates nothing: a marker set in a block survives.
    await evalR(`assign(".marker", 1, envir = as.environment("brmsts:bayesplot"))`);
    await BAYESPLOT_HELPERS.ensure(w);
    assert.equal(
      await evalR(`exists(".marker", envir = as.environment("brmsts:bayesplot"))`),
      true,
    );
  });
});
