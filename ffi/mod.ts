/**
 * libR bindings. Imported only by the worker process (`worker/host/`); the main process never
 * loads this folder (tests/layering_test.ts enforces it).
 *
 * @module
 */
export * from "./libr.ts";
export * from "./r_home.ts";
export * from "./errors.ts";
export * from "./_symbols.ts";
