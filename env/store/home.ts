/**
 * The brmsts home: where named environments, the state file and the lock live.
 *
 * ```
 * <home>/                       ~/.brmsts, $BRMSTS_HOME, or setBrmstsHome(path)
 *   state.json                  the active environment
 *   .lock/                      present while a process changes environments
 *   environments/<name>/
 *     config.json               the environment's worker configuration
 *     Rlib/                     its R library, first in .libPaths()
 * ```
 *
 * @module
 */
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import process from "node:process";
import { EnvironmentError } from "./errors.ts";

let override: string | undefined;

/**
 * Sets the brmsts home for this process (wins over `BRMSTS_HOME`); no argument restores the
 * default lookup.
 *
 * @example
 * ```ts
 * setBrmstsHome("/srv/project/.brmsts");
 * setBrmstsHome(); // back to $BRMSTS_HOME or ~/.brmsts
 * ```
 */
export function setBrmstsHome(path?: string): void {
  override = path === undefined ? undefined : resolve(path);
}

/**
 * The brmsts home directory: the path given to {@link setBrmstsHome}, else `$BRMSTS_HOME`,
 * else `~/.brmsts`. It is created lazily, when something is written.
 *
 * @example
 * ```ts
 * console.log(brmstsHome()); // "/home/me/.brmsts"
 * ```
 */
export function brmstsHome(): string {
  if (override) return override;
  const fromEnv = process.env.BRMSTS_HOME;
  if (fromEnv) {
    if (!isAbsolute(fromEnv)) {
      throw new EnvironmentError(`BRMSTS_HOME must be an absolute path, got ${fromEnv}`);
    }
    return fromEnv;
  }
  return join(homedir(), ".brmsts");
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Checks an environment name: 1–64 characters, letters, digits, `.`, `_`, `-`, not starting
 * with a dot or dash (it becomes a directory name).
 *
 * @example
 * ```ts
 * validateEnvironmentName("project-a"); // ok
 * validateEnvironmentName("../x"); // throws EnvironmentError
 * ```
 */
export function validateEnvironmentName(name: unknown): string {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new EnvironmentError(
      `invalid environment name ${JSON.stringify(name)}: use 1-64 letters, digits, ".", "_" ` +
        `or "-", starting with a letter or digit`,
    );
  }
  return name;
}

/**
 * Where one environment's files are.
 *
 * @example
 * ```ts
 * const p: EnvironmentPaths = environmentPaths("dev");
 * console.log(p.dir, p.config, p.library);
 * ```
 */
export interface EnvironmentPaths {
  /** The environment's directory. */
  dir: string;
  /** Its `config.json`. */
  config: string;
  /** Its R library (`Rlib`). */
  library: string;
}

/**
 * The paths of environment `name` under the current brmsts home (nothing is created).
 *
 * @example
 * ```ts
 * const { library } = environmentPaths("dev"); // ~/.brmsts/environments/dev/Rlib
 * ```
 */
export function environmentPaths(name: string): EnvironmentPaths {
  const dir = join(environmentsDir(), validateEnvironmentName(name));
  return { dir, config: join(dir, "config.json"), library: join(dir, "Rlib") };
}

/**
 * The directory that holds all environments.
 *
 * @example
 * ```ts
 * environmentsDir(); // ~/.brmsts/environments
 * ```
 */
export function environmentsDir(): string {
  return join(brmstsHome(), "environments");
}

/**
 * The state file that records the active environment.
 *
 * @example
 * ```ts
 * stateFile(); // ~/.brmsts/state.json
 * ```
 */
export function stateFile(): string {
  return join(brmstsHome(), "state.json");
}
