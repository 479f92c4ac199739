/**
 * The worker configuration of the active environment, for starting the default worker. Imports
 * nothing from `worker/`, so the default worker (worker/main/default.ts) imports it without a cycle.
 *
 * @module
 */
import {
  ENVIRONMENT_OF_CONFIG,
  type EnvironmentWorkerConfig,
  hasEnvironment,
  readEnvironmentConfig,
  workerConfigFor,
} from "./config.ts";
import { EnvironmentConfigError } from "./errors.ts";
import { environmentPaths, stateFile } from "./home.ts";
import { readState } from "./state.ts";

/**
 * The configuration the default worker should start with: the active environment's (read from
 * the state file and its `config.json`), or `{}` (the plain system R) when none is active.
 * Synchronous and cheap (two small file reads). A corrupt state file or config, or a state file
 * naming a removed environment, throws an {@link EnvironmentConfigError} naming the file.
 *
 * @example
 * ```ts
 * import { RWorker } from "../../mod.ts";
 * const worker = new RWorker(activeWorkerConfig());
 * ```
 */
export function activeWorkerConfig(): EnvironmentWorkerConfig {
  const { active } = readState();
  if (active === null) return {};
  if (!hasEnvironment(active)) {
    throw new EnvironmentConfigError(
      stateFile(),
      `the active environment "${active}" does not exist (no ${
        environmentPaths(active).config
      }); activate another one or call deactivateEnvironment()`,
    );
  }
  return workerConfigFor(readEnvironmentConfig(active));
}

/**
 * A worker configuration as it should be at a (re)start: one made from an environment
 * ({@link workerConfigFor}, e.g. `activeWorkerConfig()`) is read again from the environment's
 * `config.json`, so an edit (a failing start-up script removed) takes effect at the next start;
 * any other configuration is returned as it is.
 *
 * @example
 * ```ts
 * import { refreshWorkerConfig } from "./active.ts";
 * refreshWorkerConfig({ startupScripts: ["x <- 1"] }); // the same object
 * ```
 */
export function refreshWorkerConfig<T extends object>(config: T): T | EnvironmentWorkerConfig {
  const name = (config as { [ENVIRONMENT_OF_CONFIG]?: unknown })[ENVIRONMENT_OF_CONFIG];
  return typeof name === "string" ? workerConfigFor(readEnvironmentConfig(name)) : config;
}
