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
  return marked(workerConfigFor(readEnvironmentConfig(active)), active);
}

/** `config`, marked (not enumerably: a copy is the caller's own) as the environment `name`'s. */
function marked(config: EnvironmentWorkerConfig, name: string): EnvironmentWorkerConfig {
  Object.defineProperty(config, ENVIRONMENT_OF_CONFIG, { value: name, enumerable: false });
  return config;
}

/**
 * A worker configuration as it should be at a (re)start: the active environment's
 * (`activeWorkerConfig()`) is read again from that environment's `config.json`, so an edit (a
 * failing start-up script removed) takes effect at the next start; any other configuration, or
 * one whose environment is gone, is returned as it is.
 *
 * @example
 * ```ts
 * import { refreshWorkerConfig } from "./active.ts";
 * refreshWorkerConfig({ startupScripts: ["x <- 1"] }); // the same object
 * ```
 */
export function refreshWorkerConfig<T extends object>(config: T): T | EnvironmentWorkerConfig {
  const name = (config as { [ENVIRONMENT_OF_CONFIG]?: unknown })[ENVIRONMENT_OF_CONFIG];
  if (typeof name !== "string" || !hasEnvironment(name)) return config;
  return marked(workerConfigFor(readEnvironmentConfig(name)), name);
}
