/**
 * Worker side I/O, all synchronous through libc: a line reader on the request FIFO and a locked writer on
 * the private protocol fd (shared by the host thread and the watcher thread).
 *
 * @module
 */
import type { LibC } from "../native/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Slots of the shared control array: the write lock, the running request id, and whether the
 * watcher raised R's interrupt flag for it.
 */
export const LOCK = 0, CURRENT = 1, INTERRUPTED = 2;

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

/** Reads newline-terminated lines from an fd with blocking reads. */
export class LineReader {
  #buf = new Uint8Array(1 << 16);
  #pending = "";
  constructor(private readonly libc: LibC, private readonly fd: number) {}

  /** The next line, or null at end of input. */
  next(): string | null {
    for (;;) {
      const nl = this.#pending.indexOf("\n");
      if (nl >= 0) {
        const line = this.#pending.slice(0, nl);
        this.#pending = this.#pending.slice(nl + 1);
        return line;
      }
      const n = Number(this.libc.fns.read(this.fd, this.#buf, BigInt(this.#buf.length)));
      if (n <= 0) return null;
      this.#pending += decoder.decode(this.#buf.subarray(0, n), { stream: true });
    }
  }
}
