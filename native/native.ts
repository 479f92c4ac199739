/**
 * Picks the FFI adapter for the running runtime (Deno or Bun).
 *
 * @module
 */
import type { Native } from "./_types.ts";
import { denoNative } from "./_deno.ts";
import { bunNative } from "./_bun.ts";
import { BrmstsSystemError } from "../errors.ts";

let cached: Native | undefined;

/** The name of the JS runtime this process runs on. */
export function runtimeName(): "deno" | "bun" {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Bun !== undefined) return "bun";
  if (g.Deno !== undefined) return "deno";
  throw new BrmstsSystemError("brmsts needs Deno or Bun (FFI is not available on this runtime)");
}

/**
 * Loads the FFI adapter of the current runtime once.
 *
 * @example
 * ```ts
 * const native = await loadNative();
 * console.log(native.runtime);
 * ```
 */
export async function loadNative(): Promise<Native> {
  if (cached) return cached;
  if (runtimeName() === "bun") {
    // A literal specifier, so that `deno publish` can analyse it; `bun:ffi` exists only under Bun.
    // @ts-ignore: Deno's type checker cannot resolve Bun's built-in module
    cached = bunNative(await import("bun:ffi"));
  } else {
    cached = denoNative();
  }
  return cached;
}
