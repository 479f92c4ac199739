// Node built-ins that Zarr stores need (file system, paths, zlib), looked up when a function runs
// rather than imported at module load: idata/ then loads where there is no file system (a
// browser, an edge function), and only toZarr/fromZarr need Deno, Bun or Node.
import type * as Fs from "node:fs";
import type * as Path from "node:path";
import type * as Zlib from "node:zlib";
import { BrmstsError } from "../errors.ts";

type Host = { process?: { getBuiltinModule?: (name: string) => unknown } };

function builtin(name: string): Record<string, (...args: unknown[]) => unknown> {
  const mod = (globalThis as Host).process?.getBuiltinModule?.(name);
  if (!mod) {
    throw new BrmstsError(`${name} is not available here: Zarr stores need Deno, Bun or Node`);
  }
  return mod as Record<string, (...args: unknown[]) => unknown>;
}

function lazy<T>(module: string, name: string): T {
  return ((...args: unknown[]) => builtin(module)[name](...args)) as T;
}

export const existsSync: typeof Fs.existsSync = lazy("node:fs", "existsSync");
export const mkdirSync: typeof Fs.mkdirSync = lazy("node:fs", "mkdirSync");
export const readdirSync: typeof Fs.readdirSync = lazy("node:fs", "readdirSync");
export const readFileSync: typeof Fs.readFileSync = lazy("node:fs", "readFileSync");
export const rmSync: typeof Fs.rmSync = lazy("node:fs", "rmSync");
export const writeFileSync: typeof Fs.writeFileSync = lazy("node:fs", "writeFileSync");
export const join: typeof Path.join = lazy("node:path", "join");
export const deflateSync: typeof Zlib.deflateSync = lazy("node:zlib", "deflateSync");
export const gunzipSync: typeof Zlib.gunzipSync = lazy("node:zlib", "gunzipSync");
export const gzipSync: typeof Zlib.gzipSync = lazy("node:zlib", "gzipSync");
export const inflateSync: typeof Zlib.inflateSync = lazy("node:zlib", "inflateSync");
export const inflateRawSync: typeof Zlib.inflateRawSync = lazy("node:zlib", "inflateRawSync");
