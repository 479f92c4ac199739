/**
 * The creator's side of shared memory: a pool of segments handed out as leases (one lease =
 * one whole segment = one transfer). Released segments are kept mapped for reuse, so repeated
 * large transfers do not pay first-touch page faults again; beyond a budget the oldest free
 * segments are destroyed and reported through {@link SegmentPool.takeDropped} so the peer can
 * unmap its side.
 *
 * @module
 */
import type { LibC } from "../../native/mod.ts";
import { Segment, segmentName } from "./shm_segment.ts";

/**
 * A segment handed out for one transfer.
 *
 * @example
 * ```ts
 * declare const pool: any;
 * const lease: Lease = pool.lease(1000);
 * pool.release(lease.id);
 * ```
 */
export interface Lease {
  readonly id: number;
  readonly seg: Segment;
  readonly size: number;
}

/**
 * Pool limits.
 *
 * @example
 * ```ts
 * import { type LibC } from "../../native/mod.ts";
 * declare const libc: LibC;
 * new SegmentPool(libc, "/brmsts-w42-", { keepBytes: 256 << 20 });
 * ```
 */
export interface PoolOptions {
  /** Free bytes kept for reuse (default 1 GiB or `BRMSTS_SHM_POOL_MB`). */
  keepBytes?: number;
  /** Free segments kept for reuse (default 8). */
  keepCount?: number;
  /** Smallest segment created (default 64 KiB). */
  minCap?: number;
}

const MiB = 1048576;

/**
 * Rounds a size up to a segment capacity: powers of two, then 1/8 steps (≤ 12.5% waste).
 *
 * @example
 * ```ts
 * capacityFor(100, 65536); // 65536
 * ```
 */
export function capacityFor(size: number, minCap: number): number {
  if (size <= minCap) return minCap;
  let p = minCap;
  while (p < size) p *= 2;
  if (p <= 16 * MiB) return p;
  const step = p / 16;
  return Math.ceil(size / step) * step;
}

function envKeepBytes(): number {
  // deno-lint-ignore no-explicit-any
  const env = (globalThis as any).process?.env ?? {};
  const mb = Number(env.BRMSTS_SHM_POOL_MB);
  return Number.isFinite(mb) && mb >= 0 ? mb * MiB : 1024 * MiB;
}

/**
 * Segments this process created, leased out or free for reuse.
 *
 * @example
 * ```ts
 * import { type LibC } from "../../native/mod.ts";
 * declare const libc: LibC;
 * const pool = new SegmentPool(libc, "/brmsts-w42-");
 * const lease = pool.lease(8e8);
 * pool.release(lease.id); // kept mapped for the next transfer
 * ```
 */
export class SegmentPool {
  readonly #libc: LibC;
  readonly #prefix: string;
  readonly #keepBytes: number;
  readonly #keepCount: number;
  readonly #minCap: number;
  readonly #busy = new Map<number, Lease>();
  #free: Segment[] = []; // oldest first
  #dropped: string[] = [];
  #next = 1;

  constructor(libc: LibC, prefix: string, opts: PoolOptions = {}) {
    this.#libc = libc;
    this.#prefix = prefix;
    this.#keepBytes = opts.keepBytes ?? envKeepBytes();
    this.#keepCount = opts.keepCount ?? 8;
    this.#minCap = opts.minCap ?? 64 * 1024;
  }

  /**
   * A segment of at least `size` bytes: the smallest free one that is not wastefully large, or
   * a new one.
   *
   * @throws {RangeError} when /dev/shm cannot hold a new segment.
   */
  lease(size: number): Lease {
    let best = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const c = this.#free[i].cap;
      if (
        c >= size && c <= Math.max(4 * size, this.#minCap * 4) &&
        (best < 0 || c < this.#free[best].cap)
      ) best = i;
    }
    let seg: Segment;
    if (best >= 0) seg = this.#free.splice(best, 1)[0];
    else {
      seg = this.#create(size);
      seg.prefault(size, true);
    }
    const lease = { id: this.#next++, seg, size };
    this.#busy.set(lease.id, lease);
    return lease;
  }

  #create(size: number): Segment {
    const cap = capacityFor(size, this.#minCap);
    try {
      return Segment.create(this.#libc, segmentName(this.#prefix), cap);
    } catch (e) {
      // Free memory held for reuse and try once more.
      if (!this.#free.length) throw e;
      this.#trim(0, 0);
      return Segment.create(this.#libc, segmentName(this.#prefix), cap);
    }
  }

  /** Returns a lease's segment to the pool (unknown ids are ignored). */
  release(id: number): void {
    const lease = this.#busy.get(id);
    if (!lease) return;
    this.#busy.delete(id);
    this.#free.push(lease.seg);
    this.#trim(this.#keepBytes, this.#keepCount);
  }

  /** Destroys free segments matching `pred` (e.g. those a dead peer had mapped). */
  destroyFree(pred: (s: Segment) => boolean): void {
    const keep: Segment[] = [];
    for (const s of this.#free) pred(s) ? this.#destroy(s) : keep.push(s);
    this.#free = keep;
  }

  #trim(bytes: number, count: number): void {
    let total = this.#free.reduce((a, s) => a + s.cap, 0);
    while (this.#free.length && (total > bytes || this.#free.length > count)) {
      const s = this.#free.shift()!;
      total -= s.cap;
      this.#destroy(s);
    }
  }

  #destroy(s: Segment): void {
    s.unlink();
    s.unmap();
    this.#dropped.push(s.name);
  }

  /** Names of segments destroyed since the last call (the peer should unmap them). */
  takeDropped(): string[] {
    return this.#dropped.splice(0);
  }

  /** The lease with this id, if busy. */
  get(id: number): Lease | undefined {
    return this.#busy.get(id);
  }

  /** Busy leases. */
  busy(): IterableIterator<Lease> {
    return this.#busy.values();
  }

  /** Counts for diagnostics and tests. */
  stats(): { busy: number; free: number; freeBytes: number } {
    return {
      busy: this.#busy.size,
      free: this.#free.length,
      freeBytes: this.#free.reduce((a, s) => a + s.cap, 0),
    };
  }

  /** Unlinks and unmaps everything (process exit). */
  close(): void {
    for (const l of this.#busy.values()) (l.seg.unlink(), l.seg.unmap());
    for (const s of this.#free) (s.unlink(), s.unmap());
    this.#busy.clear();
    this.#free = [];
  }
}
