/**
 * Whether a process is alive, by pid: the one check every "remove what a dead process left
 * behind" sweep uses (worker temp dirs, cache and environment locks, cluster job dirs).
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/**
 * Whether process `pid` is running: `kill(pid, 0)` succeeds, or fails only for lack of
 * permission (a process of another user), and on Linux the process is not a zombie (a dead
 * process nobody reaped, common in containers whose init does not reap orphans).
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
import process from "node:process";
 * import { pidAlive } from "./process.ts";
 * pidAlive(process.pid); // true
 * ```
 */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as { code?: string }).code !== "EPERM") return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return true; // no /proc (not Linux): kill() said it exists
  }
}

/**
 * Paths of the entries in the temp dir named `<prefix><pid>-…` whose process `pid` is dead:
 * what a killed process left behind for the sweeps of its successors.
 *
 * @example
 * ```ts
 * import { deadOwnerTmpEntries } from "./process.ts";
 * deadOwnerTmpEntries("brmsts-job-"); // e.g. ["/tmp/brmsts-job-4242-Ab12Cd"]
 * ```
 */
export function deadOwnerTmpEntries(prefix: string): string[] {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    const m = name.startsWith(prefix) && name.slice(prefix.length).match(/^(\d+)-/);
    if (m && !pidAlive(Number(m[1]))) out.push(join(tmpdir(), name));
  }
  return out;
}
