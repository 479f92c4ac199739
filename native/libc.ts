/**
 * The libc functions brmsts needs: shared memory (both processes) and fds, environment,
 * threads and process control (worker only). Nothing here touches libR.
 *
 * @module
 */
import { cstr, type Native, type Ptr } from "./_types.ts";
import { loadNative } from "./native.ts";
import { BrmstsSystemError } from "../errors.ts";

const DEFS = {
  shm_open: { parameters: ["buf", "i32", "u32"], result: "i32" },
  shm_unlink: { parameters: ["buf"], result: "i32" },
  ftruncate: { parameters: ["i32", "i64"], result: "i32" },
  mmap: { parameters: ["ptr", "usize", "i32", "i32", "i32", "i64"], result: "ptr" },
  munmap: { parameters: ["ptr", "usize"], result: "i32" },
  madvise: { parameters: ["ptr", "usize", "i32"], result: "i32" },
  memcpy: { parameters: ["ptr", "ptr", "usize"], result: "ptr" },
  close: { parameters: ["i32"], result: "i32" },
  read: { parameters: ["i32", "buf", "usize"], result: "i64" },
  write: { parameters: ["i32", "buf", "usize"], result: "i64" },
  dup: { parameters: ["i32"], result: "i32" },
  dup2: { parameters: ["i32", "i32"], result: "i32" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  getpid: { parameters: [], result: "i32" },
  setpgid: { parameters: ["i32", "i32"], result: "i32" },
  kill: { parameters: ["i32", "i32"], result: "i32" },
  signal: { parameters: ["i32", "ptr"], result: "ptr" },
  setenv: { parameters: ["buf", "buf", "i32"], result: "i32" },
  dlopen: { parameters: ["buf", "i32"], result: "ptr" },
  dlsym: { parameters: ["ptr", "buf"], result: "ptr" },
  pthread_self: { parameters: [], result: "u64" },
  pthread_getattr_np: { parameters: ["u64", "buf"], result: "i32" },
  pthread_attr_getstack: { parameters: ["buf", "buf", "buf"], result: "i32" },
  pthread_attr_destroy: { parameters: ["buf"], result: "i32" },
  __errno_location: { parameters: [], result: "ptr" },
  strerror: { parameters: ["i32"], result: "ptr" },
  _exit: { parameters: ["i32"], result: "void" },
  pipe: { parameters: ["buf"], result: "i32" },
  poll: { parameters: ["buf", "u64", "i32"], result: "i32" },
  mkfifo: { parameters: ["buf", "u32"], result: "i32" },
  open: { parameters: ["buf", "i32", "u32"], result: "i32" },
  mallopt: { parameters: ["i32", "i32"], result: "i32" },
  malloc_trim: { parameters: ["usize"], result: "i32" },
} as const;

/** Flag values for Linux x86_64/aarch64 (glibc). */
export const O_RDONLY = 0x0,
  O_WRONLY = 0x1,
  O_RDWR = 0x2,
  O_CREAT = 0x40,
  O_EXCL = 0x80,
  O_NONBLOCK = 0x800,
  O_CLOEXEC = 0x80000;
/** mmap flags. */
export const PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MAP_POPULATE = 0x8000;
/** madvise advice values (Linux). */
export const MADV_HUGEPAGE = 14, MADV_POPULATE_READ = 22, MADV_POPULATE_WRITE = 23;
/** fcntl commands. */
export const F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, FD_CLOEXEC = 1;
/** Signal numbers (Linux). */
export const SIGKILL = 9, SIGBUS = 7, SIGSEGV = 11;
/** poll events. */
export const POLLIN = 1, POLLHUP = 0x10;
/** mallopt parameters (glibc). */
export const M_TRIM_THRESHOLD = -1, M_MMAP_MAX = -4;
/** dlopen flags. */
export const RTLD_LAZY = 1, RTLD_NOLOAD = 4, RTLD_GLOBAL = 0x100;

/** Bound libc plus a few checked helpers. */
export class LibC {
  readonly fns;
  constructor(readonly native: Native) {
    this.fns = native.open("libc.so.6", DEFS);
  }

  /** The message of the current `errno`. */
  lastError(): string {
    const code = this.native.readI32(this.fns.__errno_location());
    return `${this.native.cstring(this.fns.strerror(code))} (errno ${code})`;
  }

  /** Maps `size` bytes of an open fd shared and read-write; throws with errno text on failure. */
  mapFd(fd: number, size: number, populate = false): Ptr {
    const flags = MAP_SHARED | (populate ? MAP_POPULATE : 0);
    const p = this.fns.mmap(null, BigInt(size), PROT_READ | PROT_WRITE, flags, fd, 0n) as Ptr;
    if (this.native.value(p) === 0xffffffffffffffffn || this.native.isNull(p)) {
      throw new BrmstsSystemError(`mmap of ${size} bytes failed: ${this.lastError()}`);
    }
    return p;
  }

  /**
   * Asks for `size` bytes at `ptr` to be backed now (one system call instead of a page fault per
   * 4 KiB page), with huge pages where the kernel allows them for shared memory. Returns false
   * when the kernel cannot (before Linux 5.14); the memory then faults in on first touch.
   */
  prefault(ptr: Ptr, size: number, write: boolean): boolean {
    const n = BigInt(size);
    this.fns.madvise(ptr, n, MADV_HUGEPAGE); // ignored unless shmem THP is "advise" or more
    return this.fns.madvise(ptr, n, write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ) === 0;
  }

  /** Opens a POSIX shared-memory object by name (`/name`). Returns the fd or throws. */
  shmOpen(name: string, create: boolean): number {
    const flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0);
    const fd = this.fns.shm_open(cstr(name), flags, 0o600);
    if (fd < 0) throw new BrmstsSystemError(`shm_open(${name}) failed: ${this.lastError()}`);
    return fd;
  }

  /** Removes a shared-memory name; returns false when it did not exist. */
  shmUnlink(name: string): boolean {
    return this.fns.shm_unlink(cstr(name)) === 0;
  }

  /** Sets an environment variable at the C level (Bun's `process.env` does not reach getenv). */
  setenv(name: string, value: string): void {
    if (this.fns.setenv(cstr(name), cstr(value), 1) !== 0) {
      throw new BrmstsSystemError(`setenv(${name}) failed: ${this.lastError()}`);
    }
  }

  /** Writes all bytes to an fd, retrying short and interrupted writes. */
  writeAll(fd: number, bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) {
      const chunk = off === 0 ? bytes : bytes.subarray(off);
      const n = Number(this.fns.write(fd, chunk, BigInt(chunk.length)));
      if (n < 0) {
        // Interrupted by a signal before anything was written (R's handlers are not
        // SA_RESTART everywhere): try again. Any other failure is final.
        if (this.native.readI32(this.fns.__errno_location()) === 4) continue;
        throw new BrmstsSystemError(`write(fd ${fd}) failed: ${this.lastError()}`);
      }
      off += n;
    }
  }

  /** The [base, size] of the calling thread's stack. */
  threadStack(): { low: bigint; size: bigint } {
    const attr = new Uint8Array(128);
    if (this.fns.pthread_getattr_np(this.fns.pthread_self(), attr) !== 0) {
      throw new BrmstsSystemError("pthread_getattr_np failed");
    }
    const addr = new BigUint64Array(1), size = new BigUint64Array(1);
    const rc = this.fns.pthread_attr_getstack(attr, addr, size);
    this.fns.pthread_attr_destroy(attr);
    if (rc !== 0) throw new BrmstsSystemError("pthread_attr_getstack failed");
    return { low: addr[0], size: size[0] };
  }

  /** Address of a global symbol of an already loaded library. */
  symbolAddress(libPath: string, name: string): Ptr {
    const h = this.fns.dlopen(cstr(libPath), RTLD_LAZY | RTLD_NOLOAD);
    if (this.native.isNull(h)) throw new BrmstsSystemError(`${libPath} is not loaded`);
    const p = this.fns.dlsym(h, cstr(name)) as Ptr;
    if (this.native.isNull(p)) {
      throw new BrmstsSystemError(`symbol ${name} not found in ${libPath}`);
    }
    return p;
  }
}

let cached: LibC | undefined;

/**
 * The process-wide libc binding.
 *
 * @example
 * ```ts
 * const libc = await loadLibC();
 * console.log(libc.fns.getpid());
 * ```
 */
export async function loadLibC(): Promise<LibC> {
  return cached ??= new LibC(await loadNative());
}
