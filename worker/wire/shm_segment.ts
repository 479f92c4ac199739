/**
 * One POSIX shared-memory segment mapped into this process. The file descriptor is closed as
 * soon as the mapping exists (a mapping does not need it), so segments cost no descriptors.
 * Imports only `native/`: usable by both processes.
 *
 * @module
 */
import { statfsSync } from "node:fs";
import type { LibC, Ptr } from "../../native/mod.ts";
import { BrmstsInternalError, BrmstsRangeError, BrmstsSystemError } from "../../errors.ts";

let counter = 0;

/**
 * Regions at least this large are pre-faulted ({@link Segment.prefault}).
 *
 * @example
 * ```ts
 * declare const size: number;
 * const prefaulted = size >= PREFAULT_MIN;
 * ```
 */
export const PREFAULT_MIN = 1 << 20;

/**
 * A fresh, unique segment name under `prefix` (`/brmsts-w123-` → `/brmsts-w123-7`).
 *
 * @example
 * ```ts
 * segmentName("/brmsts-w42-"); // "/brmsts-w42-1"
 * ```
 */
export function segmentName(prefix: string): string {
  return `${prefix}${++counter}`;
}

/**
 * Bytes free in /dev/shm (Infinity when it cannot be measured).
 *
 * @example
 * ```ts
 * declare const size: any;
 * if (size > shmFree()) throw new RangeError("too large");
 * ```
 */
export function shmFree(): number {
  try {
    const s = statfsSync("/dev/shm");
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return Infinity;
  }
}

/**
 * A mapped segment. `cap` bytes at `ptr`; `linked` while its name exists in /dev/shm.
 *
 * @example
 * ```ts
 * import { type LibC } from "../../native/mod.ts";
 * declare const libc: LibC;
 * const s = Segment.create(libc, segmentName("/brmsts-m1-"), 1 << 20);
 * new Uint8Array(s.buffer())[0] = 1;
 * ```
 */
export class Segment {
  #ab: ArrayBuffer | undefined;
  #mapped = true;

  private constructor(
    readonly libc: LibC,
    readonly name: string,
    readonly cap: number,
    readonly ptr: Ptr,
    public linked: boolean,
  ) {}

  /**
   * Creates, sizes and maps a new segment (the name stays linked until the peer maps it).
   *
   * @throws {RangeError} when /dev/shm has less than `cap` bytes free.
   * @example
   * ```ts
   * import { type LibC } from "../../native/mod.ts";
   * declare const libc: LibC;
   * const s = Segment.create(libc, segmentName("/brmsts-m1-"), 1 << 20);
   * ```
   */
  static create(libc: LibC, name: string, cap: number): Segment {
    const free = shmFree();
    if (cap > free) {
      throw new BrmstsRangeError(
        `not enough shared memory: ${fmt(cap)} needed, ${fmt(free)} free in /dev/shm`,
      );
    }
    const fd = libc.shmOpen(name, true);
    try {
      if (libc.fns.ftruncate(fd, BigInt(cap)) !== 0) {
        throw new BrmstsSystemError(`ftruncate(${name}, ${cap}) failed: ${libc.lastError()}`);
      }
      const ptr = libc.mapFd(fd, cap);
      return new Segment(libc, name, cap, ptr, true);
    } catch (e) {
      libc.shmUnlink(name);
      throw e;
    } finally {
      libc.fns.close(fd);
    }
  }

  /**
   * Maps a segment the peer created and removes its name at once.
   *
   * @example
   * ```ts
   * import { type LibC } from "../../native/mod.ts";
   * declare const libc: LibC;
   * const s = Segment.open(libc, "/brmsts-w42-3", 65536);
   * ```
   */
  static open(libc: LibC, name: string, cap: number): Segment {
    const fd = libc.shmOpen(name, false);
    try {
      const ptr = libc.mapFd(fd, cap);
      return new Segment(libc, name, cap, ptr, false);
    } finally {
      libc.fns.close(fd);
      libc.shmUnlink(name);
    }
  }

  /** True until {@link unmap}. */
  get mapped(): boolean {
    return this.#mapped;
  }

  /** An ArrayBuffer over the whole segment, for this module's own short-lived views. */
  buffer(): ArrayBuffer {
    if (!this.#mapped) throw new BrmstsInternalError(`segment ${this.name} is unmapped`);
    return this.#ab ??= this.libc.native.view(this.ptr, this.cap);
  }

  /** A fresh ArrayBuffer over `len` bytes at `off` (one per lease: its lifetime is tracked). */
  view(off: number, len: number): ArrayBuffer {
    if (!this.#mapped) throw new BrmstsInternalError(`segment ${this.name} is unmapped`);
    return this.libc.native.view(this.libc.native.offset(this.ptr, off), len);
  }

  /** The address `off` bytes into the segment. */
  at(off: number): Ptr {
    return off === 0 ? this.ptr : this.libc.native.offset(this.ptr, off);
  }

  /**
   * Backs the first `len` bytes now, in one system call, instead of one page fault per page on
   * first touch (`write`: fresh pages for a writer; else the creator's pages, for a reader).
   * Page faults are what a first transfer pays for; on virtual machines each costs microseconds.
   * Small regions are left alone (faulting a few pages is cheaper than the call).
   */
  prefault(len: number, write: boolean): void {
    if (!this.#mapped || len < PREFAULT_MIN) return;
    this.libc.prefault(this.ptr, Math.min(len, this.cap), write);
  }

  /** Removes the name from /dev/shm (idempotent). */
  unlink(): void {
    if (!this.linked) return;
    this.linked = false;
    this.libc.shmUnlink(this.name);
  }

  /**
   * Unmaps the memory. Only call when no JS view on it can be used again: the internal buffer is
   * detached first so stale internal views read as empty instead of faulting.
   */
  unmap(): void {
    if (!this.#mapped) return;
    this.#mapped = false;
    const ab = this.#ab;
    this.#ab = undefined;
    detach(ab);
    this.libc.fns.munmap(this.ptr, BigInt(this.cap));
  }
}

/**
 * Detaches an ArrayBuffer (views on it become length 0); ignores buffers that cannot be.
 *
 * @example
 * ```ts
 * declare const ab: any;
 * detach(ab); // ab.byteLength === 0 afterwards
 * ```
 */
export function detach(ab: ArrayBuffer | undefined): void {
  if (!ab || ab.byteLength === 0) return;
  try {
    // deno-lint-ignore no-explicit-any
    (ab as any).transfer(0);
  } catch { /* not detachable: callers never touch it again */ }
}

function fmt(n: number): string {
  return n === Infinity ? "unlimited" : `${(n / 1048576).toFixed(1)} MiB`;
}
