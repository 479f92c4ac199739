/**
 * `status()`: the worker's status plus what the environment layer and the compiled-model cache
 * know: the active environment, the C++ toolchain, Boost headers, whether a Stan model can be
 * compiled, and the compiler cache. It sits above `env/` and `brms/` (it reads both), so no
 * import runs upward.
 *
 * @module
 */
import type { CallOptions, RWorker, WorkerStatus } from "./worker/mod.ts";
import { defaultWorker } from "./worker/mod.ts";
import { probeR, probeToolchain, type Toolchain, workerProcessEnv } from "./env/probe.ts";
import { cacheDir } from "./brms/compile/store.ts";
import { type CompilerCacheStatus, compilerCacheStatus } from "./brms/compile/compiler.ts";

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
