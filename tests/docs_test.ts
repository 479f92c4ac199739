/**
 * Docs that cannot rot: every file path and every API name README.md and docs/*.md cite exists.
 * Paths are `dir/file.ext` references (checked from the package root, or from the document's
 * folder); names are the imports of the TypeScript code blocks (each must be exported by the
 * module it is imported from) and the camelCase calls and `…Error` classes in inline code (each
 * must be exported by a subpath module, or be a method or property of an exported class or
 * interface). docs/api.md is generated and checked by tools/api_report.ts instead.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const DOCS = [
  "README.md",
  ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md") && f !== "api.md")
    .map((f) => `docs/${f}`),
];
const EXPORTS: Record<string, string> =
  JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).exports;

type Decl = {
  kind: string;
  def?: { methods?: { name: string }[]; properties?: { name: string }[] };
};
/** Exported names per subpath (".", "./stats", …), and every member name of those exports. */
function surface(): { bySubpath: Map<string, Set<string>>; members: Set<string> } {
  const files = Object.values(EXPORTS).map((f) => join(ROOT, f));
  const json = execFileSync(join(ROOT, "node_modules", ".bin", "deno"), [
    "doc",
    "--json",
    ...files,
  ], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 30 });
  const nodes: Record<string, { symbols?: { name: string; declarations?: Decl[] }[] }> =
    JSON.parse(json).nodes;
  const bySubpath = new Map<string, Set<string>>();
  const members = new Set<string>();
  for (const [sub, file] of Object.entries(EXPORTS)) {
    const syms = nodes["file://" + join(ROOT, file)]?.symbols ?? [];
    bySubpath.set(sub, new Set(syms.map((s) => s.name)));
    for (const s of syms) {
      for (const d of s.declarations ?? []) {
        for (const m of [...d.def?.methods ?? [], ...d.def?.properties ?? []]) members.add(m.name);
      }
    }
  }
  return { bySubpath, members };
}

const text = (doc: string) => readFileSync(join(ROOT, doc), "utf8");
/** The document without fenced code blocks (inline code is checked from this). */
const prose = (md: string) => md.replace(/^```[\s\S]*?^```/gm, "");
/**
 * Error classes that exist but no subpath exports: thrown in the worker process (`ffi/`) or by
 * the command line (`cli/`), where users meet them as messages or exit codes. Each must still be
 * defined where docs/errors.md says.
 */
const UNEXPORTED_ERRORS: Record<string, string> = {
  RNotFoundError: "ffi/errors.ts",
  CliInputError: "cli/errors.ts",
};
/** R functions the docs name in camelCase-like spelling (R's own names, not brmsts's). */
const R_NAMES = new Set(["sessionInfo", "saveRDS", "readRDS"]);
const PATH = /(?<![\w/.~@:-])((?:[A-Za-z_][\w.-]*\/)+[\w.-]+\.(?:ts|R|md|sh|json|c|h))(?![\w/])/g;

describe("README.md and docs/*.md", () => {
  const { bySubpath, members } = surface();
  const all = new Set([...bySubpath.values()].flatMap((s) => [...s]));
  for (const [name, file] of Object.entries(UNEXPORTED_ERRORS)) {
    if (text(file).includes(`export class ${name} `)) all.add(name);
  }

  it("cite only files that exist", () => {
    const missing: string[] = [];
    for (const doc of DOCS) {
      const md = text(doc).replace(/https?:\/\/\S+/g, "");
      for (const [, p] of md.matchAll(PATH)) {
        if (p.startsWith("node_modules/")) continue;
        const ok = existsSync(join(ROOT, p)) || existsSync(join(ROOT, dirname(doc), p));
        if (!ok) missing.push(`${doc}: ${p}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it("import only exported names in their code blocks", () => {
    const bad: string[] = [];
    const IMPORT = /import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+"([^"]+)"/g;
    for (const doc of DOCS) {
      for (const block of text(doc).matchAll(/^```(?:ts|typescript)[^\n]*\n([\s\S]*?)^```/gm)) {
        for (const [, names, from] of block[1].matchAll(IMPORT)) {
          const sub = from === "brmsts"
            ? "."
            : from.startsWith("brmsts/")
            ? "./" + from.slice(7)
            : Object.entries(EXPORTS).find(([, f]) =>
              f.slice(2) === from.replace(/^(\.\.?\/)+/, "").replace(/^brmsts\//, "")
            )?.[0];
          if (!sub || !bySubpath.has(sub)) {
            bad.push(`${doc}: import from "${from}" (not a subpath module)`);
            continue;
          }
          for (const raw of names.split(",")) {
            const name = raw.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0];
            if (name && !bySubpath.get(sub)!.has(name)) bad.push(`${doc}: ${name} from "${from}"`);
          }
        }
      }
    }
    assert.deepEqual(bad, []);
  });

  it("name only exported functions and errors in inline code", () => {
    const bad: string[] = [];
    for (const doc of DOCS) {
      for (const [, code] of prose(text(doc)).matchAll(/`([^`\n]+)`/g)) {
        const names = [
          // camelCase calls at the start of the span or after `new `/`await `: brmsts functions
          ...[...code.matchAll(/(?:^|\bnew\s+|\bawait\s+)([a-z]+[A-Z]\w*)\(/g)].map((m) => m[1]),
          // Error classes
          ...[...code.matchAll(/(?<![.\w])([A-Z]\w*Error)\b/g)].map((m) => m[1]),
        ];
        for (const n of names) {
          if (!all.has(n) && !members.has(n) && !R_NAMES.has(n) && !(n in globalThis)) {
            bad.push(`${doc}: ${n}`);
          }
        }
      }
    }
    assert.deepEqual([...new Set(bad)], []);
  });

  it("exports nothing defined in a _ file (docs/api.md names each export's file)", () => {
    const bad = text("docs/api.md").split("\n").filter((l) => /\| [\w/]*\/_\w+\.ts \|/.test(l));
    assert.deepEqual(bad, []);
  });
});
