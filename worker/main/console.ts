/**
 * Where a worker's console output goes: the running call's `onLog`, every subscribed
 * listener, and the host's stderr unless silenced. A listener's error never breaks the
 * protocol.
 *
 * @module
 */
import process from "node:process";
import type { LogEntry } from "./types.ts";

/**
 * Routes one client's console entries.
 *
 * @example
 * ```ts
 * const router = new ConsoleRouter();
 * router.mode = "silent";
 * const off = router.subscribe((e) => console.log(e.text));
 * router.emit({ stream: "stdout", text: "hi\n" });
 * off();
 * ```
 */
export class ConsoleRouter {
  /** `stderr` (default): entries are also written to the host's stderr; `silent`: not. */
  mode: "stderr" | "silent" = "stderr";
  readonly #listeners = new Set<(e: LogEntry) => void>();

  /** Adds a listener; returns the unsubscribe function. */
  subscribe(listener: (e: LogEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Delivers an entry: to `call.onLog` when it belongs to that call (or names no call), to
   * every listener, and to stderr unless silent.
   */
  emit(entry: LogEntry, call?: { id: number; onLog?: (e: LogEntry) => void }): void {
    if (call?.onLog && (entry.callId === undefined || entry.callId === call.id)) {
      try {
        call.onLog(entry);
      } catch { /* a listener's error must not break the protocol */ }
    }
    for (const l of this.#listeners) {
      try {
        l(entry);
      } catch { /* ignore */ }
    }
    if (this.mode === "stderr") process.stderr.write(entry.text);
  }
}
