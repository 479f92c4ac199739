/**
 * The compiled-model cache of `brm()`.
 *
 * A fit whose Stan code and backend match an earlier one reuses the compiled model: in the same
 * worker (an R environment keyed by the cache key), in a fresh worker or a new process (an RDS
 * file on disk). The key is a SHA-256 of the Stan code brms generates for the call
 * (`brm(..., empty = TRUE)$model`, i.e. `make_stancode()`), the backend and the versions of R,
 * brms, rstan, StanHeaders, Rcpp and RcppEigen (and cmdstanr/CmdStan for that backend).
 *
 * An entry is the compiled, draw-free `stanfit` of `brm(..., chains = 0)` with its key and
 * Stan code, written to a temporary file and renamed into place (atomic); it holds no user
 * data. A hit is validated (readable, same key and code, the shared object loads) and reused
 * with brms's own mechanism: `brm(fit = <empty brmsfit of this call with the cached stanfit>)`,
 * which recomputes the Stan data from the new data and samples without compiling. Invalid
 * entries are rebuilt, never fatal. A lock file lets concurrent processes wait for one compile
 * instead of compiling twice; correctness never depends on it.
 *
 * @module
 */
import { rmSync } from "node:fs";
import type { CallOptions, RObject, RWorker } from "../../worker/mod.ts";
import { type CompilerSetup, discardHeader, prepareCompiler } from "./compiler.ts";
import { enforceCacheCap, markReader, touchEntry } from "./cache_admin.ts";
import {
  commitEntry,
  type EntryPaths,
  fileIdentity,
  sweepTemp,
  tempName,
  tryLock,
} from "./store.ts";
import { callRHelperValue } from "../../rhelpers.ts";
import { BRM_HELPERS } from "../core/r_helpers.ts";

/**
 * What {@link obtainModel} needs.
 *
 * @example
 * ```ts
 * import type { ObtainOptions } from "./cache.ts";
 * const enter: ObtainOptions["enter"] = (phase) => console.log(phase);
 * ```
 */
export interface ObtainOptions {
  worker: RWorker;
  /** The prepared call (an R environment with `args` and the empty brmsfit `x`). */
  spec: RObject;
  key: string;
  code: string;
  /** Entry paths; `null` when the cache directory is unusable (compile in memory only). */
  paths: EntryPaths | null;
  /** Directory for cmdstanr's executables. */
  stanDir: string;
  /** Called when a phase starts (`load`, `compile`). */
  enter: (phase: "load" | "compile", detail?: string) => void;
  callOpts: CallOptions;
  /** Cache root: enables the compiler settings (`-g0`, precompiled header) and the size cap. */
  root?: string;
  /** Size cap of the models (default `$BRMSTS_CACHE_MAX`, else 2 GB). */
  maxBytes?: number;
  /**
   * Told how a compile used the compiler settings: `used` and `lto` are "used", "off" or
   * "failed: <why>" for the precompiled header and for link-time optimisation.
   */
  onCompiler?: (cc: CompilerSetup | null, used: string, lto: string) => void;
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/**
 * Makes the compiled model of `key` available in the worker: from the worker's memory, from
 * the disk entry (validated), or by compiling it (under the entry's lock, then written
 * atomically). Returns where it came from.
 *
 * @example
 * ```ts
 * declare const opts: any;
 * import { obtainModel } from "./cache.ts";
 * const outcome = await obtainModel(opts); // "memory" | "disk" | "compiled"
 * ```
 */
export async function obtainModel(o: ObtainOptions): Promise<"memory" | "disk" | "compiled"> {
  const { worker: w, paths, callOpts } = o;
  const compile = async (file: string | null, detail?: string): Promise<"compiled"> => {
    o.enter("compile", detail);
    const cc = o.root === undefined ? null : await prepareCompiler({
      background: true,
      worker: w,
      root: o.root,
      enter: (d) => o.enter("compile", d),
      callOpts,
    });
    if (cc?.pchState === "built") o.enter("compile", detail);
    const tmp = file ? tempName(file) : null;
    let used: string, lto: string;
    try {
      const r = await callRHelperValue(w, BRM_HELPERS, "brmsts_compile", [
        o.spec,
        o.key,
        tmp,
        o.stanDir,
        cc && { makevars: cc.makevars, pch: cc.pch, lto: cc.lto },
      ], callOpts) as { pch: string; lto: string };
      used = String(r.pch);
      lto = String(r.lto);
    } catch (e) {
      if (tmp) rmSync(tmp, { force: true });
      throw e;
    }
    if (cc && used.startsWith("failed")) discardHeader(cc, used.slice(8));
    o.onCompiler?.(cc, used, lto);
    if (tmp && file) {
      commitEntry(tmp, file);
      if (o.root !== undefined) {
        enforceCacheCap({ cacheDir: o.root, cacheMaxBytes: o.maxBytes, keep: o.key });
      }
    }
    return "compiled";
  };
  o.enter("load");
  const waitStart = Date.now();
  for (let round = 0; round < 5; round++) {
    // A reader mark keeps the entry from being evicted while this worker reads it.
    const unmark = paths ? markReader(paths.file) : () => {};
    let state: string;
    try {
      state = await callRHelperValue(w, BRM_HELPERS, "brmsts_load", [
        o.key,
        paths?.file ?? null,
        o.code,
      ], callOpts) as string;
    } finally {
      unmark();
    }
    if (state === "memory" || state === "disk") {
      if (paths) touchEntry(paths.file);
      return state;
    }
    if (!paths) return compile(null);
    const bad = state.startsWith("invalid") ? fileIdentity(paths.file) : null;
    const release = tryLock(paths.lock);
    if (!release) {
      // Another process compiles this model: wait for its entry (or for its lock to go).
      o.enter("compile", "waiting for another process");
      while (!callOpts.signal?.aborted && Date.now() - waitStart < 3600_000) {
        await sleep(250);
        const id = fileIdentity(paths.file);
        if (id !== null && id !== bad) break;
        if (fileIdentity(paths.lock) === null) break;
      }
      callOpts.signal?.throwIfAborted();
      if (Date.now() - waitStart >= 3600_000) return compile(paths.file);
      o.enter("load");
      continue;
    }
    try {
      const id = fileIdentity(paths.file);
      // Someone else finished (or replaced the bad entry) while we were looking: load that.
      if (id !== null && id !== bad) continue;
      sweepTemp(paths.dir);
      return await compile(
        paths.file,
        bad !== null ? "rebuilding an invalid cache entry" : undefined,
      );
    } finally {
      release();
    }
  }
  return compile(paths?.file ?? null);
}
