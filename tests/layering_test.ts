import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { evalR, setConsoleOutput, shutdown } from "../worker/mod.ts";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const IMPORT =
  /(?:import|export)\s[^"']*?from\s*["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;

/** Relative-import closure of a module (static imports and literal dynamic imports). */
function closure(entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [resolve(ROOT, entry)];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const src = readFileSync(file, "utf8");
    for (const m of src.matchAll(IMPORT)) {
      const target = resolve(dirname(file), m[1] ?? m[2]);
      if (existsSync(target)) stack.push(target);
    }
  }
  return new Set([...seen].map((f) => relative(ROOT, f)));
}

function tsFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).flatMap((n) => {
    const p = join(dir, n);
    return statSync(join(ROOT, p)).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const WORKER_ONLY = [
  "worker/host.ts",
  "worker/session.ts",
  "worker/_watcher.ts",
  "worker/codec/sexp.ts",
];

describe("process layering", () => {
  it("keeps ffi/ and the worker-only modules out of the main side's import graph", () => {
    const main = closure("mod.ts");
    assert.ok(main.has("worker/client.ts"), "mod.ts should reach the client");
    const leaked = [...main].filter((f) => f.startsWith("ffi/") || WORKER_ONLY.includes(f));
    assert.deepEqual(leaked, []);
  });

  it("keeps the pure folders free of worker and native imports", () => {
    for (const dir of ["formula", "idata", "stats", "data"]) {
      for (const file of tsFiles(dir)) {
        const bad = [...closure(file)].filter((f) =>
          f.startsWith("ffi/") || f.startsWith("native/") || f.startsWith("worker/")
        );
        assert.deepEqual(bad, [], `${file} imports ${bad.join(", ")}`);
      }
    }
  });

  it("lets only the worker import ffi/", () => {
    const importers = [...tsFiles("."), ...tsFiles("worker")].filter((f) =>
      !f.startsWith("ffi/") && !f.startsWith("node_modules/") && !f.startsWith("tests/")
    ).filter((f) => [...closure(f)].some((g) => g.startsWith("ffi/")));
    for (const f of importers) {
      assert.ok(
        WORKER_ONLY.includes(f) || f.startsWith("worker/codec/") || f.startsWith("bench/"),
        `${f} reaches ffi/ but is not worker-side`,
      );
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
