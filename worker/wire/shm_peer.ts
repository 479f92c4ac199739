/**
 * The receiver's side of shared memory: segments the other process created, mapped once (the
 * name is unlinked at that moment) and cached by name so reused segments need no new syscalls.
 * A mapping is unmapped only when its creator dropped it and no lease on it is live here.
 *
 * @module
 */
import type { LibC } from "../../native/mod.ts";
import { Segment } from "./shm_segment.ts";

interface Entry {
  seg: Segment;
  /** Live leases (JS buffers) over this mapping. */
  refs: number;
  /** The creator destroyed it (or died): unmap when refs reach 0. */
  dropped: boolean;
}

/**
 * Segments of the peer process mapped here.
 *
 * @example
 * ```ts
 * import { type LibC } from "../../native/mod.ts";
 * declare const libc: LibC;
 * const peers = new PeerMaps(libc);
 * const seg = peers.get("/brmsts-w42-1", 65536);
 * ```
 */
export class PeerMaps {
  readonly #libc: LibC;
  readonly #map = new Map<string, Entry>();

  constructor(libc: LibC) {
    this.#libc = libc;
  }

  /**
   * The mapping of `name` (opened and unlinked on first use; its first `used` bytes are mapped
   * in at once).
   *
   * @example
   * ```ts
   * declare const peers: any;
   * const seg = peers.get("/brmsts-w42-1", 65536);
   * ```
   */
  get(name: string, cap: number, used = 0): Segment {
    const e = this.#map.get(name);
    if (e && !e.dropped && e.seg.cap >= cap) return e.seg;
    if (e) this.drop(name);
    const seg = Segment.open(this.#libc, name, cap);
    seg.prefault(used, false); // map the creator's pages now, not one fault per page later
    this.#map.set(name, { seg, refs: 0, dropped: false });
    return seg;
  }

  /** Counts a live lease on `name`. */
  retain(name: string): void {
    const e = this.#map.get(name);
    if (e) e.refs++;
  }

  /** Ends a live lease on `name`; unmaps a dropped mapping when none remain. */
  unretain(name: string): void {
    const e = this.#map.get(name);
    if (!e) return;
    e.refs--;
    this.#sweep(name, e);
  }

  /** The creator destroyed `name`: forget it (unmapped once no lease is live). */
  drop(name: string): void {
    const e = this.#map.get(name);
    if (!e) return;
    e.dropped = true;
    this.#sweep(name, e);
  }

  /** Drops every mapping (the peer process is gone). */
  dropAll(): void {
    for (const name of [...this.#map.keys()]) this.drop(name);
  }

  #sweep(name: string, e: Entry): void {
    if (!e.dropped || e.refs > 0) return;
    e.seg.unmap();
    if (this.#map.get(name) === e) this.#map.delete(name);
  }

  /** How many mappings exist (tests). */
  get size(): number {
    return this.#map.size;
  }
}
