/**
 * Progress when stderr is not a terminal: a few structured lines (phase changes, each chain
 * every 10% of sampling) instead of rstan's raw lines; brms's internal "the number of chains is
 * less than 1; sampling not done" of the compile-only step is not shown; the raw text still
 * reaches onLog.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { ProgressTracker } from "../brms/fit/progress.ts";
import { runScriptArgv } from "./_util.ts";
import { ROOT, TEST_CACHE } from "./brm_shared.ts";
import { SLOW } from "./_rscript.ts";

/** rstan's console lines of one chain with `refresh` every 2%. */
function chainLines(chain: number, iter: number): string[] {
  const out = [`SAMPLING FOR MODEL 'x' NOW (CHAIN ${chain}).`];
  for (let pct = 0; pct <= 100; pct += 2) {
    const it = Math.max(1, Math.round((pct / 100) * iter));
    const stage = it <= iter / 2 ? "Warmup" : "Sampling";
    out.push(
      `Chain ${chain}: Iteration: ${it} / ${iter} [${String(pct).padStart(3)}%]  (${stage})`,
    );
  }
  out.push(`Chain ${chain}:                0.1 seconds (Total)`);
  return out;
}

describe("progress lines without a terminal", () => {
  it("writes phase changes and each chain every 10%, and hides the compile-only message", () => {
    const written: string[] = [];
    const echoed: string[] = [];
    const t = new ProgressTracker({
      chains: 2,
      bar: false,
      lines: true,
      write: (s) => written.push(s),
      echo: (s) => echoed.push(s),
    });
    t.phase("compile");
    t.feed("stderr", "the number of chains is less than 1; sampling not done\n");
    t.phase("sample");
    for (const l of [...chainLines(1, 100), ...chainLines(2, 100)]) t.feed("stdout", l + "\n");
    t.feed("stderr", "Warning: There were 3 divergent transitions after warmup.\n");
    t.phase("done");
    t.finish();
    const lines = written.join("").split("\n").filter(Boolean).map((l) =>
      l.replace(/ at [\d.]+s$/, "").replace(/ in [\d.]+s$/, "")
    );
    const chain = (c: number) =>
      Array.from({ length: 10 }, (_, k) => {
        const pct = (k + 1) * 10;
        return `brm: chain ${c}/2 ${pct}% ${pct <= 50 ? "warmup" : "sampling"}`;
      });
    assert.deepEqual(lines, [
      "brm: compiling stan model",
      "brm: sampling",
      ...chain(1),
      ...chain(2),
      "brm: done",
    ]);
    assert.deepEqual(echoed, ["Warning: There were 3 divergent transitions after warmup.\n"]);
  });

  it("keeps a real fit's stderr to a few structured lines, raw text through onLog", SLOW, () => {
    const script = fileURLToPath(new URL("./fixtures/brm_lines.ts", import.meta.url));
    const [cmd, ...args] = runScriptArgv(script);
    const r = spawnSync(cmd, args, {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, BRMSTS_CACHE_DIR: TEST_CACHE, CI: "" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 600_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const err = r.stderr.split("\n").filter((l) => l.trim());
    assert.ok(
      !err.some((l) => /Iteration:|SAMPLING FOR MODEL|Gradient evaluation/.test(l)),
      r.stderr,
    );
    assert.ok(!r.stderr.includes("number of chains is less than 1"), r.stderr);
    assert.ok(err.some((l) => l.startsWith("brm: sampling")), r.stderr);
    assert.ok(err.some((l) => /^brm: chain 1\/2 100% /.test(l)), r.stderr);
    assert.ok(err.some((l) => /^brm: chain 2\/2 100% /.test(l)), r.stderr);
    // Extraction names the group brms is computing.
    assert.ok(err.some((l) => l.startsWith("brm: extracting draws (posterior_predictive)")));
    assert.ok(err.some((l) => l.startsWith("brm: extracting draws (log_likelihood)")));
    // 5 phases + 2 extraction groups + 2 chains x 10 steps; besides them only notable text.
    const progress = err.filter((l) => l.startsWith("brm: "));
    assert.equal(progress.length, 27, r.stderr);
    assert.ok(!r.stderr.includes("\x1b["), "no terminal control sequences");
    const { raw } = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.ok(raw >= 20, `onLog saw ${raw} iteration lines`);
  });
});
