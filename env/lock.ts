/**
 * A cross-process lock on the brmsts home, so that two processes changing environments at once
 * cannot corrupt state.
 *
 * The lock is the directory `<home>/.lock` holding `owner.json` (pid, process start time, host,
 * a random token). It is taken atomically by renaming a fully written temporary directory onto
 * that name (rename fails when the target is a non-empty directory), so a lock never exists
 * without its owner record. A lock whose owner process is gone (or whose pid was reused by a
 * process with another start time) is stale and is broken; locks of other hosts are trusted for
 * `staleMs`. Works in Deno and Bun through node:fs.
 *
 * @module
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
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

function readOwner(dir: string): { text: string; owner: Owner | null } | null {
  let text: string;
  try {
    text = readFileSync(join(dir, "owner.json"), "utf8");
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return existsSync(dir) ? { text: "", owner: null } : null;
    throw e;
  }
  try {
    return { text, owner: JSON.parse(text) as Owner };
  } catch {
    return { text, owner: null };
  }
}

function isStale(owner: Owner | null, staleMs: number): boolean {
  if (!owner || typeof owner.pid !== "number") return true; // written by hand, or garbage
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
    if (isStale(held.owner, staleMs)) {
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

function release(lock: string, text: string): void {
  const aside = `${lock}.released-${token()}`;
  try {
    const cur = readFileSync(join(lock, "owner.json"), "utf8");
    if (cur !== text) return; // not ours any more (broken as stale): leave it alone
    renameSync(lock, aside);
  } catch {
    return;
  }
  rmSync(aside, { recursive: true, force: true });
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
