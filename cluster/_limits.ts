/**
 * Per-job limits of a cluster worker: the job's data bytes (checked on the object's declared
 * size and again while it downloads, before R sees it), chains × iterations (checked on the
 * options, before R), wall time (the job is cancelled: R is interrupted) and the memory of the
 * job's R process and its children (a watchdog reads their resident set from /proc and kills
 * that R when it is over; a resource limit such as RLIMIT_AS does not fit: the R process is a
 * Deno/Bun process whose JavaScript engine reserves far more address space than it uses).
 * Exceeding one fails the job with kind `limit`; the worker lives on.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";
import type { ObjectStore } from "@nats-io/obj";
import { JobLimitError } from "./errors.ts";

/**
 * Limits of one job (0 or `Infinity`: none).
 *
 * @example
 * ```ts
 * import type { JobLimits } from "./_limits.ts";
 * const l: JobLimits = { maxDataBytes: 64 * 2 ** 20, maxJobSeconds: 600 };
 * ```
 */
export interface JobLimits {
  /** Bytes of the job's data (Arrow IPC) (default 256 MiB). */
  maxDataBytes?: number;
  /** Chains × iterations (warmup included) (default 10^7). */
  maxIterations?: number;
  /** Wall time of a job in seconds, data download to stored results (default 3600). */
  maxJobSeconds?: number;
  /** Resident memory of the job's R process and its children in bytes (default 8 GiB). */
  maxJobMemory?: number;
}

/**
 * The limits a worker applies when not told otherwise.
 *
 * @example
 * ```ts
 * import { DEFAULT_LIMITS } from "./_limits.ts";
 * DEFAULT_LIMITS.maxJobSeconds; // 3600
 * ```
 */
export const DEFAULT_LIMITS: Readonly<Required<JobLimits>> = {
  maxDataBytes: 256 * 2 ** 20,
  maxIterations: 10_000_000,
  maxJobSeconds: 3600,
  maxJobMemory: 8 * 2 ** 30,
};

const on = (n: number | undefined): n is number => n !== undefined && n > 0 && n < Infinity;

/**
 * A size such as `512M`, `2G`, `1.5GiB` or `1000000` in bytes.
 *
 * @example
 * ```ts
 * import { parseBytes } from "./_limits.ts";
 * parseBytes("2G"); // 2147483648
 * ```
 */
export function parseBytes(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) return NaN;
  return Math.round(Number(m[1]) * 1024 ** " kmgt".indexOf(m[2].toLowerCase() || " "));
}

/** Refuses a job whose chains × iterations are over the limit. */
export function checkIterations(options: Record<string, unknown>, limits: JobLimits): void {
  const chains = options.chains ?? 4, iter = options.iter ?? 2000;
  if (typeof chains !== "number" || typeof iter !== "number") return; // brms's own error
  if (on(limits.maxIterations) && chains * iter > limits.maxIterations) {
    throw new JobLimitError(
      `the job asks for ${chains} chains × ${iter} iterations = ${chains * iter}, more than ` +
        `this worker's limit of ${limits.maxIterations} (--max-iterations)`,
      "maxIterations",
    );
  }
}

/**
 * The job's data, refused when its declared size or the bytes actually received pass
 * `maxDataBytes` (a dishonest size does not get more through). `null` when it is missing.
 */
export async function readData(
  store: ObjectStore,
  name: string,
  limits: JobLimits,
): Promise<Uint8Array | null> {
  const max = on(limits.maxDataBytes) ? limits.maxDataBytes : Infinity;
  const over = (n: number) =>
    new JobLimitError(
      `the job's data has ${n} bytes${n > max ? "" : "+"}, more than this worker's limit of ` +
        `${max} (--max-data-bytes)`,
      "maxDataBytes",
    );
  const info = await store.info(name);
  if (!info || info.deleted) return null;
  if (info.size > max) throw over(info.size);
  const res = await store.get(name);
  if (!res) return null;
  const parts: Uint8Array[] = [];
  let n = 0;
  const reader = res.data.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > max) {
      await reader.cancel().catch(() => {});
      throw over(n);
    }
    parts.push(value);
  }
  const err = await res.error;
  if (err) throw err;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The process `pid` and all its descendants. */
export function processTree(pid: number): number[] {
  const out = [pid];
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const c = readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").trim();
      if (c) { for (const k of c.split(/\s+/)) out.push(...processTree(Number(k))); }
    }
  } catch { /* gone */ }
  return out;
}

/** Resident bytes of `pid` (0 when it is gone). */
function rss(pid: number): number {
  try {
    const m = /VmRSS:\s*(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Watches the resident memory of `pid` and its children every `everyMs`; once their sum passes
 * `max` it kills them (SIGKILL, children first) and calls `onExceed` once with the bytes seen.
 * Returns the function that stops watching.
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { watchMemory } from "./_limits.ts";
 * const stop = watchMemory(process.pid, 2 ** 40, (b) => console.log("over", b));
 * stop();
 * ```
 */
export function watchMemory(
  pid: number,
  max: number | undefined,
  onExceed: (bytes: number) => void,
  everyMs = 200,
): () => void {
  if (!on(max) || process.platform !== "linux") return () => {};
  let fired = false;
  const timer = setInterval(() => {
    if (fired) return;
    const tree = processTree(pid);
    const bytes = tree.reduce((s, p) => s + rss(p), 0);
    if (bytes <= max) return;
    fired = true;
    clearInterval(timer);
    for (const p of tree.reverse()) {
      try {
        process.kill(p, "SIGKILL");
      } catch { /* gone */ }
    }
    onExceed(bytes);
  }, everyMs);
  return () => clearInterval(timer);
}

/**
 * The wall-time and memory guards of one running job: `hit` is the limit that stopped it (the
 * job was cancelled through `abort`, or its R killed), if one did.
 */
export interface JobGuard {
  /** The limit the job went past, if any. */
  readonly hit: JobLimitError | undefined;
  /** Stops the guards. */
  stop(): void;
}

/**
 * Starts the wall-time guard (calls `abort` after `maxJobSeconds`) and the memory watchdog of
 * the R process `pid` for one job.
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { guardJob } from "./_limits.ts";
 * const ac = new AbortController();
 * const g = guardJob(process.pid, { maxJobSeconds: 60 }, () => ac.abort());
 * g.stop();
 * ```
 */
export function guardJob(pid: number | undefined, limits: JobLimits, abort: () => void): JobGuard {
  let hit: JobLimitError | undefined;
  const timer = on(limits.maxJobSeconds)
    ? setTimeout(() => {
      hit ??= new JobLimitError(
        `the job ran longer than this worker's limit of ${limits.maxJobSeconds} s ` +
          `(--max-job-seconds) and was stopped`,
        "maxJobSeconds",
      );
      abort();
    }, limits.maxJobSeconds * 1000)
    : undefined;
  const stopWatch = pid === undefined ? () => {} : watchMemory(pid, limits.maxJobMemory, (b) => {
    hit ??= new JobLimitError(
      `the job's R process used ${b} bytes of memory, more than this worker's limit of ` +
        `${limits.maxJobMemory} (--max-job-memory), and was killed`,
      "maxJobMemory",
    );
  });
  return {
    get hit() {
      return hit;
    },
    stop() {
      clearTimeout(timer);
      stopWatch();
    },
  };
}
