/**
 * A cross-process lock on the brmsts home, so that two processes changing environments at once
 * cannot corrupt state: the lock `<home>/.lock` of `lock.ts` (the one cross-process lock of
 * brmsts; its module doc says how it is taken, broken and released), with a queue in front so
 * that callers in this process poll it one at a time.
 *
 * @module
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { pidAlive } from "../native/process.ts";
import { acquireLock } from "../lock.ts";
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
  const release = await acquireLock(lock, {
    staleMs: opts.staleMs ?? 600_000,
    deadline,
    timeoutError: (who) =>
      new EnvironmentLockError(
        `timed out after ${timeoutMs} ms waiting for the brmsts lock ${lock}, held by ${who}; ` +
          `if that process is gone, delete ${lock}`,
        lock,
        who,
      ),
  });
  sweep(home);
  return release;
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
