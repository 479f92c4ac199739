/**
 * Helpers for the codec tests: forced garbage collection, shared-memory and memory counters.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import v8 from "node:v8";
import vm from "node:vm";

let gcFn: (() => void) | undefined;

/** Runs a full garbage collection and lets FinalizationRegistry callbacks run. */
export async function forceGC(): Promise<void> {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (!gcFn) {
    if (g.Bun) gcFn = () => g.Bun.gc(true);
    else if (typeof g.gc === "function") gcFn = g.gc;
    else {
      v8.setFlagsFromString("--expose-gc");
      gcFn = vm.runInNewContext("gc") as () => void;
    }
  }
  for (let i = 0; i < 2; i++) {
    gcFn!();
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** brmsts segments mapped into a process, with their mapped sizes (from /proc/<pid>/maps). */
export function mappedSegmentSizes(pid: number | "self" = "self"): Map<string, number> {
  const maps = readFileSync(`/proc/${pid}/maps`, "utf8");
  const out = new Map<string, number>();
  for (const line of maps.split("\n")) {
    const m = line.match(/^([0-9a-f]+)-([0-9a-f]+) .*\/dev\/shm\/(brmsts-\S+)/);
    if (m) out.set(m[3], (out.get(m[3]) ?? 0) + parseInt(m[2], 16) - parseInt(m[1], 16));
  }
  return out;
}

/** brmsts segments mapped into a process (unlinked ones included). */
export function mappedSegments(pid: number | "self" = "self"): string[] {
  return [...mappedSegmentSizes(pid).keys()];
}

/** A field of /proc/<pid>/status in bytes (VmRSS, VmHWM …). */
export function procKiB(pid: number | "self", field: string): number {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = s.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Proportional set size of a process (shared pages split between their users), bytes. */
export function pss(pid: number | "self"): number {
  const s = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const m = s.match(/^Pss:\s+(\d+) kB/m);
  return m ? Number(m[1]) * 1024 : 0;
}

/** The raw bytes of a typed array, for bit-exact comparisons. */
export function bytesOf(x: ArrayBufferView): Uint8Array {
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}
