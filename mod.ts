/**
 * brmsts: the real R package brms from TypeScript (Deno and Bun).
 *
 * R runs jailed in a worker subprocess that loads libR over FFI; this module is the main-process
 * API and never touches libR itself.
 *
 * @example
 * ```ts
 * import { evalR, status, shutdown } from "./mod.ts";
 * console.log(await evalR("R.version.string"));
 * console.log((await status()).brms);
 * await shutdown();
 * ```
 *
 * @module
 */
export * from "./worker/mod.ts";
