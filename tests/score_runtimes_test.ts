/**
 * The score module runs anywhere JavaScript runs: the same artifact scored by the same module
 * in a Deno process with no permissions at all (bytes on stdin), in Bun, in Node (the module
 * bundled by `bun build`) and in headless Chromium (a page importing the bundle as an ES
 * module, served on 127.0.0.1), each giving brms's numbers.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brm, type FitResult } from "../brms/mod.ts";
import { defaultWorker, shutdown } from "../worker/mod.ts";
import { exportScorer } from "../brms/postfit/export_scorer.ts";
import { loadScorer } from "../score/mod.ts";
import { brmsPred, maxRelDiff } from "./_score_util.ts";
import { CORPUS, newData, trainData } from "./score_corpus.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "node_modules", ".bin");

/** Runs a command, feeding `input` on stdin; resolves with stdout (rejects on failure). */
function run(cmd: string, args: string[], input?: Uint8Array, cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["pipe", "pipe", "pipe"], detached: true });
    let out = "", err = "";
    child.stdout.on("data", (d) => out += d);
    child.stderr.on("data", (d) => err += d);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch { /* gone */ }
      reject(new Error(`${cmd} timed out: ${err.slice(-2000)}`));
    }, 120_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch { /* gone */ }
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} exited ${code}: ${err.slice(-3000)}`));
    });
    child.stdin.end(input ?? new Uint8Array());
  });
}

/** A script that reads the artifact from stdin and prints the epred of `rows` as JSON. */
function script(importPath: string, reader: string, rows: unknown): string {
  return `import { loadScorer } from ${JSON.stringify(importPath)};
${reader}
const s = loadScorer(bytes);
const e = s.epred(${JSON.stringify(rows)});
console.log(JSON.stringify(Array.from(e.data)));
`;
}

const DENO_READER = `const chunks = [];
for await (const c of Deno.stdin.readable) chunks.push(c);
const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());`;
const NODE_READER = `const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const bytes = new Uint8Array(Buffer.concat(chunks));`;

describe("score module on every runtime", () => {
  let fit: FitResult;
  let bytes: Uint8Array;
  let dir: string;
  let server: Server | undefined;
  const rows = newData(77, 5);

  before(async () => {
    defaultWorker().setConsoleOutput("silent");
    const m = CORPUS.find((c) => c.name === "gaussian factor interaction")!;
    fit = (await brm({
      formula: m.formula,
      data: trainData(),
      family: m.family,
      chains: 1,
      iter: 300,
      seed: 11,
      refresh: 0,
      returnIdata: false,
    } as never)) as FitResult;
    bytes = await exportScorer(fit, { ndraws: 25 });
    dir = mkdtempSync(join(tmpdir(), "brmsts-score-rt-"));
    await run(join(BIN, "bun"), [
      "build",
      join(ROOT, "score", "mod.ts"),
      "--format",
      "esm",
      "--target",
      "browser",
      "--outfile",
      join(dir, "score.js"),
    ]);
  });
  after(async () => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
    await shutdown();
  });

  async function expected(): Promise<Float64Array> {
    const want = await brmsPred(fit, rows, loadScorer(bytes).header.drawIds, "epred");
    const here = loadScorer(bytes).epred(rows).data;
    assert.ok(maxRelDiff(here, want.data) <= 1e-12, "this process equals brms");
    return here;
  }

  function same(got: number[], want: Float64Array, who: string) {
    assert.equal(got.length, want.length, who);
    got.forEach((v, i) => assert.equal(v, want[i], `${who}[${i}]`));
  }

  it("score/ imports only its own files and errors.ts (no node:, FFI, npm)", () => {
    const dirs = ["score"];
    for (const d of dirs) {
      for (const f of readdirSync(join(ROOT, d)).filter((n) => n.endsWith(".ts"))) {
        // Code only: JSDoc examples show imports of the package ("brmsts/score").
        const src = readFileSync(join(ROOT, d, f), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
        for (const m of src.matchAll(/(?:import|export)[^"']*?from\s+["']([^"']+)["']/g)) {
          assert.ok(
            /^\.\/[\w.]+\.ts$/.test(m[1]) || m[1] === "../errors.ts",
            `${d}/${f} imports ${m[1]}`,
          );
        }
        assert.ok(
          !/(?<![.\w])(Deno|Bun|process|require|fetch)\s*[.(]/.test(
            src.replace(/\/\*[\s\S]*?\*\//g, ""),
          ),
          `${d}/${f} uses a runtime API`,
        );
      }
    }
    const errs = readFileSync(join(ROOT, "errors.ts"), "utf8");
    assert.ok(
      !/\bimport\b[^\n]*from/.test(errs.replace(/\/\*[\s\S]*?\*\//g, "")),
      "errors.ts imports nothing",
    );
  });

  it("Deno with no permissions (bytes on stdin, the .ts module)", async () => {
    const f = join(dir, "deno_main.ts");
    writeFileSync(f, script(join(ROOT, "score", "mod.ts"), DENO_READER, rows));
    const out = await run(join(BIN, "deno"), ["run", "--no-prompt", "--no-config", f], bytes);
    same(JSON.parse(out), await expected(), "deno");
    // And the same process cannot read a file: it really has no permissions.
    const g = join(dir, "deno_perm.ts");
    writeFileSync(
      g,
      `try { Deno.readFileSync(${
        JSON.stringify(f)
      }); console.log("read"); } catch { console.log("denied"); }`,
    );
    assert.equal(
      (await run(join(BIN, "deno"), ["run", "--no-prompt", "--no-config", g])).trim(),
      "denied",
    );
  });

  it("Bun (the .ts module)", async () => {
    const f = join(dir, "bun_main.ts");
    writeFileSync(f, script(join(ROOT, "score", "mod.ts"), NODE_READER, rows));
    const out = await run(join(BIN, "bun"), [f], bytes);
    same(JSON.parse(out), await expected(), "bun");
  });

  it("Node (the bundled module)", async () => {
    const f = join(dir, "node_main.mjs");
    writeFileSync(f, script("./score.js", NODE_READER, rows));
    const out = await run("node", [f], bytes, dir);
    same(JSON.parse(out), await expected(), "node");
  });

  it("headless Chromium (a page importing the bundle as an ES module)", async () => {
    let b64 = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      b64 += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    const files: Record<string, [string, string]> = {
      "/": [
        "text/html",
        `<!doctype html><html><body><pre id="out">pending</pre>
<script type="module">
import { loadScorer } from "./score.js";
import { artifact } from "./artifact.js";
const bytes = Uint8Array.from(atob(artifact), (c) => c.charCodeAt(0));
const e = loadScorer(bytes).epred(${JSON.stringify(rows)});
document.getElementById("out").textContent = JSON.stringify(Array.from(e.data));
</script></body></html>`,
      ],
      "/score.js": ["text/javascript", readFileSync(join(dir, "score.js"), "utf8")],
      "/artifact.js": ["text/javascript", `export const artifact = ${JSON.stringify(btoa(b64))};`],
    };
    server = createServer((req, res) => {
      const f = files[req.url ?? ""];
      if (!f) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": f[0] }).end(f[1]);
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    const dom = await run("chromium", [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      `--user-data-dir=${join(dir, "profile")}`,
      "--virtual-time-budget=10000",
      "--dump-dom",
      `http://127.0.0.1:${port}/`,
    ]);
    const m = dom.match(/<pre id="out">([^<]*)<\/pre>/);
    assert.ok(m && m[1] !== "pending", `page did not score: ${dom.slice(0, 500)}`);
    same(JSON.parse(m![1]), await expected(), "chromium");
  });
});
