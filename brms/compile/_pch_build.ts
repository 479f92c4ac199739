/**
 * The precompiled header built in the background, so that no fit waits for it: the first
 * compile on a machine without the header runs without it (the brms way plus -g0 and link-time
 * optimisation) while a separate, detached process at the lowest CPU priority (`nice 19`)
 * builds it under the header's lock; later compiles use it. The builder is this file run as a
 * script: it takes the lock itself (so a process that starts a fit meanwhile sees a build in
 * progress and does not wait for it), runs `brmsts_cc_build` (compiler.R) in a fresh
 * `Rscript`, writes the manifest and exits. It is bounded (one header build, about a minute on
 * a quiet machine) and outlives the process that started it on purpose: a short script such as
 * `npm run example` exits before the header is done, and the next one should find it.
 *
 * @module
 */
import { spawn } from "node:child_process";
import {
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { tempName, tryLock } from "./store.ts";
import { headerDigest, headerProblem, type Manifest, note, PCH_FILES } from "./_header.ts";

export type { Manifest };

/**
 * What the background builder needs: the header directory, the texts the worker's R planned,
 * and the Rscript of that R.
 *
 * @example
 * ```ts
 * const job: HeaderJob = {
 *   dir: "/c/compiler", name: "pch-0123", makevars: "", header: "", rscript: "Rscript",
 * };
 * ```
 */
export interface HeaderJob {
  dir: string;
  name: string;
  makevars: string;
  header: string;
  rscript: string;
}

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

/**
 * Starts the detached low-priority builder of the header `<dir>/<name>` from the texts the
 * worker's R planned (returns at once).
 *
 * @example
 * ```ts
 * startHeaderBuild("/c/compiler", "pch-0123", { makevars: "", header: "", rscript: "Rscript" });
 * ```
 */
export function startHeaderBuild(
  dir: string,
  name: string,
  plan: { makevars?: string; header?: string; rscript?: string },
): void {
  const job: HeaderJob = {
    dir,
    name,
    makevars: plan.makevars ?? "",
    header: plan.header ?? "",
    rscript: plan.rscript ?? "Rscript",
  };
  const file = join(job.dir, `${job.name}.job.json`);
  // A builder is on its way or running (its job file lives until it ends; one older than 20
  // minutes is left by a builder that was killed).
  try {
    if (Date.now() - statSync(file).mtimeMs < 1200_000) return;
  } catch { /* none */ }
  writeFileSync(file, JSON.stringify(job));
  note(
    "building the compiler cache in the background (low priority); this fit compiles without it",
  );
  const self = fileURLToPath(import.meta.url);
  const runtime = g.Bun ? [process.execPath, self] : [g.Deno.execPath(), "run", "-A", self];
  const log = openSync(join(job.dir, `${job.name}.build.log`), "w");
  const p = spawn("nice", ["-n", "19", ...runtime, "--brmsts-build-header", file], {
    detached: true,
    stdio: ["ignore", log, log],
    env: process.env,
  });
  p.on("error", () => {}); // no `nice`: the header is built by the next synchronous compile
  p.unref();
}

/** The builder process: lock, build, manifest. Exit code 0 also when another process builds. */
async function build(jobFile: string): Promise<void> {
  const job = JSON.parse(readFileSync(jobFile, "utf8")) as HeaderJob;
  const release = tryLock(join(job.dir, `${job.name}.lock`));
  if (!release) return; // another process builds it
  try {
    const pdir = join(job.dir, job.name);
    if (await headerProblem(pdir) === "") return;
    rmSync(pdir, { recursive: true, force: true });
    mkdirSync(pdir, { recursive: true });
    writeFileSync(join(pdir, "plan.makevars"), job.makevars);
    writeFileSync(join(pdir, "plan.header"), job.header);
    const compilerR = fileURLToPath(new URL("./compiler.R", import.meta.url));
    const code = `suppressMessages(requireNamespace("rstan")); source(${JSON.stringify(compilerR)})
rd <- function(f) paste(readLines(f, warn = FALSE), collapse = "\\n")
d <- ${JSON.stringify(pdir)}
cat(brmsts_cc_build(d, rd(file.path(d, "plan.makevars")), rd(file.path(d, "plan.header"))))`;
    const t0 = performance.now();
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const r = spawn(job.rscript, ["-e", code], { stdio: ["ignore", "pipe", "pipe"] });
      let text = "";
      r.stdout.on("data", (d) => (text += d));
      r.stderr.on("data", (d) => process.stderr.write(d));
      r.on("error", (e) => resolve({ code: -1, text: e.message }));
      r.on("exit", (code) => resolve({ code, text }));
    });
    rmSync(join(pdir, "plan.makevars"), { force: true });
    rmSync(join(pdir, "plan.header"), { force: true });
    const problem = out.code === 0 ? out.text.trim() : `Rscript failed (${out.code}): ${out.text}`;
    if (problem) headerFailed(pdir, problem);
    else await headerBuilt(job.dir, job.name, performance.now() - t0);
  } finally {
    release();
    rmSync(jobFile, { force: true });
  }
}

/**
 * Records that the header in `pdir` cannot be built (models compile without it).
 *
 * @example
 * ```ts
 * headerFailed("/c/compiler/pch-0123", "g++ failed");
 * ```
 */
export function headerFailed(pdir: string, problem: string): void {
  writeFileSync(join(pdir, PCH_FILES.FAILED), JSON.stringify({ reason: problem }));
  note(`${problem}; models compile without a precompiled header`);
}

/**
 * Marks the header built in `<dir>/<name>` ready (its manifest, written last) and removes
 * headers of other fingerprints.
 *
 * @example
 * ```ts
 * await headerBuilt("/c/compiler", "pch-0123", 61000);
 * ```
 */
export async function headerBuilt(dir: string, name: string, buildMs: number): Promise<void> {
  const pdir = join(dir, name);
  const gch = join(pdir, `${PCH_FILES.HEADER}.gch`);
  const manifest: Manifest = {
    format: 1,
    size: statSync(gch).size,
    digest: await headerDigest(gch),
    builtMs: Math.round(buildMs),
    time: new Date().toISOString(),
  };
  const tmp = tempName(join(pdir, PCH_FILES.MANIFEST));
  writeFileSync(tmp, JSON.stringify(manifest));
  renameSync(tmp, join(pdir, PCH_FILES.MANIFEST));
  dropStale(dir, name);
}

/**
 * Whether `f` exists.
 *
 * @example
 * ```ts
 * statOk("/tmp"); // true
 * ```
 */
export const statOk = (f: string): boolean => {
  try {
    return !!statSync(f);
  } catch {
    return false;
  }
};

/** Removes header directories of other fingerprints that no live process is building. */
function dropStale(dir: string, keep: string): void {
  try {
    for (const n of readdirSync(dir)) {
      if (!n.startsWith("pch-") || n === keep || n.includes(".")) continue;
      const release = tryLock(join(dir, `${n}.lock`));
      if (!release) continue;
      try {
        rmSync(join(dir, n), { recursive: true, force: true });
        note(`removed the precompiled header of an old platform (${n})`);
      } finally {
        release();
      }
    }
  } catch { /* best effort */ }
}

const at = process.argv.indexOf("--brmsts-build-header");
if (at >= 0 && process.argv[at + 1]) await build(process.argv[at + 1]);
