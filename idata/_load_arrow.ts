/**
 * Loads `apache-arrow` on first use, so that importing brmsts does not need it. The bare name is
 * tried first (package.json, node_modules or the project's import map); under Deno, where a
 * project outside this repository maps nothing, the pinned `npm:` specifier follows.
 *
 * @module
 */
// deno-lint-ignore no-import-prefix -- types must resolve in a Deno project that maps nothing
import type * as Arrow from "npm:apache-arrow@21.2.0";

/** The `npm:` specifier of the Arrow version package.json pins (kept equal by a test). */
export const ARROW_NPM = "npm:apache-arrow@21.2.0";

let loaded: Promise<typeof Arrow> | undefined;

/**
 * The `apache-arrow` module, imported once.
 *
 * @example
 * ```ts
 * import { loadArrow } from "./_load_arrow.ts";
 * const { tableFromArrays } = await loadArrow();
 * tableFromArrays({ x: new Float64Array([1, 2]) }).numRows; // 2
 * ```
 */
export function loadArrow(): Promise<typeof Arrow> {
  loaded ??= importArrow().catch((e) => {
    loaded = undefined; // a later call tries again (e.g. once the package is installed)
    throw e;
  });
  return loaded;
}

async function importArrow(): Promise<typeof Arrow> {
  try {
    return await import("apache-arrow");
  } catch (e) {
    if (!("Deno" in globalThis)) throw e;
    // deno-lint-ignore no-import-prefix -- the fallback for a Deno project that maps nothing
    return await import("npm:apache-arrow@21.2.0");
  }
}
