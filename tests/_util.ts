/**
 * Small helpers shared by the test files.
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";

/** True while a process with this pid exists and is not a zombie (the library's own check). */
export { pidAlive } from "../native/process.ts";

/** Polls `cond` every `everyMs` (50) until it holds or `ms` pass; returns its last value. */
export async function waitFor(
  cond: () => boolean,
  ms = 10_000,
  everyMs = 50,
): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return cond();
}

/**
 * brmsts's shared-memory segments currently in /dev/shm; with `pids`, only those created by
 * these processes (names carry the creator's pid: `brmsts-m<pid>-…`, `brmsts-w<pid>-…`), so
 * other brmsts processes on the machine do not disturb the count.
 */
export function shmEntries(pids?: number[]): string[] {
  if (!existsSync("/dev/shm")) return [];
  const all = readdirSync("/dev/shm").filter((n) => n.startsWith("brmsts"));
  if (!pids) return all;
  return all.filter((n) =>
    pids.some((p) => n.startsWith(`brmsts-m${p}-`) || n.startsWith(`brmsts-w${p}-`))
  );
}

/** Number of open file descriptors of a process. */
export function fdCount(pid: number | "self" = "self"): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** The JS runtime running the tests. */
export function runtime(): "deno" | "bun" {
  // deno-lint-ignore no-explicit-any
  return (globalThis as any).Bun ? "bun" : "deno";
}

/** argv to run a script file with the current runtime. */
export function runScriptArgv(file: string): string[] {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  return runtime() === "bun" ? [g.process.execPath, file] : [g.Deno.execPath(), "run", "-A", file];
}
