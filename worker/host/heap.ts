/**
 * Worker side: the C heap policy of a call. R allocates every large vector with `malloc`, and
 * glibc serves allocations above its mmap threshold (at most 32 MB) with fresh `mmap`s that
 * `free` unmaps again, so a loop of calls that each allocate and drop chunk-sized matrices
 * faults in fresh pages every time (measured: half of a chunked `posterior_epred` pass was
 * system time). Under `reuse`, the heap keeps what R frees (no mmap, no trim) and the next call
 * reuses it; leaving `reuse` restores glibc's defaults and returns free heap memory to the OS.
 *
 * @module
 */
import { type LibC, M_MMAP_MAX, M_TRIM_THRESHOLD } from "../../native/mod.ts";
import type { HeapPolicy } from "../wire/protocol.ts";

/** glibc's defaults, restored when a `reuse` stretch ends. */
const DEFAULT_MMAP_MAX = 65536, DEFAULT_TRIM_THRESHOLD = 128 * 1024;
/** Free memory the heap may keep at its top while reusing. */
const REUSE_TRIM_THRESHOLD = 1 << 30;

/**
 * Tracks whether the heap is in `reuse` mode and switches glibc's malloc in and out of it.
 *
 * @example
 * ```ts
 * import { loadLibC } from "../../native/mod.ts";
 * const heap = new Heap(await loadLibC());
 * heap.before("reuse"); // chunk 1 … n - 1
 * heap.before("release"); // the last chunk
 * heap.after("release"); // free heap memory back to the OS
 * ```
 */
export class Heap {
  readonly #libc: LibC;
  #reusing = false;

  constructor(libc: LibC) {
    this.#libc = libc;
  }

  /** Before a request: enter reuse for a policy, leave it for a request without one. */
  before(policy: HeapPolicy | undefined): void {
    if (policy) {
      if (this.#reusing) return;
      const f = this.#libc.fns;
      // Both succeed on glibc; where they do not (another libc), the call runs as usual.
      if (f.mallopt(M_MMAP_MAX, 0) === 1 && f.mallopt(M_TRIM_THRESHOLD, REUSE_TRIM_THRESHOLD)) {
        this.#reusing = true;
      }
    } else this.#leave();
  }

  /** After a request: a `release` call leaves reuse once it is done. */
  after(policy: HeapPolicy | undefined): void {
    if (policy === "release") this.#leave();
  }

  #leave(): void {
    if (!this.#reusing) return;
    this.#reusing = false;
    const f = this.#libc.fns;
    f.mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX);
    f.mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD);
    f.malloc_trim(0n);
  }
}
