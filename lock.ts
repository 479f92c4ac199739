/**
 * The one cross-process lock of brmsts: the environments' home lock (`env/lock.ts`), the
 * compiled-model cache's compile locks and the compiler header's build lock
 * (`brms/compile/`) all take it.
 *
 * A lock is the directory `<path>` holding `owner.json` (pid, process start time, host, a
 * random token, since). It is taken atomically by renaming a fully written temporary directory
 * onto that name (rename fails when the target is a non-empty directory), so a lock never
 * exists without its owner record. A lock whose owner process is gone (or whose pid was reused
 * by a process with another start time) is stale and is broken; locks of other hosts are
 * trusted for `staleMs`; any lock older than `maxAgeMs` is stale; a lock without a valid record
 * (made by hand, or being replaced) is broken once it is `ownerlessGraceMs` old. Breaking
 * renames the lock aside to check it and puts it back if it changed hands meanwhile, so a
 * release looks for its lock there too, and a lock of this process put back after its release
 * counts as stale. A plain file at `<path>` holding `{ pid, host, time }` (the cache's lock
 * before this module) is read as a record too. Works in Deno and Bun through node:fs.
 *
 * @module
 */
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import process from "node:process";
import { pidAlive } from "./native/process.ts";

/**
 * When a lock counts as stale.
 *
 * @example
 * ```ts
 * const o: StaleOptions = { staleMs: 600_000 };
 * ```
 */
export interface StaleOptions {
  /** Age after which a lock of another host counts as stale (ms, default 10 minutes). */
  staleMs?: number;
  /** Age after which any lock counts as stale, even of a live process (ms, default never). */
  maxAgeMs?: number;
  /** How long a lock without a valid owner record must stay so before it is broken (ms, 2 s). */
  ownerlessGraceMs?: number;
}

/**
 * Options of {@link acquireLock}.
 *
 * @example
 * ```ts
 * import { BrmstsError } from "./errors.ts";
 * const o: AcquireLockOptions = {
 *   timeoutMs: 5000,
 *   timeoutError: (who) => new BrmstsError(`lock held by ${who}`),
 * };
 * ```
 */
export interface AcquireLockOptions extends StaleOptions {
  /** How long to wait (ms, default 60 000). */
  timeoutMs?: number;
  /** The time to give up at (ms since the epoch; default now + `timeoutMs`). */
  deadline?: number;
  /** The error to throw on timeout, given a description of the holder. */
  timeoutError: (holder: string) => Error;
}

interface Owner {
  pid: number;
  start: string | null;
  host: string;
  token: string;
  since: string;
}

interface Held {
  /** The owner record as read (empty when there is none). */
  text: string;
  /** The parsed record, or null when it is missing or not valid JSON. */
  owner: Owner | null;
  /** Null when the record is valid; otherwise the time since the lock was last modified (ms). */
  ageMs: number | null;
}

/**
 * A random token that starts with this process's pid (names of temporary files and asides, so
 * that a sweep can tell a dead process's leftovers).
 *
 * @example
 * ```ts
 * lockToken().startsWith(`${process.pid}-`); // true
 * ```
 */
export function lockToken(): string {
  return `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

function errnoCode(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}

/** The start time of a process (field 22 of /proc/<pid>/stat), or null where unknown. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

/** The record of the lock at `path`: `owner.json` of a directory, or a legacy lock file. */
function readRecord(path: string): string {
  try {
    return readFileSync(join(path, "owner.json"), "utf8");
  } catch (e) {
    if (errnoCode(e) !== "ENOTDIR") throw e;
    return readFileSync(path, "utf8");
  }
}

function parseOwner(text: string): Owner | null {
  const o = JSON.parse(text) as Partial<Owner> & { time?: number } | null;
  if (!o || typeof o.pid !== "number") return null;
  if (typeof o.since !== "string") {
    // A legacy lock file: { pid, host, time }.
    return {
      pid: o.pid,
      start: null,
      host: String(o.host ?? ""),
      token: "",
      since: new Date(typeof o.time === "number" ? o.time : 0).toISOString(),
    };
  }
  return o as Owner;
}

function readOwner(path: string): Held | null {
  let text = "";
  let owner: Owner | null = null;
  try {
    text = readRecord(path);
    owner = parseOwner(text);
    if (owner) return { text, owner, ageMs: null };
  } catch (e) {
    if (errnoCode(e) !== "ENOENT" && !(e instanceof SyntaxError)) throw e;
  }
  // No valid record. The lock is looked at after the record, so a lock released and taken
  // again between the two looks is aged as the fresh lock it now is.
  try {
    return { text, owner, ageMs: Date.now() - statSync(path).mtimeMs };
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return null;
    throw e;
  }
}

/**
 * Owner records of locks this process released, the newest 64. A breaker that set our lock
 * aside while we released it puts it back afterwards; such a lock is recognised here as stale.
 */
const released = new Set<string>();

function isStale(held: Held, o: StaleOptions): boolean {
  if (held.ageMs !== null) return held.ageMs > (o.ownerlessGraceMs ?? 2000);
  const owner = held.owner!;
  if (released.has(held.text)) return true; // ours, released while set aside by a breaker
  const age = Date.now() - Date.parse(owner.since);
  if (o.maxAgeMs !== undefined && age > o.maxAgeMs) return true;
  if (owner.host !== hostname()) return age > (o.staleMs ?? 600_000);
  if (!pidAlive(owner.pid)) return true;
  const start = processStart(owner.pid);
  return owner.start !== null && start !== null && start !== owner.start;
}

function describeOwner(owner: Owner | null): string {
  if (!owner) return "an unknown process";
  return `pid ${owner.pid} on ${owner.host} since ${owner.since}`;
}

/** Moves a stale lock out of the way, unless someone replaced it in the meantime. */
function breakStale(lock: string, seenText: string): void {
  const aside = `${lock}.stale-${lockToken()}`;
  try {
    renameSync(lock, aside);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return; // someone else broke or released it
    throw e;
  }
  let text = "";
  try {
    text = readRecord(aside);
  } catch { /* no owner record */ }
  if (text !== seenText) {
    // A fresh lock was taken between our read and the rename: give it back.
    try {
      renameSync(aside, lock);
      return;
    } catch { /* a third process holds it now; the fresh owner's lock is lost, drop it */ }
  }
  rmSync(aside, { recursive: true, force: true });
}

/** Renames the lock `path` aside and deletes it if it holds the owner record `text`. */
function removeIfOurs(lock: string, path: string, text: string): boolean {
  try {
    if (readRecord(path) !== text) return false;
  } catch {
    return false;
  }
  const aside = `${lock}.released-${lockToken()}`;
  try {
    renameSync(path, aside);
  } catch {
    return false;
  }
  rmSync(aside, { recursive: true, force: true });
  return true;
}

function release(lock: string, text: string): void {
  released.add(text);
  if (released.size > 64) released.delete(released.values().next().value!);
  // The lock is normally in place; a process breaking what it took for a stale lock may have
  // renamed it to `<lock>.stale-*` for a moment, and would put it back: remove it there instead.
  // Two looks, in case it was put back between looking at the lock and at the asides.
  const dir = dirname(lock);
  const prefix = `${basename(lock)}.stale-`;
  for (let look = 0; look < 2; look++) {
    if (removeIfOurs(lock, lock, text)) return;
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch { /* directory gone */ }
    for (const name of names) {
      if (name.startsWith(prefix) && removeIfOurs(lock, join(dir, name), text)) return;
    }
  }
}

/** Outcome of one attempt: the release function, or the holder that keeps the lock. */
type Attempt = { release: () => void } | { held: Held | null };

function attempt(lock: string, o: StaleOptions): Attempt {
  const me: Owner = {
    pid: process.pid,
    start: processStart(process.pid),
    host: hostname(),
    token: lockToken(),
    since: new Date().toISOString(),
  };
  const text = JSON.stringify(me);
  const tmp = `${lock}.new-${me.token}`;
  mkdirSync(tmp);
  writeFileSync(join(tmp, "owner.json"), text);
  try {
    renameSync(tmp, lock);
    let done = false;
    return {
      release: () => {
        if (done) return;
        done = true;
        release(lock, text);
      },
    };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    const code = errnoCode(e);
    if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "EISDIR" && code !== "ENOTDIR") {
      throw e;
    }
  }
  const held = readOwner(lock);
  if (held !== null && isStale(held, o)) {
    breakStale(lock, held.text);
    return { held: null };
  }
  return { held };
}

/**
 * Tries to take the lock at `lock` without waiting: breaks a stale lock first. Returns the
 * release function, or `null` when another live process holds the lock. Where no lock can be
 * made at all (a read-only directory, …) it returns a release that does nothing, so that
 * callers for whom the lock is an optimisation proceed without it.
 *
 * @example
 * ```ts
 * import { tryLock } from "./lock.ts";
 * const release = tryLock("/tmp/k.lock");
 * release?.();
 * ```
 */
export function tryLock(lock: string, options: StaleOptions = {}): (() => void) | null {
  for (let round = 0; round < 3; round++) {
    let a: Attempt;
    try {
      a = attempt(lock, options);
    } catch {
      return () => {}; // no locking possible here: proceed
    }
    if ("release" in a) return a.release;
    if (a.held !== null) return null;
  }
  return null;
}

/**
 * Takes the lock at `lock`, waiting (with backoff) until it is free, stale, or the time is up
 * (then throws `timeoutError(holder)`). Resolves to the function that releases it.
 *
 * @example
 * ```ts
 * import { BrmstsError } from "./errors.ts";
 * import { acquireLock } from "./lock.ts";
 * const release = await acquireLock("/tmp/k.lock", {
 *   timeoutError: (who) => new BrmstsError(`held by ${who}`),
 * });
 * release();
 * ```
 */
export async function acquireLock(
  lock: string,
  options: AcquireLockOptions,
): Promise<() => void> {
  const deadline = options.deadline ?? Date.now() + (options.timeoutMs ?? 60_000);
  let delay = 5;
  for (;;) {
    const a = attempt(lock, options);
    if ("release" in a) return a.release;
    if (a.held === null) continue; // released or broken meanwhile: try again at once
    if (Date.now() >= deadline) throw options.timeoutError(describeOwner(a.held.owner));
    await new Promise((res) => setTimeout(res, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 200);
  }
}

/** Names of a lock's temporary directories and asides: `<lock>.(new|stale|released)-<pid>-…`. */
const LEFTOVER = /\.lock\.(?:new|stale|released)-(\d+)-[a-z0-9]+$/;

/**
 * Deletes the temporary directories and asides of locks in `dir` that processes which died
 * left behind.
 *
 * @example
 * ```ts
 * import { sweepLockLeftovers } from "./lock.ts";
 * sweepLockLeftovers("/tmp");
 * ```
 */
export function sweepLockLeftovers(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const m = name.match(LEFTOVER);
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) {
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
}
