/**
 * libR bindings. Imported only by the worker process (`worker/host/serve.ts`); the main process never
 * loads this folder (a test enforces it).
 *
 * @module
 */
export * from "./libr.ts";
export * from "./r_home.ts";
export * from "./_symbols.ts";
