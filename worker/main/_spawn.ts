/**
 * Main side: spawns the worker with the runtime's own process API (Deno.Command or Bun.spawn)
 * behind one small interface.
 *
 * @module
 */
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  read,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
  cstr,
  deadOwnerTmpEntries,
  type LibC,
  loadLibC,
  pidAlive,
  SIGKILL,
} from "../../native/mod.ts";
import type { Event } from "../wire/protocol.ts";
import { BrmstsSystemError } from "../../errors.ts";

/** How a process ended. */
export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

/** A spawned worker process. */
export interface Child {
  readonly pid: number;
  /** Writes bytes to the request channel. */
  write(bytes: Uint8Array): Promise<void>;
  /** Writes one message as a JSON line. */
  send(message: object): Promise<void>;
  /** Closes the request channel (the worker reads end-of-file). */
  closeRequests(): void;
  /** Reads the next chunk of the response channel; null once the worker is gone. */
  read(): Promise<Uint8Array | null>;
  /**
   * Reads the events (JSON lines) completed by the next chunk of the response channel: maybe
   * none; null once the worker is gone.
   */
  readEvents(): Promise<Event[] | null>;
  /** Resolves when the child exits. */
  readonly exited: Promise<ExitStatus>;
  kill(signal?: "SIGKILL" | "SIGTERM"): void;
  /** Lets the host exit while the child runs. */
  unref(): void;
  ref(): void;
}

/** The command that runs `worker/host/serve.ts` on the current runtime. */
export function hostCommand(): { cmd: string; args: string[] } {
  const host = new URL("../host/serve.ts", import.meta.url);
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Bun) return { cmd: g.process.execPath, args: [host.pathname] };
  return { cmd: g.Deno.execPath(), args: ["run", "-A", "--quiet", "--no-lock", host.href] };
}

const EINTR = 4, EAGAIN = 11;

const SIGNALS: Record<number, string> = {
  1: "SIGHUP",
  2: "SIGINT",
  6: "SIGABRT",
  9: "SIGKILL",
  11: "SIGSEGV",
  15: "SIGTERM",
};

/**
 * The protocol channel: two FIFOs in a private directory. The main process holds both ends
 * read-write (so opening never blocks, and it can wake its own pending read when the worker
 * dies); the worker opens `req` read-only and `resp` write-only, so it sees end-of-file on
 * `req` when this process dies. Reads go through `node:fs`'s asynchronous `read`, which both
 * runtimes run off the event loop: about 25 µs a round trip, against 50–80 µs for the
 * runtimes' child-process streams.
 */
class Channel {
  readonly dir: string;
  readonly #req: number;
  readonly #resp: number;
  /** A second write end of `resp` (Deno refuses a write on an fd its pending read holds). */
  readonly #wake: number;
  #buf = new Uint8Array(1 << 16);
  #pending?: Promise<number>;
  #closed = false;
  readonly #libc: LibC;

  constructor(libc: LibC) {
    this.#libc = libc;
    this.dir = mkdtempSync(join(tmpdir(), "brmsts-ch-"));
    try {
      for (const name of ["req", "resp"]) {
        if (libc.fns.mkfifo(cstr(join(this.dir, name)), 0o600) !== 0) {
          throw new BrmstsSystemError(`mkfifo failed: ${libc.lastError()}`);
        }
      }
      // Writes never block the event loop: a full pipe is retried asynchronously.
      this.#req = openSync(join(this.dir, "req"), constants.O_RDWR | constants.O_NONBLOCK);
      this.#resp = openSync(join(this.dir, "resp"), constants.O_RDWR);
      this.#wake = openSync(join(this.dir, "resp"), constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (e) {
      this.removeDir();
      throw e;
    }
  }

  /**
   * Removes the FIFOs' directory (the open ends stay usable). The worker does it as soon as it
   * holds both ends; this covers a worker that never got that far.
   */
  removeDir(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Writes all of `bytes`. The fd is non-blocking: a full pipe is waited for asynchronously.
   * Each write goes through libc, which reports how much of a partial write went through
   * (Deno's `writeSync` writes 64 KiB of a larger buffer and then throws EAGAIN without saying
   * so, and a retry from the old offset would corrupt the stream).
   */
  async write(bytes: Uint8Array): Promise<void> {
    const f = this.#libc.fns, native = this.#libc.native;
    let off = 0;
    while (off < bytes.length) {
      if (this.#closed) throw new BrmstsSystemError("the worker is gone");
      const chunk = off === 0 ? bytes : bytes.subarray(off);
      const n = Number(f.write(this.#req, chunk, BigInt(chunk.length)));
      if (n >= 0) {
        off += n;
        continue;
      }
      const errno = native.readI32(f.__errno_location());
      if (errno === EINTR) continue;
      if (errno !== EAGAIN) {
        throw new BrmstsSystemError(`write to the worker failed: ${this.#libc.lastError()}`);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  async read(): Promise<Uint8Array | null> {
    if (this.#closed) return null;
    const buf = this.#buf;
    this.#pending = new Promise<number>((res, rej) =>
      read(this.#resp, buf, 0, buf.length, null, (e, n) => (e ? rej(e) : res(n)))
    );
    let n: number;
    try {
      n = await this.#pending;
    } finally {
      this.#pending = undefined;
    }
    if (this.#closed) {
      this.#closeFds();
      return null;
    }
    return n > 0 ? buf.slice(0, n) : null;
  }

  /** Ends the request stream: the worker reads end-of-file. */
  closeRequests(): void {
    try {
      closeSync(this.#req);
    } catch { /* already closed */ }
  }

  /** After the worker exited: wakes a pending read and closes both ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.removeDir();
    if (this.#pending) {
      try {
        writeSync(this.#wake, "\n"); // wakes our own read; it closes the fds when it returns
      } catch { /* closing below anyway */ }
    } else this.#closeFds();
  }

  #closeFds(): void {
    for (const fd of [this.#req, this.#resp, this.#wake]) {
      try {
        closeSync(fd);
      } catch { /* already closed */ }
    }
  }
}

/** Prefix of a worker's private TMPDIR; the main process's pid follows, then a random part. */
const TMP_PREFIX = "brmsts-tmp-";
/** The file in a worker's TMPDIR that names the worker's pid. */
const WORKER_PID_FILE = ".worker-pid";

/**
 * Removes the private TMPDIRs of workers that died together with their main process (a
 * SIGKILL of the whole process group, a machine-wide OOM kill): neither was left to remove
 * it. A dir stays while its main process or its worker is alive (an orphaned worker removes its
 * own when it ends).
 */
function sweepDeadTmpDirs(): void {
  for (const dir of deadOwnerTmpEntries(TMP_PREFIX)) {
    let worker = 0;
    try {
      worker = Number(readFileSync(join(dir, WORKER_PID_FILE), "utf8"));
    } catch { /* the worker never started */ }
    if (!pidAlive(worker)) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Spawns the worker host. Its stdin is /dev/null and its stdout/stderr are inherited (the host
 * points fds 1 and 2 at its own forwarding pipe once it runs); the protocol runs over a FIFO
 * channel.
 */
export async function spawnHost(env: Record<string, string>): Promise<Child> {
  const { cmd, args } = hostCommand();
  const libc = await loadLibC();
  const ch = new Channel(libc);
  // A private TMPDIR: R's session temp dir and whatever R's children leave there (a compiler's
  // cc*.s when a compile is cut short) go with the worker, whatever way it ends.
  sweepDeadTmpDirs();
  let tmp: string;
  try {
    tmp = mkdtempSync(join(tmpdir(), `${TMP_PREFIX}${process.pid}-`));
  } catch (e) {
    ch.close();
    throw e;
  }
  env = {
    ...env,
    BRMSTS_CHANNEL: ch.dir,
    BRMSTS_MAIN_PID: String(process.pid),
    BRMSTS_TMPDIR: tmp,
    TMPDIR: tmp,
  };
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  let exited: Promise<ExitStatus>;
  let pid: number;
  let kill: (s?: "SIGKILL" | "SIGTERM") => void;
  let unref: () => void, ref: () => void;
  try {
    if (g.Bun) {
      const p = g.Bun.spawn([cmd, ...args], {
        stdin: "ignore",
        stdout: "inherit",
        stderr: "inherit",
        env,
      });
      pid = p.pid;
      exited = p.exited.then(() => ({
        code: p.signalCode ? null : p.exitCode,
        signal: p.signalCode ?? null,
      }));
      kill = (s = "SIGKILL") => p.kill(s);
      unref = () => p.unref();
      ref = () => p.ref();
    } else {
      const child = new g.Deno.Command(cmd, {
        args,
        stdin: "null",
        stdout: "inherit",
        stderr: "inherit",
        env,
        clearEnv: true,
      }).spawn();
      pid = child.pid;
      exited = child.status.then((s: { code: number; signal: string | null }) => ({
        code: s.signal ? null : s.code,
        signal: s.signal ?? (s.code > 128 ? SIGNALS[s.code - 128] ?? null : null),
      }));
      kill = (s = "SIGKILL") => {
        try {
          child.kill(s);
        } catch { /* already gone */ }
      };
      unref = () => child.unref();
      ref = () => child.ref();
    }
  } catch (e) {
    ch.close();
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  try {
    writeFileSync(join(tmp, WORKER_PID_FILE), String(pid));
  } catch { /* the sweep then treats the dir as the dead main process's alone */ }
  // The worker leads its own process group: once it is gone (an exit, a crash, a kill), end
  // what it started and left running (a compiler, forked chains).
  exited = exited.then((s) => {
    libc.fns.kill(-pid, SIGKILL);
    ch.close();
    rmSync(tmp, { recursive: true, force: true });
    return s;
  });
  const encoder = new TextEncoder();
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true }); // U+FEFF in R output is text
  let pending = "";
  return {
    pid,
    write: (b) => ch.write(b),
    send: (m) => ch.write(encoder.encode(JSON.stringify(m) + "\n")),
    closeRequests: () => ch.closeRequests(),
    read: () => ch.read(),
    readEvents: async () => {
      const chunk = await ch.read();
      if (chunk === null) return null;
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop()!;
      return lines.filter((l) => l.trim()).map((l) => JSON.parse(l) as Event);
    },
    exited,
    kill,
    unref,
    ref,
  };
}

/**
 * The environment of a new worker process: this process's, plus the configuration's variables
 * and its R home (as `BRMSTS_R_HOME`).
 *
 * @example
 * ```ts
 * hostEnv({ env: { R_LIBS_USER: "/tmp/lib" } }).R_LIBS_USER; // "/tmp/lib"
 * ```
 */
export function hostEnv(config: { env?: Record<string, string>; rHome?: string }): Record<
  string,
  string
> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, config.env ?? {});
  if (config.rHome) env.BRMSTS_R_HOME = config.rHome;
  return env;
}
