// Test helper: runs R code with Rscript and handles temporary files holding exact doubles.
// Shared by the test files; uses only node: builtins so it runs under Deno and Bun.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Runs `code` with `Rscript --vanilla` and returns its standard output; throws on failure. */
export function rscript(code: string, options: { timeoutMs?: number } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "brmsts-r-"));
  const file = join(dir, "script.R");
  writeFileSync(file, code);
  try {
    return execFileSync("Rscript", ["--vanilla", file], {
      encoding: "utf8",
      maxBuffer: 1 << 28,
      timeout: options.timeoutMs ?? 600_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`Rscript failed: ${err.stderr ?? err.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A temporary directory and a function that deletes it. */
export function tempDir(prefix = "brmsts-"): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Reads a file written by R's `writeBin(as.double(x), f)` (little-endian doubles). */
export function readDoubles(path: string): Float64Array {
  const b = readFileSync(path);
  const out = new Float64Array(b.byteLength / 8);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** Writes doubles for R's `readBin(f, "double", n)`. */
export function writeDoubles(path: string, x: Float64Array): void {
  writeFileSync(path, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
}

/** R string literal of a path. */
export function rPath(p: string): string {
  return JSON.stringify(p);
}

/**
 * Whether `a` and `b` agree to `tol` relative (both NaN counts as agreement, infinities must
 * match exactly).
 */
export function close(a: number, b: number, tol = 1e-8): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b)) || a === b;
}

/**
 * Runs `fn` once, on first use, and returns its result ever after: for slow set-up done inside
 * a test that has its own timeout (Bun ignores the timeout option of `before` hooks).
 */
export function once<T>(fn: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = fn();
      done = true;
    }
    return value;
  };
}

/** Timeout option for tests that run R or Python. */
export const SLOW = { timeout: 600_000 };
