/**
 * The worker's shared-memory context: leases regions for responses out of its segment pool,
 * maps the main process's request regions, and applies what each request piggybacks (leases
 * the main process released, main segments it destroyed).
 *
 * Name lifetime: a segment's name exists in /dev/shm only between its creation and the main
 * process mapping it; the main process unlinks it on mapping and the worker unlinks it again
 * (idempotently) when the next request arrives, and at exit.
 *
 * @module
 */
import type { LibC, Ptr } from "../../native/mod.ts";
import { fromBase64, toBase64 } from "../wire/region.ts";
import { type BufDesc, INLINE_MAX } from "../wire/format.ts";
import { PeerMaps } from "../wire/shm_peer.ts";
import { type Lease, type PoolOptions, SegmentPool } from "../wire/shm_pool.ts";
import type { Segment } from "../wire/shm_segment.ts";
import { BrmstsInternalError } from "../../errors.ts";

const lineDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * A byte region: an ArrayBuffer over it and its native address.
 *
 * @example
 * ```ts
 * declare const ab: any;
 * declare const ptr: any;
 * const r: Region = { ab, ptr };
 * ```
 */
export interface Region {
  readonly ab: ArrayBuffer;
  readonly ptr: Ptr;
}

/**
 * A region being filled for a response.
 *
 * @example
 * ```ts
 * declare const shm: any;
 * const out = shm.output(1 << 20);
 * new Float64Array(out.ab, 0, 2).set([1, 2]);
 * out.desc();
 * ```
 */
export interface OutRegion extends Region {
  /** Where the main process finds it. */
  desc(): BufDesc;
  /** Gives the region back (the response will not reference it). */
  abandon(): void;
}

/**
 * The fields a request piggybacks for shared memory.
 *
 * @example
 * ```ts
 * declare const shm: any;
 * shm.begin({ leases: [3], drop: ["/brmsts-m7-1-2"] });
 * ```
 */
export interface ShmRequestFields {
  leases?: number[];
  drop?: string[];
  buf?: BufDesc;
}

/**
 * Worker-side shared memory.
 *
 * @example
 * ```ts
 * import { type LibC } from "../../native/mod.ts";
 * declare const libc: LibC;
 * declare const request: any;
 * declare const size: any;
 * const shm = new ShmWorker(libc, "/brmsts-w42-");
 * shm.begin(request);
 * const out = shm.output(size);
 * ```
 */
export class ShmWorker {
  readonly #libc: LibC;
  readonly pool: SegmentPool;
  readonly #peers: PeerMaps;
  #sent: Segment[] = [];
  #input: BufDesc | undefined;

  constructor(libc: LibC, prefix: string, opts?: PoolOptions) {
    this.#libc = libc;
    this.pool = new SegmentPool(libc, prefix, opts);
    this.#peers = new PeerMaps(libc);
  }

  /** Applies a request's piggybacked fields; call before handling it. */
  begin(req: ShmRequestFields): void {
    for (const s of this.#sent.splice(0)) s.unlink();
    for (const id of req.leases ?? []) this.pool.release(id);
    for (const name of req.drop ?? []) this.#peers.drop(name);
    this.#input = req.buf;
  }

  /**
   * The text of a request line the main process put in shared memory (see `ShmMain.wrapLine`).
   * Call before {@link ShmWorker.begin} of the request it holds.
   */
  line(b: BufDesc): string {
    if (!("seg" in b)) throw new BrmstsInternalError("internal: a request line is never inline");
    const seg = this.#peers.get(b.seg, b.cap);
    return lineDecoder.decode(new Uint8Array(seg.view(b.off, b.len)));
  }

  /** The current request's region (null when it has none). */
  input(): Region | null {
    const b = this.#input;
    if (!b) return null;
    if ("inline" in b) {
      const ab = fromBase64(b.inline);
      return { ab, ptr: this.#libc.native.ptrOf(new Uint8Array(ab)) };
    }
    const seg = this.#peers.get(b.seg, b.cap);
    return { ab: seg.view(b.off, b.len), ptr: seg.at(b.off) };
  }

  /** A region of `size` bytes for a response: inline when tiny, else a pooled segment. */
  output(size: number): OutRegion {
    const native = this.#libc.native;
    if (size <= INLINE_MAX) {
      // An ArrayBuffer (never a small on-heap typed array): its memory does not move under memcpy.
      const ab = new ArrayBuffer(Math.max(size, 1));
      const u8 = new Uint8Array(ab);
      return {
        ab,
        ptr: native.ptrOf(u8),
        desc: () => ({ inline: toBase64(u8.subarray(0, size)) }),
        abandon: () => {},
      };
    }
    const lease: Lease = this.pool.lease(size);
    const seg = lease.seg;
    return {
      ab: seg.buffer(),
      ptr: seg.ptr,
      desc: () => {
        if (seg.linked) this.#sent.push(seg);
        return { seg: seg.name, cap: seg.cap, off: 0, len: size, lease: lease.id };
      },
      abandon: () => this.pool.release(lease.id),
    };
  }

  /** Segments destroyed since the last response (the main process unmaps its side). */
  takeDropped(): string[] {
    return this.pool.takeDropped();
  }

  /** Unlinks and unmaps everything this worker created (exit). */
  close(): void {
    for (const s of this.#sent.splice(0)) s.unlink();
    this.pool.close();
    this.#peers.dropAll();
  }
}
