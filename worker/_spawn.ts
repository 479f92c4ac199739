/**
 * Main side: spawns the worker with the runtime's own process API (Deno.Command or Bun.spawn)
 * behind one small interface.
 *
 * @module
 */

/** How a process ended. */
export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

/** A spawned worker process. */
export interface Child {
  readonly pid: number;
  /** Writes bytes to the child's stdin. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the child's stdin. */
  closeStdin(): Promise<void>;
  /** Reads the next chunk of the child's stdout; null at end. */
  read(): Promise<Uint8Array | null>;
  /** Resolves when the child exits. */
  readonly exited: Promise<ExitStatus>;
  kill(signal?: "SIGKILL" | "SIGTERM"): void;
  /** Lets the host exit while the child runs. */
  unref(): void;
  ref(): void;
}

/** The command that runs `worker/host.ts` on the current runtime. */
export function hostCommand(): { cmd: string; args: string[] } {
  const host = new URL("./host.ts", import.meta.url);
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Bun) return { cmd: g.process.execPath, args: [host.pathname] };
  return { cmd: g.Deno.execPath(), args: ["run", "-A", "--quiet", "--no-lock", host.href] };
}

const SIGNALS: Record<number, string> = {
  1: "SIGHUP",
  2: "SIGINT",
  6: "SIGABRT",
  9: "SIGKILL",
  11: "SIGSEGV",
  15: "SIGTERM",
};

/** Spawns the worker host with piped stdin/stdout and inherited stderr. */
export function spawnHost(env: Record<string, string>): Child {
  const { cmd, args } = hostCommand();
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Bun) {
    const p = g.Bun.spawn([cmd, ...args], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "inherit",
      env,
    });
    // Bun keeps the process alive while a reader holds stdout's lock: take one per read.
    const stdout = p.stdout as ReadableStream<Uint8Array>;
    return {
      pid: p.pid,
      write: (b) => {
        p.stdin.write(b);
        p.stdin.flush();
        return Promise.resolve();
      },
      closeStdin: async () => {
        try {
          await p.stdin.end();
        } catch { /* already closed */ }
      },
      read: async () => {
        const reader = stdout.getReader();
        try {
          const { value, done } = await reader.read();
          return done ? null : value;
        } finally {
          reader.releaseLock();
        }
      },
      exited: p.exited.then(() => ({
        code: p.signalCode ? null : p.exitCode,
        signal: p.signalCode ?? null,
      })),
      kill: (s = "SIGKILL") => p.kill(s),
      unref: () => {
        p.unref();
        p.stdin.unref?.();
      },
      ref: () => {
        p.ref();
        p.stdin.ref?.();
      },
    };
  }
  const child = new g.Deno.Command(cmd, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
    env,
    clearEnv: true,
  }).spawn();
  const writer = (child.stdin as WritableStream<Uint8Array>).getWriter();
  const reader = (child.stdout as ReadableStream<Uint8Array>).getReader();
  return {
    pid: child.pid,
    write: (b) => writer.write(b),
    closeStdin: async () => {
      try {
        await writer.close();
      } catch { /* already closed */ }
    },
    read: async () => {
      const { value, done } = await reader.read();
      return done ? null : value;
    },
    exited: child.status.then((s: { code: number; signal: string | null }) => ({
      code: s.signal ? null : s.code,
      signal: s.signal ?? (s.code > 128 ? SIGNALS[s.code - 128] ?? null : null),
    })),
    kill: (s = "SIGKILL") => {
      try {
        child.kill(s);
      } catch { /* already gone */ }
    },
    unref: () => child.unref(),
    ref: () => child.ref(),
  };
}
