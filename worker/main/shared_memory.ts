/**
 * The main process's shared-memory transport (one per RWorker client). It neither encodes nor
 * decodes: the client hands it a call's copy plan and decodes results against the regions it
 * opens.
 *
 * Requests: the copy plan runs at send time into a segment of this process's pool (or inline
 * when tiny), returned to the pool when the call settles.
 * Responses: the worker's segment is mapped once (its name unlinked at that moment) and the
 * result's typed arrays are views on it. One response = one lease = one ArrayBuffer: a
 * FinalizationRegistry entry on that buffer returns the lease to the worker (piggybacked on the
 * next request) once every view is gone; {@link releaseShared} does it at once (detaching the
 * buffer, so stale views read as empty instead of reading reused memory). Mappings outlive the
 * worker: results stay valid after a crash or restart.
 *
 * @module
 */
import { readdirSync, rmSync } from "node:fs";
import process from "node:process";
import { type LibC, loadLibC } from "../../native/mod.ts";
import { Categorical } from "../../data/categorical.ts";
import { DataFrame } from "../../data/frame.ts";
import { NdArray } from "../../data/ndarray.ts";
import type { CopyPlan } from "./encode.ts";
import { fromBase64, toBase64 } from "../wire/region.ts";
import { type BufDesc, INLINE_MAX } from "../wire/format.ts";
import { PeerMaps } from "../wire/shm_peer.ts";
import { SegmentPool } from "../wire/shm_pool.ts";
import { detach, type Segment } from "../wire/shm_segment.ts";

/**
 * Results up to this size are copied out of shared memory and their lease returned at once.
 *
 * @example
 * ```ts
 * declare const region: any;
 * const copied = region.byteLength <= COPY_MAX;
 * ```
 */
export const COPY_MAX = 1 << 20;

/**
 * Request lines of at least this many bytes travel through shared memory instead of the channel
 * (the environment variable `BRMSTS_LINE_SHM_MIN` overrides it, for tests).
 *
 * @example
 * ```ts
 * import { LINE_SHM_MIN } from "./shared_memory.ts";
 * declare const line: Uint8Array;
 * const viaShm = line.length >= LINE_SHM_MIN;
 * ```
 */
export const LINE_SHM_MIN = 16 * 1024;

function lineShmMin(): number {
  const v = Number(process.env.BRMSTS_LINE_SHM_MIN);
  return Number.isFinite(v) && v > 0 ? v : LINE_SHM_MIN;
}

const encoder = new TextEncoder();

interface Held {
  owner: ShmMain;
  seg: string;
  lease: number;
  epoch: number;
}

const registry = new FinalizationRegistry<Held>((h) => h.owner.free(h));
const held = new WeakMap<ArrayBuffer, Held>();
const live = new Set<ShmMain>();
/** Name prefixes of workers seen (their names in flight are removed at exit). */
const workerPrefixes = new Set<string>();
let clients = 0;
let exitHooked = false;

/**
 * What a request carries for shared memory.
 *
 * @example
 * ```ts
 * declare const pid: any;
 * declare const plan: any;
 * declare const shm: any;
 * const { fields, done } = shm.prepare(plan, pid); // fields: RequestShm
 * ```
 */
export interface RequestShm {
  leases?: number[];
  drop?: string[];
  buf?: BufDesc;
}

/**
 * A result's bytes, and what to do once its wire tree is decoded (see
 * {@link ShmMain.openResult}).
 *
 * @example
 * ```ts
 * declare const ev: any;
 * declare const shm: any;
 * const { region, settle } = shm.openResult(ev);
 * settle(0); // nothing viewed the region: release it now
 * ```
 */
export interface ResultRegion {
  /** The region the wire tree points into; null when the result has no bulk data. */
  region: ArrayBuffer | null;
  /** Ties the region's lease to the views handed out, or releases it when `views` is 0. */
  settle(views: number): void;
}

/**
 * Main-side shared memory for one worker client.
 *
 * @example
 * ```ts
 * declare const plan: any;
 * declare const workerPid: any;
 * const shm = new ShmMain();
 * await shm.init();
 * const { fields, done } = shm.prepare(plan, workerPid);
 * ```
 */
export class ShmMain {
  #libc?: LibC;
  #pool?: SegmentPool;
  #peers?: PeerMaps;
  readonly #prefix = `/brmsts-m${process.pid}-${++clients}-`;
  readonly #peerOf = new WeakMap<Segment, number>();
  #leases: number[] = [];
  #epoch = 0;

  /** Loads libc (once). Call before the first request is sent. */
  async init(): Promise<void> {
    if (this.#libc) return;
    this.#libc = await loadLibC();
    this.#pool = new SegmentPool(this.#libc, this.#prefix);
    this.#peers = new PeerMaps(this.#libc);
    live.add(this);
    if (!exitHooked) {
      exitHooked = true;
      process.on("exit", () => {
        for (const s of live) s.#unlinkAll();
        removeNames(workerPrefixes);
      });
    }
  }

  /**
   * The shared-memory fields of a request about to be sent to worker `pid`: runs the
   * arguments' copy plan (if any) into the request's region. `done` returns the region once
   * the call has settled.
   */
  prepare(plan: CopyPlan | undefined, pid: number): { fields: RequestShm; done: () => void } {
    const fields: RequestShm = {};
    let done = () => {};
    if (this.#leases.length) fields.leases = this.#leases.splice(0);
    const pool = this.#pool;
    if (!pool) return { fields, done };
    if (plan) {
      if (plan.size <= INLINE_MAX) {
        const u8 = new Uint8Array(plan.size);
        plan.write(u8.buffer);
        fields.buf = { inline: toBase64(u8) };
      } else {
        pool.destroyFree((s) => this.#peerOf.get(s) !== pid);
        const lease = pool.lease(plan.size);
        const seg = lease.seg;
        plan.write(seg.buffer());
        this.#peerOf.set(seg, pid);
        fields.buf = { seg: seg.name, cap: seg.cap, off: 0, len: plan.size };
        done = () => {
          seg.unlink(); // the worker unlinked it on mapping; this catches a worker that died first
          pool.release(lease.id);
        };
      }
    }
    const dropped = pool.takeDropped();
    if (dropped.length) fields.drop = dropped;
    return { fields, done };
  }

  /**
   * A request line too long for the channel: its bytes go into a segment of this process's
   * pool and the line sent names it (`{"id":…,"line":BufDesc}`); `done` returns the segment once
   * the call has settled. Lines shorter than {@link LINE_SHM_MIN} are returned as they are.
   */
  wrapLine(id: number, bytes: Uint8Array, pid: number): { bytes: Uint8Array; done: () => void } {
    const pool = this.#pool;
    if (!pool || bytes.length < lineShmMin()) return { bytes, done: () => {} };
    pool.destroyFree((s) => this.#peerOf.get(s) !== pid);
    const lease = pool.lease(bytes.length);
    const seg = lease.seg;
    new Uint8Array(seg.buffer(), 0, bytes.length).set(bytes);
    this.#peerOf.set(seg, pid);
    const line: BufDesc = { seg: seg.name, cap: seg.cap, off: 0, len: bytes.length };
    return {
      bytes: encoder.encode(JSON.stringify({ id, line }) + "\n"),
      done: () => {
        seg.unlink(); // the worker unlinked it on mapping; this catches a worker that died first
        pool.release(lease.id);
      },
    };
  }

  /**
   * Opens a result's region: maps the worker's segment (once), or copies a small result out
   * and returns its lease at once. The caller decodes the wire tree against `region`, then
   * calls `settle` with the number of typed-array views the decoder handed out: with none the
   * region is released now, otherwise when the garbage collector (or {@link releaseShared})
   * retires the views.
   */
  openResult(ev: { buf?: BufDesc; drop?: string[] }): ResultRegion {
    for (const name of ev.drop ?? []) this.#peers?.drop(name);
    const b = ev.buf;
    if (!b) return { region: null, settle: () => {} };
    if ("inline" in b) return { region: fromBase64(b.inline), settle: () => {} };
    const peers = this.#peers!;
    const m = b.seg.match(/^\/brmsts-w\d+-/);
    if (m) workerPrefixes.add(m[0]);
    let seg: Segment;
    try {
      seg = peers.get(b.seg, b.cap, b.len > COPY_MAX ? b.off + b.len : 0);
    } catch (e) {
      this.#queue(b.lease);
      throw e;
    }
    if (b.len <= COPY_MAX) {
      const region = seg.buffer().slice(b.off, b.off + b.len);
      this.#queue(b.lease);
      return { region, settle: () => {} };
    }
    const ab = seg.view(b.off, b.len);
    peers.retain(b.seg);
    const h: Held = { owner: this, seg: b.seg, lease: b.lease ?? 0, epoch: this.#epoch };
    return {
      region: ab,
      settle: (views) => {
        if (views > 0) {
          held.set(ab, h);
          registry.register(ab, h, ab);
        } else {
          detach(ab);
          this.free(h);
        }
      },
    };
  }

  /** A result that will not be decoded (aborted call): give its lease back. */
  discard(ev: { buf?: BufDesc; drop?: string[] }): void {
    for (const name of ev.drop ?? []) this.#peers?.drop(name);
    const b = ev.buf;
    if (b && "seg" in b) this.#queue(b.lease);
  }

  #queue(lease: number | undefined): void {
    if (lease) this.#leases.push(lease);
  }

  /** Ends a lease: its views are gone (GC) or were released. @internal */
  free(h: Held): void {
    this.#peers?.unretain(h.seg);
    if (h.epoch === this.#epoch) this.#queue(h.lease);
  }

  /**
   * The worker exited: forget its leases and segments, unlink names still in flight (ours, and
   * the worker's under `workerPrefix`, its segment-name prefix).
   */
  afterExit(pid: number | undefined, workerPrefix?: string): void {
    this.#epoch++;
    this.#leases = [];
    this.#peers?.dropAll();
    this.#unlinkAll();
    this.#pool?.destroyFree((s) => pid === undefined || this.#peerOf.get(s) === pid);
    if (workerPrefix) removeNames(new Set([workerPrefix]));
  }

  #unlinkAll(): void {
    const pool = this.#pool;
    if (!pool) return;
    for (const l of pool.busy()) l.seg.unlink();
    pool.destroyFree((s) => s.linked);
  }

  /** Counts for tests and diagnostics. */
  stats(): { pendingLeases: number; peerMappings: number; pool: ReturnType<SegmentPool["stats"]> } {
    return {
      pendingLeases: this.#leases.length,
      peerMappings: this.#peers?.size ?? 0,
      pool: this.#pool?.stats() ?? { busy: 0, free: 0, freeBytes: 0 },
    };
  }
}

/** Removes /dev/shm names starting with any of `prefixes` (names in flight at exit). */
function removeNames(prefixes: Set<string>): void {
  if (!prefixes.size) return;
  try {
    for (const name of readdirSync("/dev/shm")) {
      for (const p of prefixes) {
        if (`/${name}`.startsWith(p)) rmSync(`/dev/shm/${name}`, { force: true });
      }
    }
  } catch { /* no /dev/shm */ }
}

/**
 * Releases the shared memory behind a result now instead of waiting for garbage collection:
 * every typed array of `value` (a typed array, NdArray, Categorical, DataFrame, or arrays and
 * objects holding them) that views a result region is detached (it reads as empty afterwards)
 * and its lease goes back to the worker. Returns how many regions were released.
 *
 * @example
 * ```ts
 * import { evalR } from "../../mod.ts";
 * const x = await evalR("rnorm(1e7)") as Float64Array;
 * console.log(x[0]);
 * releaseShared(x); // x.length is 0 from now on
 * ```
 */
export function releaseShared(value: unknown): number {
  const bufs = new Set<ArrayBuffer>();
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) bufs.add(v.buffer as ArrayBuffer);
    else if (v instanceof Categorical) visit(v.codes);
    else if (v instanceof NdArray) visit(v.data);
    else if (v instanceof DataFrame) v.entries().forEach(([, c]) => visit(c));
    else if (Array.isArray(v)) v.forEach(visit);
    else if (Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach(visit);
  };
  visit(value);
  let n = 0;
  for (const ab of bufs) {
    const h = held.get(ab);
    if (!h) continue;
    held.delete(ab);
    registry.unregister(ab);
    detach(ab);
    h.owner.free(h);
    n++;
  }
  return n;
}
