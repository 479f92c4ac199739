/**
 * Runs every `bench/*_bench.ts` in turn with the current runtime and prints their reports.
 * Each benchmark prints ratios against a baseline measured in the same run.
 *
 * Run: `deno run -A bench/run.ts` (or `npm run bench`). Pass names to run a subset:
 * `deno run -A bench/run.ts worker codec`.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { RUNNER } from "./_util.ts";

const dir = fileURLToPath(new URL(".", import.meta.url));
const wanted = process.argv.slice(2);
let failed = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith("_bench.ts")).sort()) {
  if (wanted.length && !wanted.some((w) => file.startsWith(w))) continue;
  console.log(`\n## ${file}`);
  const res = spawnSync(RUNNER[0], [...RUNNER.slice(1), dir + file], { stdio: "inherit" });
  if (res.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
