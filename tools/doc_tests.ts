/**
 * Runs the JSDoc examples of the pure modules (stats/, formula/, data/, idata/, display/) as
 * tests whose result comments are assertions. In an example, a statement line
 * `expr; // value` becomes `assert.deepStrictEqual(expr, value)` when `value` is a JS literal
 * (number, quoted string, array, object, boolean, null), and, when `expr` is `String(…)` or
 * `JSON.stringify(…)`, a comparison with the comment's text; other comments (`// about 4000`)
 * stay prose. Each example becomes one `node:test` test in a generated module under
 * `_doc_tests/` (removed afterwards), run by `deno test`. Exits non-zero when one fails.
 *
 * Run: `node_modules/.bin/deno run -A tools/doc_tests.ts [folder …]`.
 *
 * @example
 * ```ts ignore
 * // node_modules/.bin/deno run -A tools/doc_tests.ts stats data
 * ```
 *
 * @module
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import process from "node:process";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const DENO = join(ROOT, "node_modules", ".bin", "deno");
const OUT = join(ROOT, "_doc_tests"); // inside the package: bare npm names resolve
/** The folders whose examples run (pure TypeScript: no R, no worker). */
export const PURE_FOLDERS = ["stats", "formula", "data", "idata", "display"];

/** A literal that a result comment may hold, parsed without evaluating code; undefined if none. */
export function parseLiteral(text: string): { value: unknown } | undefined {
  const t = text.trim();
  if (/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return { value: Number(t) };
  if (t === "true" || t === "false") return { value: t === "true" };
  if (t === "null") return { value: null };
  if (t === "NaN") return { value: NaN };
  if (/^'[^'\\]*'$/.test(t)) return { value: t.slice(1, -1) };
  if (/^["[{]/.test(t)) {
    try {
      return { value: JSON.parse(t) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Whether `expr` is one call of a function matching `fn` (its first "(" closes at the end). */
function isOneCall(expr: string, fn: RegExp): boolean {
  const m = fn.exec(expr);
  if (!m) return false;
  let depth = 0;
  for (let i = m[0].length - 1; i < expr.length; i++) {
    if (expr[i] === "(") depth++;
    else if (expr[i] === ")" && --depth === 0) return i === expr.length - 1;
  }
  return false;
}

/** One example's code with its result comments turned into assertions. */
export function withAssertions(code: string): { code: string; asserts: number } {
  let asserts = 0;
  const lines = code.split("\n").map((line) => {
    const m = /^(\S.*?);\s*\/\/\s*(.+)$/.exec(line);
    if (!m || /^(const|let|var|import|export|type|interface|declare|await using)\b/.test(m[1])) {
      return line;
    }
    const [, expr, comment] = m;
    if (/^[A-Z]\w*Error$/.test(comment.trim())) {
      asserts++;
      return `assert.throws(() => ${expr}, __isError(${JSON.stringify(comment.trim())}));`;
    }
    if (isOneCall(expr, /^(String|JSON\.stringify)\(/) && !/^["']/.test(comment.trim())) {
      asserts++;
      return `assert.strictEqual(${expr}, ${JSON.stringify(comment.trim())});`;
    }
    const lit = parseLiteral(comment);
    if (!lit) return line;
    asserts++;
    const value = JSON.stringify(lit.value) ?? "undefined";
    return typeof lit.value === "number" && !Number.isInteger(lit.value)
      ? `assert.ok(Math.abs(Number(${expr}) - ${value}) < 1e-12 * Math.max(1, Math.abs(${value})), ${
        JSON.stringify(expr)
      });`
      : `assert.deepStrictEqual(__arr(${expr}), ${Number.isNaN(lit.value) ? "NaN" : value});`;
  });
  return { code: lines.join("\n"), asserts };
}

interface DocNode {
  name: string;
  declarations?: {
    location: { filename: string; line: number };
    jsDoc?: Tagged;
    def?: { methods?: { jsDoc?: Tagged; location: { line: number } }[] };
  }[];
}
type Tagged = { doc?: string; tags?: { kind: string; doc?: string }[] };

/** Every example of the .ts files of `folders`: source file, line and code. */
function examples(
  folders: string[],
): { file: string; line: number; code: string; names: string[] }[] {
  const files = folders.flatMap((f) =>
    readdirSync(join(ROOT, f)).filter((n) => n.endsWith(".ts")).map((n) => join(ROOT, f, n))
  );
  const json = execFileSync(DENO, ["doc", "--json", ...files], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1 << 30,
  });
  const nodes: Record<string, { module_doc?: Tagged; symbols?: DocNode[] }> =
    JSON.parse(json).nodes;
  const out: { file: string; line: number; code: string; names: string[] }[] = [];
  const exported = new Map<string, string[]>();
  const seen = new Set<string>();
  const add = (file: string, line: number, tagged?: Tagged) => {
    for (const t of tagged?.tags ?? []) {
      if (t.kind !== "example" || !t.doc) continue;
      const m = /```(?:ts|typescript)([^\n]*)\n([\s\S]*?)```/.exec(t.doc);
      if (!m || /\bignore\b/.test(m[1])) continue;
      const key = `${file}\0${m[2]}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ file, line, code: m[2], names: exported.get(file) ?? [] });
    }
  };
  for (const [url, node] of Object.entries(nodes)) {
    const file = new URL(url).pathname;
    if (!files.includes(file)) continue;
    exported.set(file, (node.symbols ?? []).map((s) => s.name));
    add(file, 1, node.module_doc);
    for (const s of node.symbols ?? []) {
      for (const d of s.declarations ?? []) {
        if (new URL(d.location.filename).pathname !== file) continue;
        add(file, d.location.line, d.jsDoc);
        for (const meth of d.def?.methods ?? []) {
          add(file, meth.location.line, meth.jsDoc);
        }
      }
    }
  }
  return out;
}

/** `import … from "…"` statements of an example as `const … = await import("…")`. */
function dynamicImports(code: string, dir: string): string {
  const path = (p: string) => JSON.stringify(p.startsWith(".") ? join(dir, p) : p);
  return code
    .replace(/^import\s+type\s[\s\S]*?from\s+"[^"]+";?$/gm, "")
    .replace(/^import\s+\{([\s\S]*?)\}\s+from\s+"([^"]+)";?$/gm, (_, names: string, p: string) => {
      const parts = names.split(",").map((n) => n.trim()).filter((n) =>
        n && !n.startsWith("type ")
      );
      const binds = parts.map((n) => n.replace(/^(\w+)\s+as\s+(\w+)$/, "$1: $2"));
      return `const { ${binds.join(", ")} } = await import(${path(p)});`;
    })
    .replace(
      /^import\s+\*\s+as\s+(\w+)\s+from\s+"([^"]+)";?$/gm,
      (_, n, p) => `const ${n} = await import(${path(p)});`,
    )
    .replace(
      /^import\s+(\w+)\s+from\s+"([^"]+)";?$/gm,
      (_, n, p) => `const { default: ${n} } = await import(${path(p)});`,
    );
}

/**
 * Writes one test module holding every example (each a test, its imports made dynamic, so the
 * examples share one module graph); returns its path and the counts.
 */
export function generate(
  folders = PURE_FOLDERS,
): { file: string; examples: number; asserts: number } {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  let asserts = 0;
  const tests: string[] = [];
  for (const ex of examples(folders)) {
    if (/^declare\s/m.test(ex.code)) continue; // type-only illustrations: checked, not run
    const conv = withAssertions(ex.code);
    asserts += conv.asserts;
    // As `deno test --doc` does: the module's exports are in scope unless the example binds them.
    const bound = new Set(
      [
        ...conv.code.matchAll(
          /\b(?:import|const|let|var|function|class|type|interface)\s+(\w+)|[{,]\s*(?:\w+\s+as\s+)?(\w+)\s*(?=[,}])/g,
        ),
      ].map((m) => m[1] ?? m[2]),
    );
    const auto = ex.names.filter((n) => !bound.has(n) && new RegExp(`\\b${n}\\b`).test(conv.code));
    const head = auto.length
      ? `const { ${auto.join(", ")} } = await import(${JSON.stringify(ex.file)});\n`
      : "";
    const name = `${relative(ROOT, ex.file)}:${ex.line}`;
    tests.push(
      `__test(${JSON.stringify(name)}, async () => {\n${head}${
        dynamicImports(conv.code, dirname(ex.file))
      }\n});`,
    );
  }
  const file = join(OUT, "examples_test.ts");
  writeFileSync(
    file,
    `// deno-lint-ignore-file\nimport { test as __test } from "node:test";\n` +
      `import assert from "node:assert/strict";\n` +
      `const __arr = (x: unknown) => ArrayBuffer.isView(x) ? Array.from(x as never) : x;\n` +
      `const __isError = (name: string) => (e: unknown) =>\n` +
      `  (e as Error)?.name === name || (e as Error)?.constructor?.name === name;\n\n` +
      tests.join("\n\n") + "\n",
  );
  return { file, examples: tests.length, asserts };
}

if (import.meta.main) {
  const folders = process.argv.slice(2).length ? process.argv.slice(2) : PURE_FOLDERS;
  const { file, examples, asserts } = generate(folders);
  console.log(`${examples} examples, ${asserts} result comments asserted`);
  const r = spawnSync(DENO, ["test", "-A", "--no-check", "--quiet", file], {
    cwd: OUT,
    stdio: "inherit",
  });
  rmSync(OUT, { recursive: true, force: true });
  process.exit(r.status ?? 1);
}
