/**
 * Helpers for the benchmarks: medians and formatted ratio lines.
 *
 * @module
 */

import process from "node:process";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
/** The command prefix that runs a script with the runtime running this one. */
export const RUNNER: string[] = g.Bun ? [process.execPath] : [g.Deno.execPath(), "run", "-A"];

/** The median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Prints one result line: value, baseline, their ratio and the target. */
export function report(
  name: string,
  value: number,
  unit: string,
  baseline: { name: string; value: number },
  target: string,
): void {
  const ratio = value / baseline.value;
  console.log(
    `${name.padEnd(44)} ${value.toFixed(2).padStart(10)} ${unit.padEnd(3)} | ${baseline.name}: ${
      baseline.value.toFixed(2)
    } ${unit} | ratio ${ratio.toFixed(3)} | target ${target}`,
  );
}
