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
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { homedir, hostname } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pidAlive } from "../native/process.ts";
import type { CallOptions, RObject, RWorker } from "../worker/mod.ts";
import { type CompilerSetup, discardHeader, prepareCompiler } from "./_compiler.ts";
import { enforceCacheCap, markReader, touchEntry } from "./cache_admin.ts";

/**
 * Where compiled models are cached: `dir` if given, else `$BRMSTS_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/brmsts`, else `~/.cache/brmsts`.
 *
 * @example
 * ```ts
 * import { cacheDir } from "./_cache.ts";
 * console.log(cacheDir()); // e.g. /home/me/.cache/brmsts
 * ```
 */
export function cacheDir(dir?: string): string {
  if (dir) return dir;
  const env = process.env;
  if (env.BRMSTS_CACHE_DIR) return env.BRMSTS_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "brmsts");
  return join(homedir(), ".cache", "brmsts");
}

/**
 * Whether the disk cache is enabled by default (`BRMSTS_CACHE=0` or `off` disables it).
 *
 * @example
 * ```ts
 * import { cacheEnabledByDefault } from "./_cache.ts";
 * if (!cacheEnabledByDefault()) console.log("models are compiled for every fit");
 * ```
 */
export function cacheEnabledByDefault(): boolean {
  const v = (process.env.BRMSTS_CACHE ?? "").toLowerCase();
  return !(v === "0" || v === "off" || v === "false" || v === "no");
}

/**
 * The cache key of a model: SHA-256 (hex) of the Stan code and the version facts.
 *
 * @example
 * ```ts
 * import { cacheKey } from "./_cache.ts";
 * cacheKey("data { }", { brms: "2.18.0", backend: "rstan" }).length; // 64
 * ```
 */
export function cacheKey(code: string, facts: Readonly<Record<string, string>>): string {
  const h = createHash("sha256");
  h.update("brmsts-model-cache-v1\0");
  for (const k of Object.keys(facts).sort()) h.update(`${k}=${facts[k]}\0`);
  h.update(code);
  return h.digest("hex");
}

/**
 * Paths of one cache entry.
 *
 * @example
 * ```ts
 * import type { EntryPaths } from "./_cache.ts";
 * const p: EntryPaths = { dir: "/c/models", file: "/c/models/k.rds", lock: "/c/models/k.lock" };
 * ```
 */
export interface EntryPaths {
  /** The models directory. */
  dir: string;
  /** The entry (`<key>.rds`). */
  file: string;
  /** The lock file. */
  lock: string;
}

/**
 * The paths of the entry for `key` under `root` (the directory is created when possible;
 * `null` when it cannot be).
 *
 * @example
 * ```ts
 * import { entryPaths } from "./_cache.ts";
 * entryPaths("/tmp/brmsts-cache", "ab12")?.file; // /tmp/brmsts-cache/models/ab12.rds
 * ```
 */
export function entryPaths(root: string, key: string): EntryPaths | null {
  const dir = join(root, "models");
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 }); // private to its user (issue 27)
  } catch {
    return null;
  }
  return { dir, file: join(dir, `${key}.rds`), lock: join(dir, `${key}.lock`) };
}

/**
 * A unique temporary file name next to `file` (same directory, so `rename` is atomic).
 *
 * @example
 * ```ts
 * import { tempName } from "./_cache.ts";
 * tempName("/c/models/k.rds"); // /c/models/k.rds.tmp-1234-9f8e7d6c
 * ```
 */
export function tempName(file: string): string {
  return `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
}

/**
 * Moves a finished temporary file into place (atomic); removes it on failure.
 *
 * @example
 * ```ts
 * import { commitEntry } from "./_cache.ts";
 * commitEntry("/c/models/k.rds.tmp-1-aa", "/c/models/k.rds");
 * ```
 */
export function commitEntry(tmp: string, file: string): boolean {
  try {
    renameSync(tmp, file);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}

/**
 * An identity of a file (inode, size, mtime) to notice that another process replaced it.
 *
 * @example
 * ```ts
 * import { fileIdentity } from "./_cache.ts";
 * fileIdentity("/nonexistent"); // null
 * ```
 */
export function fileIdentity(file: string): string | null {
  try {
    const s = statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
}

const STALE_LOCK_MS = 3 * 3600_000;

/** Whether the lock file at `lock` belongs to a process that is gone (or is very old). */
function lockIsStale(lock: string): boolean {
  let text: string;
  let mtime: number;
  try {
    text = readFileSync(lock, "utf8");
    mtime = statSync(lock).mtimeMs;
  } catch {
    return false; // gone already: not ours to judge
  }
  if (Date.now() - mtime > STALE_LOCK_MS) return true;
  try {
    const info = JSON.parse(text) as { pid?: number; host?: string };
    if (info.host === hostname() && typeof info.pid === "number") return !pidAlive(info.pid);
    return false;
  } catch {
    // A half-written lock: stale once it is old enough that its writer must have finished.
    return Date.now() - mtime > 60_000;
  }
}

/**
 * Tries to take the compile lock of an entry (O_EXCL create with pid, host and time). Stale
 * locks (dead pid on this host, or older than 3 hours) are removed first. Returns the release
 * function, or `null` when another live process holds the lock.
 *
 * @example
 * ```ts
 * import { tryLock } from "./_cache.ts";
 * const release = tryLock("/tmp/k.lock");
 * release?.();
 * ```
 */
export function tryLock(lock: string): (() => void) | null {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, "wx");
      try {
        writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now() }));
      } finally {
        closeSync(fd);
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(lock, { force: true });
      };
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== "EEXIST") return () => {}; // no locking possible (read-only dir …): proceed
      if (attempt === 0 && lockIsStale(lock)) {
        rmSync(lock, { force: true });
        continue;
      }
      return null;
    }
  }
  return null;
}

/**
 * Removes temporary files of interrupted writes older than a day (best effort).
 *
 * @example
 * ```ts
 * import { sweepTemp } from "./_cache.ts";
 * sweepTemp("/tmp/brmsts-cache/models");
 * ```
 */
export function sweepTemp(dir: string): void {
  try {
    for (const name of readdirSync(dir)) {
      if (!name.includes(".tmp-")) continue;
      const p = join(dir, name);
      try {
        if (Date.now() - statSync(p).mtimeMs > 86400_000) rmSync(p, { force: true });
      } catch { /* raced with its owner */ }
    }
  } catch { /* directory gone */ }
}

/**
 * What {@link obtainModel} needs.
 *
 * @example
 * ```ts
 * import type { ObtainOptions } from "./_cache.ts";
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
 * import { obtainModel } from "./_cache.ts";
 * const outcome = await obtainModel(opts); // "memory" | "disk" | "compiled"
 * ```
 */
export async function obtainModel(o: ObtainOptions): Promise<"memory" | "disk" | "compiled"> {
  const { worker: w, paths, callOpts } = o;
  const compile = async (file: string | null, detail?: string): Promise<"compiled"> => {
    o.enter("compile", detail);
    const cc = o.root === undefined ? null : await prepareCompiler({
      worker: w,
      root: o.root,
      enter: (d) => o.enter("compile", d),
      callOpts,
    });
    if (cc?.pchState === "built") o.enter("compile", detail);
    const tmp = file ? tempName(file) : null;
    let used: string, lto: string;
    try {
      const r = await w.call(
        "brmsts_compile",
        [o.spec, o.key, tmp, o.stanDir, cc && { makevars: cc.makevars, pch: cc.pch, lto: cc.lto }],
        callOpts,
      ) as { pch: string; lto: string };
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
      state = await w.call("brmsts_load", [o.key, paths?.file ?? null, o.code], callOpts) as string;
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
