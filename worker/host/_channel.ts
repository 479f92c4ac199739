/**
 * Worker side I/O, all synchronous through libc: a line reader on the request FIFO and a
 * locked writer on the private protocol fd (shared by the host thread and the watcher thread).
 *
 * @module
 */
import { readdirSync, rmSync } from "node:fs";
import process from "node:process";
import { type LibC, POLLIN } from "../../native/mod.ts";

const encoder = new TextEncoder();
// ignoreBOM: a string or console text that begins with U+FEFF keeps it.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Slots of the shared control array: the write lock, the running request id, whether the
 * watcher raised R's interrupt flag for it, and the id of the last request the client aborted
 * (which may still wait in the channel while the worker is busy).
 */
export const LOCK = 0, CURRENT = 1, INTERRUPTED = 2, ABORTED = 3;

/** Serialises whole-message writes to one fd across threads with an Atomics lock. */
export class LockedWriter {
  constructor(
    private readonly libc: LibC,
    private readonly fd: number,
    private readonly ctl: Int32Array,
  ) {}

  /**
   * Writes one JSON line. Returns false when the write failed: the client is gone (nobody
   * reads the channel any more), which the host takes as the end of its service.
   */
  send(msg: unknown): boolean {
    const bytes = encoder.encode(JSON.stringify(msg) + "\n");
    while (Atomics.compareExchange(this.ctl, LOCK, 0, 1) !== 0) Atomics.wait(this.ctl, LOCK, 1, 5);
    try {
      this.libc.writeAll(this.fd, bytes);
      return true;
    } catch {
      return false;
    } finally {
      Atomics.store(this.ctl, LOCK, 0);
      Atomics.notify(this.ctl, LOCK, 1);
    }
  }
}

/**
 * Reads newline-terminated lines from an fd with blocking reads. Before it blocks, it polls the
 * fd for up to `spinMs`: a caller that sends its next request right after the last reply (the
 * usual pattern of many small calls) then finds this thread awake on a warm core instead of
 * waiting for the scheduler to wake it, which halves the worker's share of a round trip.
 */
export class LineReader {
  #buf = new Uint8Array(1 << 16);
  #pending = "";
  readonly #pollfd = new Int32Array(2);
  constructor(
    private readonly libc: LibC,
    private readonly fd: number,
    private readonly spinMs = 0,
  ) {
    this.#pollfd[0] = fd;
    this.#pollfd[1] = POLLIN; // events (low half; revents, the high half, starts at 0)
  }

  /** The next line, or null at end of input. */
  next(): string | null {
    for (;;) {
      const nl = this.#pending.indexOf("\n");
      if (nl >= 0) {
        const line = this.#pending.slice(0, nl);
        this.#pending = this.#pending.slice(nl + 1);
        return line;
      }
      if (this.spinMs > 0) this.#spin();
      const n = Number(this.libc.fns.read(this.fd, this.#buf, BigInt(this.#buf.length)));
      if (n <= 0) return null;
      this.#pending += decoder.decode(this.#buf.subarray(0, n), { stream: true });
    }
  }

  /** True when no input is buffered or arrives within `ms`. */
  idle(ms: number): boolean {
    return !this.#pending.includes("\n") && this.libc.fns.poll(this.#pollfd, 1n, ms) === 0;
  }

  /** Polls without blocking until the fd is readable (or hung up) or the spin time is over. */
  #spin(): void {
    const end = performance.now() + this.spinMs;
    do {
      if (this.libc.fns.poll(this.#pollfd, 1n, 0) !== 0) return;
    } while (performance.now() < end);
  }
}

/**
 * What an orphaned worker removes before it ends (its client died, possibly by SIGKILL, so
 * nobody else will): the private TMPDIR the client made for it (R's temp dir and whatever R's
 * children left: a compiler's cc*.s), this worker's shared-memory names (a response that was
 * never mapped), and the dead client's names (requests never mapped). Never throws.
 */
export function orphanCleanup(workerPid: number): void {
  const tmp = process.env.BRMSTS_TMPDIR;
  try {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  } catch { /* best effort */ }
  const prefixes = [`brmsts-w${workerPid}-`];
  const main = process.env.BRMSTS_MAIN_PID;
  if (main) prefixes.push(`brmsts-m${main}-`);
  try {
    for (const name of readdirSync("/dev/shm")) {
      if (prefixes.some((p) => name.startsWith(p))) rmSync(`/dev/shm/${name}`, { force: true });
    }
  } catch { /* no /dev/shm */ }
}
