/**
 * Named environments: list, activate, deactivate, remove. Each environment is an R library
 * under the brmsts home, layered in front of the system library, with its own `config.json`.
 * The system R installation is never modified.
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import type { RWorker } from "../worker/mod.ts";
import { defaultWorker } from "../worker/mod.ts";
import { isDir, removeTree } from "./store/fs.ts";
import { type InstalledRPackage, libraryPackages, openContexts } from "./library.ts";
import { hasEnvironment, readEnvironmentConfig, workerConfigFor } from "./store/config.ts";
import { EnvironmentError } from "./store/errors.ts";
import { environmentPaths, environmentsDir, validateEnvironmentName } from "./store/home.ts";
import { withHomeLock } from "./lock.ts";
import { readState, writeState } from "./store/state.ts";

export { hasEnvironment };

/**
 * Options of the functions that reconfigure a worker.
 *
 * @example
 * ```ts
 * import { RWorker } from "../mod.ts";
 * const other = new RWorker();
 * await activateEnvironment("dev", { worker: other });
 * ```
 */
export interface WorkerOption {
  /** The worker to reconfigure (default: the process-wide default worker). */
  worker?: RWorker;
}

/**
 * One environment as {@link listEnvironments} reports it.
 *
 * @example
 * ```ts
 * for (const e of listEnvironments()) console.log(e.name, e.active, e.packages.length);
 * ```
 */
export interface EnvironmentInfo {
  /** The environment's name. */
  name: string;
  /** The environment's directory. */
  dir: string;
  /** Its R library. */
  library: string;
  /** True when the state file names it. */
  active: boolean;
  /** Packages installed in its library (not counting the system library). */
  packages: InstalledRPackage[];
  /** Its R home (null: the default R). */
  rHome: string | null;
  /** Why its config is unusable, or null when it is fine. */
  problem: string | null;
}

function assertNoContext(worker: RWorker, what: string): void {
  if (openContexts.has(worker)) {
    throw new EnvironmentError(
      `${what}: a manage() context is open on this worker; dispose it first`,
    );
  }
}

/**
 * Makes `name` the active environment: records it in the state file (so new processes start
 * in it) and restarts the worker under it (lazily, on the next call).
 *
 * @example
 * ```ts
 * import { evalR } from "../mod.ts";
 * await activateEnvironment("dev");
 * await evalR(".libPaths()[1]"); // ~/.brmsts/environments/dev/Rlib
 * ```
 */
export async function activateEnvironment(name: string, opts: WorkerOption = {}): Promise<void> {
  validateEnvironmentName(name);
  const worker = opts.worker ?? defaultWorker();
  assertNoContext(worker, `activateEnvironment("${name}")`);
  const cfg = await withHomeLock(() => {
    const cfg = readEnvironmentConfig(name);
    writeState(name);
    return cfg;
  });
  await worker.configure(workerConfigFor(cfg));
}

/**
 * Records that no environment is active and restarts the worker as the plain system R.
 *
 * @example
 * ```ts
 * await deactivateEnvironment();
 * ```
 */
export async function deactivateEnvironment(opts: WorkerOption = {}): Promise<void> {
  const worker = opts.worker ?? defaultWorker();
  assertNoContext(worker, "deactivateEnvironment()");
  await withHomeLock(() => writeState(null));
  await worker.configure({});
}

/**
 * The active environment's name, or null (read from the state file).
 *
 * @example
 * ```ts
 * console.log(activeEnvironment() ?? "system R");
 * ```
 */
export function activeEnvironment(): string | null {
  return readState().active;
}

/**
 * All environments under the brmsts home, sorted by name. An environment whose `config.json`
 * is broken is listed with `problem` set, so it can be repaired or removed.
 *
 * @example
 * ```ts
 * console.table(listEnvironments().map(({ name, active }) => ({ name, active })));
 * ```
 */
export function listEnvironments(): EnvironmentInfo[] {
  const root = environmentsDir();
  if (!existsSync(root)) return [];
  let active: string | null = null;
  try {
    active = readState().active;
  } catch { /* a corrupt state file: nothing is active */ }
  const out: EnvironmentInfo[] = [];
  for (const name of readdirSync(root).sort()) {
    if (name.startsWith(".") || !isDir(`${root}/${name}`)) continue;
    try {
      validateEnvironmentName(name);
    } catch {
      continue;
    }
    if (!hasEnvironment(name)) continue; // a directory without config.json: not created yet
    const paths = environmentPaths(name);
    let rHome: string | null = null;
    let problem: string | null = null;
    try {
      rHome = readEnvironmentConfig(name).rHome;
    } catch (e) {
      problem = (e as Error).message;
    }
    out.push({
      name,
      dir: paths.dir,
      library: paths.library,
      active: name === active,
      packages: libraryPackages(paths.library),
      rHome,
      problem,
    });
  }
  return out;
}

/**
 * Deletes environment `name` and its library. Refused for the active environment and for the
 * one this process's worker runs in.
 *
 * @example
 * ```ts
 * await activateEnvironment("default");
 * await removeEnvironment("scratch");
 * ```
 */
export async function removeEnvironment(name: string, opts: WorkerOption = {}): Promise<void> {
  validateEnvironmentName(name);
  const worker = opts.worker ?? defaultWorker();
  const paths = environmentPaths(name);
  if (
    worker.config.env?.BRMSTS_ENVIRONMENT === name &&
    worker.config.env?.R_LIBS_USER === paths.library
  ) {
    throw new EnvironmentError(
      `cannot remove environment "${name}": this process's R worker runs in it; ` +
        `activate another environment or call deactivateEnvironment() first`,
    );
  }
  await withHomeLock(() => {
    if (!isDir(paths.dir)) {
      throw new EnvironmentError(`environment "${name}" does not exist (no ${paths.dir})`);
    }
    let active: string | null = null;
    try {
      active = readState().active;
    } catch { /* a corrupt state file names nothing we can trust */ }
    if (active === name) {
      throw new EnvironmentError(
        `cannot remove environment "${name}": it is the active environment; ` +
          `activate another environment or call deactivateEnvironment() first`,
      );
    }
    removeTree(paths.dir);
  });
}
