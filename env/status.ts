/**
 * `status()`: the worker's status plus what the environment layer knows: the active
 * environment, the C++ toolchain, Boost headers, and whether a Stan model can be compiled.
 *
 * @module
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import type { CallOptions, RWorker, WorkerStatus } from "../worker/mod.ts";
import { defaultWorker } from "../worker/mod.ts";
import { cacheDir, type CompilerCacheStatus, compilerCacheStatus } from "../brms/mod.ts";

/**
 * The C++ toolchain found on the worker's PATH: the first line of `g++ --version` and
 * `make --version`, or null when the tool cannot be run.
 *
 * @example
 * ```ts
 * const t: Toolchain = { gxx: "g++ (Debian 12.2.0-14) 12.2.0", make: "GNU Make 4.3" };
 * ```
 */
export interface Toolchain {
  /** First line of `g++ --version`, or null. */
  gxx: string | null;
  /** First line of `make --version`, or null. */
  make: string | null;
}

/**
 * Everything {@link status} reports.
 *
 * @example
 * ```ts
 * const s: EnvironmentStatus = await status();
 * if (!s.canCompileStan) console.error(s.toolchain, s.boost);
 * ```
 */
export interface EnvironmentStatus extends WorkerStatus {
  /** The environment the worker runs in, or null for the plain system R. */
  environment: string | null;
  /** The C++ toolchain on the worker's PATH. */
  toolchain: Toolchain;
  /** The include directory that holds `boost/` (BH's, else /usr/include), or null. */
  boost: string | null;
  /** True when g++, make, rstan and Boost headers are all present. */
  canCompileStan: boolean;
  /** The precompiled header of the compiled-model cache: ready or not, and its size. */
  compilerCache: CompilerCacheStatus;
}

function firstLine(cmd: string, env: Record<string, string>): Promise<string | null> {
  return new Promise((res) => {
    execFile(cmd, ["--version"], { env, timeout: 15_000 }, (err, stdout) => {
      if (err) return res(null);
      res(String(stdout).split("\n")[0].trim() || null);
    });
  });
}

/** The environment a worker configured with `config.env` runs its child processes with. */
export function workerProcessEnv(worker: RWorker): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return Object.assign(env, worker.config.env ?? {});
}

/**
 * Runs `g++ --version` and `make --version` with the given environment (default: this process's).
 *
 * @example
 * ```ts
 * const { gxx, make } = await probeToolchain();
 * ```
 */
export async function probeToolchain(env?: Record<string, string>): Promise<Toolchain> {
  const e = env ?? workerProcessEnv(defaultWorker());
  const [gxx, make] = await Promise.all([firstLine("g++", e), firstLine("make", e)]);
  return { gxx, make };
}

/** What R itself reports about the environment and Boost. */
export interface RProbe {
  environment: string | null;
  boost: string | null;
  brms: string | null;
  rstan: string | null;
  cmdstanr: string | null;
  libPaths: string[];
  rBin: string;
}

let probeSource: string | undefined;

/**
 * Asks a worker which environment it serves, where Boost is, and which versions of brms, rstan
 * and cmdstanr its library paths hold (read from disk, so packages installed since the worker
 * started are seen).
 *
 * @example
 * ```ts
 * import { defaultWorker } from "../mod.ts";
 * const p = await probeR(defaultWorker());
 * console.log(p.environment, p.libPaths[0]);
 * ```
 */
export async function probeR(worker: RWorker, opts: CallOptions = {}): Promise<RProbe> {
  probeSource ??= readFileSync(new URL("./probe.R", import.meta.url), "utf8");
  const v = await worker.eval(probeSource, { ...opts, convert: "auto" }) as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === "string" ? x : null);
  return {
    environment: str(v.environment),
    boost: str(v.boost),
    brms: str(v.brms),
    rstan: str(v.rstan),
    cmdstanr: str(v.cmdstanr),
    libPaths: ([] as string[]).concat(v.libPaths as string[] ?? []),
    rBin: String(v.rBin),
  };
}

/**
 * R version, R home, library paths, versions of brms, rstan and cmdstanr, the active
 * environment, the toolchain (g++ and make versions), Boost headers and whether a Stan model
 * can be compiled. Starts the worker if needed.
 *
 * @example
 * ```ts
 * const s = await status();
 * console.log(s.environment, s.libPaths[0], s.toolchain.gxx, s.canCompileStan);
 * ```
 */
export async function status(
  opts: CallOptions & { worker?: RWorker } = {},
): Promise<EnvironmentStatus> {
  const worker = opts.worker ?? defaultWorker();
  const base = await worker.status(opts);
  const [probe, toolchain] = await Promise.all([
    probeR(worker, opts),
    probeToolchain(workerProcessEnv(worker)),
  ]);
  return {
    ...base,
    brms: probe.brms,
    rstan: probe.rstan,
    cmdstanr: probe.cmdstanr,
    libPaths: probe.libPaths,
    environment: probe.environment,
    toolchain,
    boost: probe.boost,
    canCompileStan: toolchain.gxx !== null && toolchain.make !== null && probe.rstan !== null &&
      probe.boost !== null,
    compilerCache: compilerCacheStatus(cacheDir()),
  };
}
