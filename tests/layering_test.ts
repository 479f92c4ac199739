/**
 * The layout's rules, checked on the import graph (static imports, re-exports and literal
 * dynamic imports between the package's own files). A "folder" is a directory relative to the
 * package root (subfolders count separately: `worker/main`, `worker/host`, `worker/wire`,
 * `env/store`); a top-level file such as `mod.ts` or `errors.ts` is a unit of its own.
 *
 * The rules are data: to add one, add a line to {@link CLOSURE_RULES} (nothing that `from`
 * reaches, directly or through other files, may lie under `forbid`).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { evalR, setConsoleOutput, shutdown } from "../worker/mod.ts";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const IMPORT =
  /(?:import|export)\s[^"']*?from\s*["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;
/** Folders that are not part of the library's import graph. */
const SKIP = new Set(["node_modules", ".git", ".cache", "_smoke"]);

/** Folders whose code runs in the worker process (they load libR). */
const HOST_SIDE = ["worker/host", "ffi"];

/**
 * Transitive rules: no module under `from` (a folder, or one file) may reach a module under
 * any `forbid` prefix. A `from` that does not exist yet is skipped, so rules can be written
 * ahead of the code (e.g. `cluster/`).
 */
const CLOSURE_RULES: { from: string; forbid: string[]; why: string }[] = [
  {
    from: "data",
    forbid: ["worker/", "ffi/", "native/"],
    why: "data/ is pure TypeScript",
  },
  {
    from: "formula",
    forbid: ["worker/", "ffi/", "native/"],
    why: "formula/ is pure TypeScript",
  },
  {
    from: "idata",
    forbid: ["worker/", "ffi/", "native/"],
    why: "idata/ is pure TypeScript",
  },
  {
    from: "stats",
    forbid: ["worker/", "ffi/", "native/"],
    why: "stats/ is pure TypeScript",
  },
  {
    from: "worker/wire",
    forbid: ["worker/main/", "worker/host/", "ffi/"],
    why: "worker/wire/ is shared by both processes and depends on neither side",
  },
  {
    from: "env/store",
    forbid: ["worker/", "ffi/"],
    why: "the environment store sits below the worker (the default worker reads it)",
  },
  {
    from: "env",
    forbid: ["brms/", "status.ts"],
    why: "env/ sits below brms/ and status() (status.ts reads both)",
  },
  {
    from: "brms",
    forbid: ["status.ts", "interpret/", "plot/"],
    why: "brms/ sits below status(), interpret/ and plot/",
  },
  {
    from: "brms/core",
    forbid: ["brms/compile/", "brms/fit/", "brms/postfit/"],
    why: "brms/ stages: core/ is the bottom",
  },
  {
    from: "brms/compile",
    forbid: ["brms/fit/", "brms/postfit/"],
    why: "brms/ stages: compile/ sits below fit/ and postfit/",
  },
  {
    from: "brms/fit",
    forbid: ["brms/postfit/"],
    why: "brms/ stages: fit/ sits below postfit/",
  },
  {
    from: "lock.ts",
    forbid: ["env/", "brms/", "worker/", "ffi/"],
    why: "the one cross-process lock sits below everything that takes it",
  },
  {
    from: "cluster/client.ts",
    forbid: ["worker/", "ffi/"],
    why: "a cluster client talks to remote workers only and never starts R itself",
  },
];

/** The longest a source file may be (library, tests, bench, tools, examples). */
const MAX_LINES = 450;
function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** Every .ts file under `dir` (relative to the root), skipping {@link SKIP}. */
function tsFiles(dir = "."): string[] {
  const abs = join(ROOT, dir);
  if (!isDir(abs)) return existsSync(abs) && dir.endsWith(".ts") ? [dir] : [];
  return readdirSync(abs).flatMap((n) => {
    if (SKIP.has(n)) return [];
    const p = dir === "." ? n : join(dir, n);
    return isDir(join(ROOT, p)) ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Every source file (TypeScript, JavaScript, R, shell) under `dir`, skipping {@link SKIP}. */
function sourceFiles(dir = "."): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((n) => {
    if (SKIP.has(n)) return [];
    const p = dir === "." ? n : join(dir, n);
    if (isDir(join(ROOT, p))) return sourceFiles(p);
    return /\.(ts|js|mjs|R|sh)$/.test(n) ? [p] : [];
  });
}

const edgeCache = new Map<string, string[]>();
/** The package files a module imports directly (relative paths). */
function importsOf(file: string): string[] {
  let out = edgeCache.get(file);
  if (out) return out;
  out = [];
  // Comments out first: JSDoc examples import the public API, which is no dependency.
  const src = readFileSync(join(ROOT, file), "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
  for (const m of src.matchAll(IMPORT)) {
    const target = resolve(dirname(join(ROOT, file)), m[1] ?? m[2]);
    if (existsSync(target) && !target.includes("/node_modules/")) {
      out.push(relative(ROOT, target));
    }
  }
  edgeCache.set(file, out);
  return out;
}

/** Relative-import closure of a module. */
function closure(entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...importsOf(file));
  }
  return seen;
}

/** The unit a file belongs to: its folder, or the file itself at the top level. */
function unitOf(file: string): string {
  const d = dirname(file);
  return d === "." ? file : d;
}

const under = (file: string, prefix: string) =>
  file === prefix || file.startsWith(prefix.endsWith("/") ? prefix : prefix + "/");

/** Library source: everything except tests, benchmarks and examples. */
const SOURCE = tsFiles().filter((f) => !/^(tests|bench|examples)\//.test(f));

describe("layering", () => {
  it("keeps ffi/ and the worker process's folders out of the main side's import graph", () => {
    const main = closure("mod.ts");
    assert.ok(main.has("worker/main/client.ts"), "mod.ts should reach the client");
    for (const file of SOURCE.filter((f) => !HOST_SIDE.some((h) => under(f, h)))) {
      const leaked = [...closure(file)].filter((g) => HOST_SIDE.some((h) => under(g, h)));
      assert.deepEqual(leaked, [], `${file} (main side) reaches ${leaked.join(", ")}`);
    }
  });

  it("lets only worker/host/ import ffi/ (tests aside)", () => {
    const others = tsFiles().filter((f) =>
      !under(f, "ffi") && !under(f, "worker/host") && !under(f, "tests")
    );
    for (const file of others) {
      const bad = importsOf(file).filter((g) => under(g, "ffi"));
      assert.deepEqual(bad, [], `${file} imports ${bad.join(", ")}`);
    }
  });

  for (const rule of CLOSURE_RULES) {
    it(`keeps ${rule.from} away from ${rule.forbid.join(", ")}: ${rule.why}`, () => {
      for (const file of tsFiles(rule.from)) {
        const bad = [...closure(file)].filter((g) => rule.forbid.some((p) => under(g, p)));
        assert.deepEqual(bad, [], `${file} reaches ${bad.join(", ")}`);
      }
    });
  }

  it("has no import cycle between folders", () => {
    const graph = new Map<string, Set<string>>();
    for (const file of tsFiles()) {
      const from = unitOf(file);
      for (const to of importsOf(file).map(unitOf)) {
        if (to === from) continue;
        if (!graph.has(from)) graph.set(from, new Set());
        graph.get(from)!.add(to);
      }
    }
    // Depth-first search; a back edge closes a cycle, reported as its path.
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (u: string, path: string[]) => {
      state.set(u, "open");
      for (const v of graph.get(u) ?? []) {
        if (state.get(v) === "open") cycles.push([...path.slice(path.indexOf(v)), v].join(" → "));
        else if (!state.has(v)) visit(v, [...path, v]);
      }
      state.set(u, "done");
    };
    for (const u of [...graph.keys()].sort()) if (!state.has(u)) visit(u, [u]);
    assert.deepEqual(cycles, []);
  });

  it("has no import cycle between the files of a folder", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (u: string, path: string[]) => {
      state.set(u, "open");
      for (const v of importsOf(u).filter((g) => g !== u && unitOf(g) === unitOf(u))) {
        if (state.get(v) === "open") cycles.push([...path.slice(path.indexOf(v)), v].join(" → "));
        else if (!state.has(v)) visit(v, [...path, v]);
      }
      state.set(u, "done");
    };
    for (const f of tsFiles().sort()) if (!state.has(f)) visit(f, [f]);
    assert.deepEqual(cycles, []);
  });

  it(`keeps every source file at most ${MAX_LINES} lines`, () => {
    const long = sourceFiles().flatMap((f) => {
      const n = readFileSync(join(ROOT, f), "utf8").split("\n").length - 1;
      return n > MAX_LINES ? [`${f} (${n} lines)`] : [];
    });
    assert.deepEqual(long, []);
  });

  it("keeps _-prefixed files private to their folder (tests may open their folder's)", () => {
    for (const file of tsFiles().filter((f) => !f.startsWith("tests/"))) {
      const bad = importsOf(file).filter((g) =>
        /(^|\/)_[^/]*\.ts$/.test(g) && dirname(g) !== dirname(file) &&
        !(file.startsWith("bench/") && g === "tests/_rscript.ts")
      );
      assert.deepEqual(bad, [], `${file} imports another folder's private ${bad.join(", ")}`);
    }
  });

  it("never maps libR into the main process, even after R calls", async () => {
    setConsoleOutput("silent");
    assert.equal(await evalR("R.version$major"), "4");
    const maps = readFileSync("/proc/self/maps", "utf8");
    assert.equal(maps.includes("libR.so"), false);
    await shutdown();
  });
});
