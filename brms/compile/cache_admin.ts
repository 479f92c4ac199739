/**
 * A bounded compiled-model cache: a size cap with least-recently-used eviction, reader marks
 * that keep an entry from being evicted while a process loads it, and `cacheInfo()` /
 * `clearCache()`.
 *
 * Entries are `<root>/models/<key>.rds`. Using an entry (a hit from disk or from a worker's
 * memory) touches its modification time, so the oldest time is the least recently used. A
 * process about to read an entry first creates `<key>.rds.reader-<pid>-<random>` and removes
 * it after; eviction skips entries with a reader mark of a live process (marks of dead
 * processes, or older than an hour, are ignored), renames the entry aside, checks the marks
 * once more (a reader that came in between gets the entry back) and only then deletes it.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pidAlive } from "../../native/process.ts";
import { cacheDir, tryLock } from "./store.ts";
import {
  type CompilerCacheStatus,
  compilerCacheStatus,
  compilerDir,
  dirBytes,
} from "./compiler.ts";

/** The default size cap of the model cache: 2 GB. */
export const DEFAULT_CACHE_MAX_BYTES = 2 * 1024 ** 3;

const READER_MAX_AGE_MS = 3600_000;

/**
 * The size cap in bytes: `max` if given, else `$BRMSTS_CACHE_MAX` (bytes, or with a unit:
 * `500M`, `2G`), else 2 GB.
 *
 * @example
 * ```ts
 * import { cacheMaxBytes } from "./cache_admin.ts";
 * cacheMaxBytes(1e9); // 1000000000
 * ```
 */
export function cacheMaxBytes(max?: number): number {
  if (typeof max === "number" && Number.isFinite(max) && max >= 0) return max;
  const v = (process.env.BRMSTS_CACHE_MAX ?? "").trim();
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)i?[bB]?$/.exec(v);
  if (!m) return DEFAULT_CACHE_MAX_BYTES;
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[
    m[2].toLowerCase() as "" | "k" | "m" | "g" | "t"
  ];
  return Math.floor(Number(m[1]) * unit);
}

/**
 * Marks `file` as being read by this process until the returned function is called.
 *
 * @example
 * ```ts
 * import { markReader } from "./cache_admin.ts";
 * const done = markReader("/tmp/brmsts-cache/models/k.rds");
 * done();
 * ```
 */
export function markReader(file: string): () => void {
  const mark = `${file}.reader-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    writeFileSync(mark, JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now() }));
  } catch {
    return () => {};
  }
  return () => rmSync(mark, { force: true });
}

/** Whether a live process holds a reader mark on `file` (in `dir`, whose listing is `names`). */
function beingRead(dir: string, file: string, names?: string[]): boolean {
  const base = file.slice(dir.length + 1);
  for (const n of names ?? readdirSync(dir)) {
    if (!n.startsWith(`${base}.reader-`)) continue;
    const pid = Number(n.slice(base.length + 8).split("-")[0]);
    let age = Infinity;
    try {
      age = Date.now() - statSync(join(dir, n)).mtimeMs;
    } catch {
      continue; // just removed
    }
    if (age > READER_MAX_AGE_MS) continue;
    if (!Number.isInteger(pid) || pid === process.pid || pidAlive(pid)) return true;
  }
  return false;
}

/**
 * Records a use of an entry (its modification time becomes now), for least-recently-used order.
 *
 * @example
 * ```ts
 * import { touchEntry } from "./cache_admin.ts";
 * touchEntry("/tmp/brmsts-cache/models/k.rds");
 * ```
 */
export function touchEntry(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch { /* gone or read-only */ }
}

/**
 * One compiled model in the cache.
 *
 * @example
 * ```ts
 * import type { CacheEntryInfo } from "./cache_admin.ts";
 * const e: CacheEntryInfo = { key: "ab12", bytes: 4e6, lastUsed: new Date(), inUse: false };
 * ```
 */
export interface CacheEntryInfo {
  /** The cache key (SHA-256 of Stan code and versions). */
  key: string;
  /** Size of the entry file. */
  bytes: number;
  /** When a fit last used (or compiled) it. */
  lastUsed: Date;
  /** Whether a process is loading it now. */
  inUse: boolean;
}

/**
 * What {@link cacheInfo} reports.
 *
 * @example
 * ```ts
 * import type { CacheInfo } from "./cache_admin.ts";
 * const show = (i: CacheInfo) => `${i.entries.length} models, ${i.modelBytes} of ${i.maxBytes}`;
 * ```
 */
export interface CacheInfo {
  /** The cache root. */
  dir: string;
  /** Compiled models, least recently used first. */
  entries: CacheEntryInfo[];
  /** Bytes of all compiled models. */
  modelBytes: number;
  /** The size cap of the models (the precompiled header and `functions/` are not counted). */
  maxBytes: number;
  /** The precompiled header of the compiler cache. */
  compiler: CompilerCacheStatus;
  /**
   * Bytes of the Stan functions `exposeFunctions()` compiled (`<dir>/functions`, Rcpp's cache):
   * not under the cap; `clearCache()` removes them.
   */
  functionsBytes: number;
}

function listEntries(dir: string): { entries: CacheEntryInfo[]; names: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { entries: [], names: [] };
  }
  const entries: CacheEntryInfo[] = [];
  for (const n of names) {
    if (!n.endsWith(".rds")) continue;
    try {
      const s = statSync(join(dir, n));
      entries.push({
        key: n.slice(0, -4),
        bytes: s.size,
        lastUsed: new Date(s.mtimeMs),
        inUse: beingRead(dir, join(dir, n), names),
      });
    } catch { /* raced */ }
  }
  entries.sort((a, b) => a.lastUsed.getTime() - b.lastUsed.getTime());
  return { entries, names };
}

/**
 * Options of {@link cacheInfo}, {@link clearCache} and {@link enforceCacheCap}.
 *
 * @example
 * ```ts
 * import type { CacheAdminOptions } from "./cache_admin.ts";
 * const o: CacheAdminOptions = { cacheDir: "/tmp/brmsts-cache", cacheMaxBytes: 5e8 };
 * ```
 */
export interface CacheAdminOptions {
  /** Cache root (default as for `brm()`: `$BRMSTS_CACHE_DIR`, …). */
  cacheDir?: string;
  /** Size cap of the models in bytes (default `$BRMSTS_CACHE_MAX`, else 2 GB). */
  cacheMaxBytes?: number;
}

/**
 * The compiled models in the cache (least recently used first), their total size, the cap and
 * the state of the precompiled header.
 *
 * @example
 * ```ts
 * import { cacheInfo } from "../mod.ts";
 * const info = cacheInfo();
 * console.log(`${info.entries.length} models, ${(info.modelBytes / 1e6).toFixed(0)} MB`);
 * ```
 */
export function cacheInfo(options: CacheAdminOptions = {}): CacheInfo {
  const root = cacheDir(options.cacheDir);
  const { entries } = listEntries(join(root, "models"));
  return {
    dir: root,
    entries,
    modelBytes: entries.reduce((s, e) => s + e.bytes, 0),
    maxBytes: cacheMaxBytes(options.cacheMaxBytes),
    compiler: compilerCacheStatus(root),
    functionsBytes: dirBytes(join(root, "functions")),
  };
}

/** Removes `file` unless a process is reading it (rename aside, re-check, delete). */
function evict(dir: string, file: string): boolean {
  if (beingRead(dir, file)) return false;
  const aside = `${file}.evict-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    renameSync(file, aside);
  } catch {
    return false; // gone already
  }
  if (beingRead(dir, file)) {
    // A reader arrived between the check and the rename: give the entry back.
    try {
      renameSync(aside, file);
      return false;
    } catch { /* fall through: remove */ }
  }
  rmSync(aside, { force: true });
  return true;
}

/**
 * Evicts least recently used models until the cache is under its cap; never removes an entry
 * being loaded, nor `keep`. Returns the evicted keys.
 *
 * @example
 * ```ts
 * import { enforceCacheCap } from "./cache_admin.ts";
 * enforceCacheCap({ cacheDir: "/tmp/brmsts-cache", cacheMaxBytes: 1e9 });
 * ```
 */
export function enforceCacheCap(options: CacheAdminOptions & { keep?: string } = {}): string[] {
  const root = cacheDir(options.cacheDir);
  const dir = join(root, "models");
  const max = cacheMaxBytes(options.cacheMaxBytes);
  const { entries } = listEntries(dir);
  let total = entries.reduce((s, e) => s + e.bytes, 0);
  const evicted: string[] = [];
  for (const e of entries) {
    if (total <= max) break;
    if (e.key === options.keep || e.inUse) continue;
    if (evict(dir, join(dir, `${e.key}.rds`))) {
      total -= e.bytes;
      evicted.push(e.key);
    }
  }
  return evicted;
}

/**
 * Empties the cache: every compiled model not being loaded by a process, the Stan functions
 * `exposeFunctions()` compiled (R sessions that loaded them keep them), and (unless
 * `compiler: false`) the precompiled header. Returns the bytes freed.
 *
 * @example
 * ```ts
 * import { clearCache } from "../mod.ts";
 * const freed = clearCache({ compiler: false });
 * console.log(`${(freed / 1e6).toFixed(0)} MB freed`);
 * ```
 */
export function clearCache(options: { cacheDir?: string; compiler?: boolean } = {}): number {
  const root = cacheDir(options.cacheDir);
  const dir = join(root, "models");
  let freed = 0;
  for (const e of listEntries(dir).entries) {
    if (!e.inUse && evict(dir, join(dir, `${e.key}.rds`))) freed += e.bytes;
  }
  const functions = join(root, "functions");
  const fnBytes = dirBytes(functions);
  rmSync(functions, { recursive: true, force: true }); // throws unless all of it is gone
  freed += fnBytes;
  if (options.compiler !== false) {
    const c = compilerCacheStatus(root);
    try {
      for (const n of readdirSync(compilerDir(root))) {
        if (!n.startsWith("pch-") || n.includes(".")) continue;
        const release = tryLock(join(compilerDir(root), `${n}.lock`));
        if (!release) continue; // being built by another process
        try {
          rmSync(join(compilerDir(root), n), { recursive: true, force: true });
        } finally {
          release();
        }
      }
    } catch { /* none */ }
    freed += c.bytes - compilerCacheStatus(root).bytes;
  }
  return freed;
}
