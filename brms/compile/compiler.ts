/**
 * Faster, smaller Stan compiles without changing a draw (rstan backend).
 *
 * Every model brmsts compiles goes through R CMD SHLIB with a user Makevars that brmsts writes
 * into its cache directory and gives to the worker's R only for that compile
 * (`R_MAKEVARS_USER`, set around the compile and restored after; the user's own Makevars is
 * included first). It adds:
 * - `-g0`: no debug information. The machine code is the same (g++ generates code independently
 *   of `-g`), the shared object is about 6x smaller, the compile faster and leaner;
 * - a precompiled header (PCH) of the headers every rstan model includes first (Eigen, Rcpp,
 *   rstan's I/O, `stan/model/model_header.hpp`), force-included ahead of them. It is built
 *   lazily by the first compile that needs it ("preparing compiler cache, once"), through
 *   R CMD SHLIB itself so its flags match a model compile by construction, under a lock so
 *   that two processes never build it at once, into `<cache>/compiler/pch-<fingerprint>/`. The
 *   fingerprint hashes the versions of R, rstan, StanHeaders, Rcpp, RcppEigen, RcppParallel,
 *   BH, inline, the compiler, R's Makeconf, the site and user Makevars, rstan's plugin flags and
 *   the header list: any change builds a new header. A manifest (size and digest) written last
 *   marks it ready; a truncated or corrupt header fails that check and is rebuilt; a header
 *   that cannot be built is recorded as failed (no retry every compile) and models compile
 *   without it; a compile that fails with it is retried without it. Never a failed fit.
 *
 * - link-time optimisation (`-flto=auto`, GCC 10 or later): the compile stops after the front
 *   end and the link runs the optimiser and code generator as parallel jobs, so a second core
 *   works on the model. The floating-point operations are the same (no `-ffast-math`, no
 *   contraction into FMA on the baseline x86-64 target), and the draws are `identical()` to a
 *   model compiled the brms way (tested). A compile that fails with it is retried without it.
 *
 * The compiler processes also get `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` (glibc 2.35 or later
 * backs malloc with transparent huge pages: fewer page faults, the same output), and while the
 * header is in use pkgbuild's compiler check (a C compile before every model) is skipped: the
 * header build already proved the compiler works.
 *
 * `BRMSTS_PCH=0` turns the header off, `BRMSTS_LTO=0` link-time optimisation,
 * `BRMSTS_FAST_COMPILE=0` the whole Makevars.
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { CallOptions, RWorker } from "../../worker/mod.ts";
import { tempName, tryLock } from "./store.ts";
import { callRHelperValue } from "../../rhelpers.ts";
import { BRM_HELPERS } from "../core/r_helpers.ts";
import { headerBuilt, headerFailed, startHeaderBuild, statOk } from "./_pch_build.ts";
import {
  headerDigest,
  headerProblem,
  type Manifest,
  note,
  off,
  PCH_FILES,
  readFailed,
  verify,
} from "./_header.ts";

export { headerDigest, headerProblem, note, PCH_FILES };
const { MANIFEST, HEADER } = PCH_FILES;

/**
 * The compiler settings a compile runs with: the Makevars file and the precompiled header
 * (`null` when it is off or not usable).
 *
 * @example
 * ```ts
 * import type { CompilerSetup } from "./compiler.ts";
 * const cc: CompilerSetup = {
 *   makevars: "/c/compiler/Makevars",
 *   pch: null,
 *   pchState: "off",
 *   lto: "-flto=auto",
 * };
 * ```
 */
export interface CompilerSetup {
  makevars: string;
  /** Path of the header whose `.gch` sits beside it, or null. */
  pch: string | null;
  /** What happened to the header for this compile. */
  pchState: "ready" | "built" | "off" | "failed";
  /** Milliseconds spent building the header in this call (0 when it was ready). */
  buildMs?: number;
  /** Why the header is not used, when it is not. */
  reason?: string;
  /**
   * The link-time optimisation flag (`-flto=auto` with GCC 10 or later), or `""` when it is off
   * (`BRMSTS_LTO=0`) or the compiler does not support it.
   */
  lto: string;
}

/**
 * The state of the precompiled header on disk, for `status()` and `cacheInfo()`.
 *
 * @example
 * ```ts
 * import { compilerCacheStatus } from "./compiler.ts";
 * const s = compilerCacheStatus("/tmp/brmsts-cache");
 * console.log(s.ready, s.bytes);
 * ```
 */
export interface CompilerCacheStatus {
  /** True when a built, verified header exists (for some fingerprint). */
  ready: boolean;
  /** Bytes of all compiler-cache files. */
  bytes: number;
  /** The fingerprints present, newest first. */
  fingerprints: string[];
  /** The directory. */
  dir: string;
}

/** Bytes of the files under `dir` (0 when it does not exist). */
export function dirBytes(dir: string): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const n of names) {
    const p = join(dir, n);
    try {
      const s = statSync(p);
      total += s.isDirectory() ? dirBytes(p) : s.size;
    } catch { /* raced */ }
  }
  return total;
}

/**
 * The compiler-cache directory under a cache root.
 *
 * @example
 * ```ts
 * import { compilerDir } from "./compiler.ts";
 * compilerDir("/c"); // "/c/compiler"
 * ```
 */
export function compilerDir(root: string): string {
  return join(root, "compiler");
}

/**
 * What is on disk in the compiler cache of `root` (no worker needed).
 *
 * @example
 * ```ts
 * import { compilerCacheStatus } from "./compiler.ts";
 * compilerCacheStatus("/nonexistent").ready; // false
 * ```
 */
export function compilerCacheStatus(root: string): CompilerCacheStatus {
  const dir = compilerDir(root);
  const fps: { fp: string; t: number }[] = [];
  let ready = false;
  try {
    for (const n of readdirSync(dir)) {
      if (!n.startsWith("pch-")) continue;
      try {
        const m = JSON.parse(readFileSync(join(dir, n, MANIFEST), "utf8")) as Manifest;
        const s = statSync(join(dir, n, `${HEADER}.gch`));
        if (s.size === m.size) ready = true;
        fps.push({ fp: n.slice(4), t: s.mtimeMs });
      } catch { /* not built */ }
    }
  } catch { /* no directory */ }
  return {
    ready,
    bytes: dirBytes(dir),
    fingerprints: fps.sort((a, b) => b.t - a.t).map((x) => x.fp),
    dir,
  };
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/**
 * Options of {@link prepareCompiler}.
 *
 * @example
 * ```ts
 * import type { PrepareCompilerOptions } from "./compiler.ts";
 * const o: Partial<PrepareCompilerOptions> = { root: "/tmp/brmsts-cache" };
 * ```
 */
export interface PrepareCompilerOptions {
  worker: RWorker;
  /** Cache root (the compiler cache lives in `<root>/compiler`). */
  root: string;
  /** Called when the header is being built or waited for. */
  enter: (detail: string) => void;
  /**
   * A missing header is built by a detached low-priority process and this compile runs without
   * it, instead of building it first (`pchState` "off" with the reason); a build in progress is
   * not waited for.
   */
  background?: boolean;
  callOpts: CallOptions;
}

/**
 * Gets the compiler settings for a compile ready: writes the Makevars, and makes sure the
 * precompiled header of this platform exists (building it under a lock when it does not, or
 * waiting for the process that builds it). Returns `null` when the settings are off or cannot
 * be set up (the compile then runs exactly the brms way).
 *
 * @example
 * ```ts
 * import { defaultWorker } from "../../worker/mod.ts";
 * import { prepareCompiler } from "./compiler.ts";
 * const cc = await prepareCompiler({
 *   worker: defaultWorker(),
 *   root: "/tmp/brmsts-cache",
 *   enter: (d) => console.log(d),
 *   callOpts: {},
 * });
 * console.log(cc?.pchState);
 * ```
 */
export async function prepareCompiler(o: PrepareCompilerOptions): Promise<CompilerSetup | null> {
  if (off("BRMSTS_FAST_COMPILE")) return null;
  const dir = compilerDir(o.root);
  if (/[\s'"$\\]/.test(dir)) return null; // make cannot quote such paths
  const w = o.worker;
  const makevars = join(dir, "Makevars");
  let plan: {
    problem: string;
    facts?: string;
    makevars?: string;
    header?: string;
    lto?: string;
    rscript?: string;
  };
  try {
    mkdirSync(dir, { recursive: true });
    plan = await callRHelperValue(
      w,
      BRM_HELPERS,
      "brmsts_cc_plan",
      [makevars],
      o.callOpts,
    ) as typeof plan;
  } catch (e) {
    o.callOpts.signal?.throwIfAborted();
    note(`compiler settings unavailable (${(e as Error).message}); compiling the brms way`);
    return null;
  }
  if (plan.problem || !plan.facts || plan.makevars === undefined) return null;
  const text = plan.makevars + "\n";
  try {
    let same = false;
    try {
      same = readFileSync(makevars, "utf8") === text;
    } catch { /* absent */ }
    if (!same) {
      const tmp = tempName(makevars);
      writeFileSync(tmp, text);
      renameSync(tmp, makevars);
    }
  } catch (e) {
    note(`cannot write ${makevars} (${(e as Error).message}); compiling the brms way`);
    return null;
  }
  const base = { makevars, lto: typeof plan.lto === "string" ? plan.lto : "" };
  if (off("BRMSTS_PCH")) return { ...base, pch: null, pchState: "off" };
  const fp = createHash("sha256").update(plan.facts).digest("hex").slice(0, 16);
  const name = `pch-${fp}`;
  const pdir = join(dir, name);
  const header = join(pdir, HEADER);
  const lock = join(dir, `${name}.lock`);
  const waitStart = Date.now();
  for (let round = 0; round < 4; round++) {
    const failed = readFailed(pdir);
    if (failed) return { ...base, pch: null, pchState: "failed", reason: failed };
    const why = await verify(pdir);
    if (why === "") return { ...base, pch: header, pchState: "ready", buildMs: 0 };
    if (o.background && plan.rscript) {
      // Being built (lock held) or missing: this compile goes without it.
      if (why === "missing" && !statOk(lock)) {
        startHeaderBuild(dir, name, plan);
      }
      return { ...base, pch: null, pchState: "off", reason: "the header is being built" };
    }
    const release = tryLock(lock);
    if (!release) {
      o.enter("waiting for another process to prepare the compiler cache");
      while (!o.callOpts.signal?.aborted && Date.now() - waitStart < 1800_000) {
        await sleep(250);
        try {
          statSync(lock);
        } catch {
          break;
        }
      }
      o.callOpts.signal?.throwIfAborted();
      if (Date.now() - waitStart >= 1800_000) break;
      continue;
    }
    try {
      // Another process may have finished between our check and the lock.
      if (await verify(pdir) === "") {
        return { ...base, pch: header, pchState: "ready", buildMs: 0 };
      }
      if (why !== "missing") note(`precompiled header unusable (${why}); rebuilding it`);
      rmSync(pdir, { recursive: true, force: true });
      mkdirSync(pdir, { recursive: true });
      o.enter("preparing compiler cache, once");
      const t0 = performance.now();
      let problem: string;
      try {
        problem = String(
          await callRHelperValue(w, BRM_HELPERS, "brmsts_cc_build", [
            pdir,
            plan.makevars,
            plan.header,
          ], o.callOpts),
        );
      } catch (e) {
        o.callOpts.signal?.throwIfAborted();
        problem = (e as Error).message;
      }
      const buildMs = performance.now() - t0;
      if (problem) {
        headerFailed(pdir, problem);
        return { ...base, pch: null, pchState: "failed", reason: problem };
      }
      await headerBuilt(dir, name, buildMs);
      return { ...base, pch: header, pchState: "built", buildMs };
    } finally {
      release();
    }
  }
  return { ...base, pch: null, pchState: "off", reason: "the compiler cache was busy" };
}

/**
 * Marks the header of `cc` unusable after a compile failed with it (it is rebuilt next time).
 *
 * @example
 * ```ts
 * import { discardHeader } from "./compiler.ts";
 * discardHeader({ makevars: "/c/compiler/Makevars", pch: null, pchState: "off", lto: "" }, "why");
 * ```
 */
export function discardHeader(cc: CompilerSetup, why: string): void {
  if (!cc.pch) return;
  note(`the precompiled header could not be used (${why.slice(0, 300)}); it will be rebuilt`);
  const pdir = join(cc.pch, "..");
  try {
    rmSync(join(pdir, MANIFEST), { force: true });
  } catch { /* best effort */ }
}
