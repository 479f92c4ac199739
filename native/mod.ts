/**
 * Runtime FFI adapters (Deno, Bun) and libc bindings. Used by both processes; never loads libR.
 *
 * @module
 */
export * from "./_types.ts";
export * from "./native.ts";
export * from "./libc.ts";
export * from "./process.ts";
