/**
 * The files of the compiled-model cache (see `cache.ts`): where the cache lives, an entry's key
 * and paths, atomic writes (temporary name, rename into place), file identities, the compile
 * lock and the sweep of interrupted writes. No R here.
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { sweepLockLeftovers, tryLock as takeLock } from "../../lock.ts";
import process from "node:process";

/**
 * Where compiled models are cached: `dir` if given, else `$BRMSTS_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/brmsts`, else `~/.cache/brmsts`.
 *
 * @example
 * ```ts
 * import { cacheDir } from "./store.ts";
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
 * import { cacheEnabledByDefault } from "./store.ts";
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
 * import { cacheKey } from "./store.ts";
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
 * import type { EntryPaths } from "./store.ts";
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
 * import { entryPaths } from "./store.ts";
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
 * import { tempName } from "./store.ts";
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
 * import { commitEntry } from "./store.ts";
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
 * import { fileIdentity } from "./store.ts";
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

/**
 * Tries to take the compile lock of an entry (the cross-process lock of `lock.ts`). Stale locks
 * (dead pid on this host, older than 3 hours, or without an owner record for a minute) are
 * broken first. Returns the release function, or `null` when another live process holds the
 * lock.
 *
 * @example
 * ```ts
 * import { tryLock } from "./store.ts";
 * const release = tryLock("/tmp/k.lock");
 * release?.();
 * ```
 */
export function tryLock(lock: string): (() => void) | null {
  const release = takeLock(lock, {
    staleMs: STALE_LOCK_MS,
    maxAgeMs: STALE_LOCK_MS,
    ownerlessGraceMs: 60_000,
  });
  if (release) sweepLockLeftovers(dirname(lock));
  return release;
}

/**
 * Removes temporary files of interrupted writes older than a day (best effort).
 *
 * @example
 * ```ts
 * import { sweepTemp } from "./store.ts";
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
