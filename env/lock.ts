/**
 * A cross-process lock on the brmsts home, so that two processes changing environments at once
 * cannot corrupt state.
 *
 * The lock is the directory `<home>/.lock` holding `owner.json` (pid, process start time, host,
 * a random token). It is taken atomically by renaming a fully written temporary directory onto
 * that name (rename fails when the target is a non-empty directory), so a lock never exists
 * without its owner record. A lock whose owner process is gone (or whose pid was reused by a
 * process with another start time) is stale and is broken; locks of other hosts are trusted for
 * `staleMs`; a lock without a valid record (made by hand) is broken once it is 2 s old.
 * Breaking renames the lock aside to check it and puts it back if it changed hands meanwhile,
 * so a release looks for its lock there too, and a lock of this process put back after its
 * release counts as stale. Works in Deno and Bun through node:fs.
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
import { pidAlive } from "../native/process.ts";
import { errnoCode, sleep, token } from "./store/fs.ts";
import { EnvironmentLockError } from "./store/errors.ts";
import { brmstsHome } from "./store/home.ts";

/**
 * Options of {@link withHomeLock}.
 *
 * @example
 * ```ts
 * await withHomeLock(() => {}, { timeoutMs: 5000 } satisfies LockOptions);
 * ```
 */
export interface LockOptions {
  /** How long to wait for the lock before failing (ms, default 60 000). */
  timeoutMs?: number;
  /** Age after which a lock of another host counts as stale (ms, default 10 minutes). */
  staleMs?: number;
}

interface Owner {
  pid: number;
  start: string | null;
  host: string;
  token: string;
  since: string;
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

interface Held {
  /** The owner record as read (empty when there is none). */
  text: string;
  /** The parsed record, or null when it is missing or not valid JSON. */
  owner: Owner | null;
  /**
   * Null when the record is valid; otherwise the time since the lock directory was last
   * modified (ms).
   */
  ageMs: number | null;
}

function readOwner(dir: string): Held | null {
  let text = "";
  let owner: Owner | null = null;
  try {
    text = readFileSync(join(dir, "owner.json"), "utf8");
    owner = JSON.parse(text) as Owner;
    if (owner && typeof owner.pid === "number") return { text, owner, ageMs: null };
  } catch (e) {
    if (errnoCode(e) !== "ENOENT" && !(e instanceof SyntaxError)) throw e;
  }
  // No valid record. The directory is looked at after the record, so a lock released and taken
  // again between the two looks is aged as the fresh lock it now is.
  try {
    return { text, owner, ageMs: Date.now() - statSync(dir).mtimeMs };
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return null;
    throw e;
  }
}

/**
 * How long a lock without a valid owner record must stay so before it is broken. Our own locks
 * always carry their record (the directory is renamed into place whole), but a lock released
 * and taken again between two reads looks record-less for a moment: breaking it then would
 * move a live holder's lock away.
 */
const OWNERLESS_GRACE_MS = 2000;

function isStale(held: Held, staleMs: number): boolean {
  if (held.ageMs !== null) return held.ageMs > OWNERLESS_GRACE_MS;
  const owner = held.owner!;
  if (released.has(held.text)) return true; // ours, released while set aside by a breaker
  if (owner.host !== hostname()) return Date.now() - Date.parse(owner.since) > staleMs;
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
  const aside = `${lock}.stale-${token()}`;
  try {
    renameSync(lock, aside);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return; // someone else broke or released it
    throw e;
  }
  let text = "";
  try {
    text = readFileSync(join(aside, "owner.json"), "utf8");
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

/**
 * Takes the home lock; resolves to the function that releases it.
 *
 * @example
 * ```ts
 * declare const writeSomething: any;
 * const release = await acquireHomeLock();
 * try { writeSomething(); } finally { release(); }
 * ```
 */
export async function acquireHomeLock(opts: LockOptions = {}): Promise<() => void> {
  // Callers in this process queue here first, so only one of them polls the file-system lock.
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const prev = queue;
  let next!: () => void;
  queue = new Promise<void>((res) => next = res);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const first = await Promise.race([
    prev.then(() => "ready" as const),
    new Promise<"timeout">((res) => timer = setTimeout(() => res("timeout"), timeoutMs)),
  ]);
  clearTimeout(timer);
  if (first === "timeout") {
    prev.then(next); // keep the queue order for later callers
    const lock = join(brmstsHome(), ".lock");
    const who = `another caller in this process (pid ${process.pid})`;
    throw new EnvironmentLockError(
      `timed out after ${timeoutMs} ms waiting for the brmsts lock ${lock}, held by ${who}`,
      lock,
      who,
    );
  }
  try {
    const releaseFs = await acquireFsLock(opts, timeoutMs, deadline);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      try {
        releaseFs();
      } finally {
        next();
      }
    };
  } catch (e) {
    next();
    throw e;
  }
}

let queue: Promise<void> = Promise.resolve();

async function acquireFsLock(
  opts: LockOptions,
  timeoutMs: number,
  deadline: number,
): Promise<() => void> {
  const home = brmstsHome();
  mkdirSync(home, { recursive: true });
  const lock = join(home, ".lock");
  const staleMs = opts.staleMs ?? 600_000;
  const me: Owner = {
    pid: process.pid,
    start: processStart(process.pid),
    host: hostname(),
    token: token(),
    since: "",
  };
  let delay = 5;
  for (;;) {
    me.since = new Date().toISOString();
    const text = JSON.stringify(me);
    const tmp = `${lock}.new-${me.token}`;
    mkdirSync(tmp);
    writeFileSync(join(tmp, "owner.json"), text);
    try {
      renameSync(tmp, lock);
      sweep(home);
      return () => release(lock, text);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      const code = errnoCode(e);
      if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "EISDIR") throw e;
    }
    const held = readOwner(lock);
    if (held === null) continue; // released meanwhile
    if (isStale(held, staleMs)) {
      breakStale(lock, held.text);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = describeOwner(held.owner);
      throw new EnvironmentLockError(
        `timed out after ${timeoutMs} ms waiting for the brmsts lock ${lock}, held by ${who}; ` +
          `if that process is gone, delete ${lock}`,
        lock,
        who,
      );
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 200);
  }
}

const LEFTOVER = /^\.(?:lock\.(?:new|stale|released)-|state\.json\.)(\d+)-[a-z0-9]+(?:\.tmp)?$/;

/** Deletes temporary lock and state files that processes which died left in the home. */
function sweep(home: string): void {
  let entries: string[];
  try {
    entries = readdirSync(home);
  } catch {
    return;
  }
  for (const name of entries) {
    const m = name.match(LEFTOVER);
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) {
      rmSync(join(home, name), { recursive: true, force: true });
    }
  }
}

/**
 * Owner records of locks this process released, the newest 16. A breaker that set our lock
 * aside while we released it puts it back afterwards; such a lock is recognised here as stale.
 */
const released = new Set<string>();

function release(lock: string, text: string): void {
  released.add(text);
  if (released.size > 16) released.delete(released.values().next().value!);
  // The lock is normally in place; a process breaking what it took for a stale lock may have
  // renamed it to `.lock.stale-*` for a moment, and would put it back: remove it there instead.
  // Two looks, in case it was put back between looking at the lock and at the asides.
  const home = dirname(lock);
  const prefix = `${basename(lock)}.stale-`;
  for (let look = 0; look < 2; look++) {
    if (removeIfOurs(lock, text)) return;
    let names: string[] = [];
    try {
      names = readdirSync(home);
    } catch { /* home gone */ }
    for (const name of names) {
      if (name.startsWith(prefix) && removeIfOurs(join(home, name), text)) return;
    }
  }
}

/** Renames the lock directory `dir` aside and deletes it if it holds the owner record `text`. */
function removeIfOurs(dir: string, text: string): boolean {
  try {
    if (readFileSync(join(dir, "owner.json"), "utf8") !== text) return false;
  } catch {
    return false;
  }
  const aside = join(dirname(dir), `.lock.released-${token()}`);
  try {
    renameSync(dir, aside);
  } catch {
    return false;
  }
  rmSync(aside, { recursive: true, force: true });
  return true;
}

/**
 * Runs `fn` while holding the home lock (other processes and other callers in this process
 * wait). Not re-entrant: do not call it from inside `fn`.
 *
 * @example
 * ```ts
 * import { writeState } from "./store/state.ts";
 * await withHomeLock(() => writeState("dev"));
 * ```
 */
export async function withHomeLock<T>(
  fn: () => T | Promise<T>,
  opts: LockOptions = {},
): Promise<T> {
  const release = await acquireHomeLock(opts);
  try {
    return await fn();
  } finally {
    release();
  }
}
