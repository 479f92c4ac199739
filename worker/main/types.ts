/**
 * The public types of a worker client: call options, console entries, results, start-up
 * configuration and status.
 *
 * @module
 */
import type { ConvertMode, HeapPolicy, LogStream } from "../wire/protocol.ts";

/** One piece of console output from the worker. */
export interface LogEntry {
  /** `stdout`/`stderr`: R's console; `raw`: output of R's child processes (compiler, chains). */
  stream: LogStream;
  /** The text, as printed (may hold several lines or part of one). */
  text: string;
  /** The id of the call that was running, when known. */
  callId?: number;
}

/** Options every call accepts. */
export interface CallOptions {
  /** Cancels the call: R is interrupted; if it does not yield in time the worker restarts. */
  signal?: AbortSignal;
  /** Result conversion: `auto` (default), `handle` (always an RObject), `value` (strip classes). */
  convert?: ConvertMode;
  /** Receives this call's console output as it happens. */
  onLog?: (entry: LogEntry) => void;
  /**
   * The worker's C heap for `call()` (a loop of calls that allocate alike, e.g. chunks):
   * `"reuse"` keeps memory R frees in the heap for the next call instead of returning it to the
   * OS (no fresh pages to fault in); `"release"` for the last call returns it after. A call
   * without `heap` after a `"reuse"` one returns it first.
   */
  heap?: HeapPolicy;
}

/** A call's value with the warnings and messages R raised. */
export interface RResult<T = unknown> {
  /** The converted value. */
  value: T;
  /** Warnings R raised during the call. */
  warnings: string[];
  /** Messages R raised during the call. */
  messages: string[];
}

/** How the worker is started. */
export interface WorkerConfig {
  /** Extra environment variables for the worker (R_LIBS_USER, …). */
  env?: Record<string, string>;
  /** R installation to use (sets BRMSTS_R_HOME). */
  rHome?: string;
  /** R code run in every fresh worker before its first call. */
  startupScripts?: string[];
  /** How long R gets to yield after an abort before the worker is killed (ms, default 3000). */
  abortGraceMs?: number;
}

/** Everything `status()` reports. */
export interface WorkerStatus {
  /** `R.version.string`. */
  rVersion: string;
  /** R's home directory. */
  rHome: string;
  /** brms's version, or null when not installed. */
  brms: string | null;
  /** rstan's version, or null when not installed. */
  rstan: string | null;
  /** cmdstanr's version, or null when not installed. */
  cmdstanr: string | null;
  /** `.libPaths()`, first searched first. */
  libPaths: string[];
  /** R's session temporary directory (removed when the worker ends). */
  tempDir: string;
  /** The worker process's id. */
  pid: number;
  /** The runtime the worker process runs on. */
  runtime: "deno" | "bun";
  /** R objects kept alive for RObject handles. */
  preservedObjects: number;
  /** How many workers this client has started. */
  generation: number;
}
