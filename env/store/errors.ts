/**
 * Errors of the environment layer: one class per failure kind, each naming the file,
 * environment or package involved.
 *
 * @module
 */
import { BrmstsError } from "../../errors.ts";

/**
 * Base class of environment failures (unknown environment, refused operation, …).
 *
 * @example
 * ```ts
 * import { activateEnvironment } from "../../mod.ts";
 * await activateEnvironment("nope").catch((e) => e instanceof EnvironmentError); // true
 * ```
 */
export class EnvironmentError extends BrmstsError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "ENVIRONMENT";
}

/**
 * A `config.json` or the state file is unreadable, not JSON, or does not match the schema.
 * `file` names the file, `problem` says what is wrong with it.
 *
 * @example
 * ```ts
 * import { readEnvironmentConfig } from "../mod.ts";
 * try { readEnvironmentConfig("dev"); } catch (e) {
 *   if (e instanceof EnvironmentConfigError) console.error(e.file, e.problem);
 * }
 * ```
 */
export class EnvironmentConfigError extends EnvironmentError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "ENVIRONMENT_CONFIG";
  /** Absolute path of the offending file. */
  readonly file: string;
  /** What is wrong with it. */
  readonly problem: string;
  /** Creates the error (see the class for its fields). */
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.file = file;
    this.problem = problem;
  }
}

/**
 * The cross-process lock of the brmsts home could not be taken in time.
 *
 * @example
 * ```ts
 * import { withHomeLock } from "../lock.ts";
 * await withHomeLock(() => {}, { timeoutMs: 100 }).catch((e) => {
 *   if (e instanceof EnvironmentLockError) console.error(e.lockPath, e.holder);
 * });
 * ```
 */
export class EnvironmentLockError extends EnvironmentError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "ENVIRONMENT_LOCK";
  /** The lock directory. */
  readonly lockPath: string;
  /** Who holds it (pid, host, since when), as recorded in the lock. */
  readonly holder: string;
  /** Creates the error (see the class for its fields). */
  constructor(message: string, lockPath: string, holder: string) {
    super(message);
    this.lockPath = lockPath;
    this.holder = holder;
  }
}

/**
 * Installing an R package failed; the environment library was left as it was.
 * `log` holds the end of R's output.
 *
 * @example
 * ```ts
 * import type { ManageContext } from "../../mod.ts";
 * declare const ctx: ManageContext;
 * await ctx.installRPackage("broken_0.1.tar.gz").catch((e) => {
 *   if (e instanceof RPackageInstallError) console.error(e.package, e.log);
 * });
 * ```
 */
export class RPackageInstallError extends EnvironmentError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "R_PACKAGE_INSTALL";
  /** The package name or tarball that was being installed. */
  readonly package: string;
  /** The last lines R printed. */
  readonly log: string;
  /** Creates the error (see the class for its fields). */
  constructor(message: string, pkg: string, log: string) {
    super(message);
    this.package = pkg;
    this.log = log;
  }
}

/**
 * One thing brms needs that is missing, with the Debian package that provides it.
 *
 * @example
 * ```ts
 * const m: MissingRequirement = { what: "g++", aptPackage: "g++" };
 * ```
 */
export interface MissingRequirement {
  /** `brms`, `rstan`, `g++`, `make` or `boost headers`. */
  what: string;
  /** The Debian/Ubuntu package that provides it. */
  aptPackage: string;
}

/**
 * brms cannot fit models in this environment: something is missing that brmsts could not
 * install. The message says exactly what to install.
 *
 * @example
 * ```ts
 * import type { ManageContext } from "../../mod.ts";
 * declare const ctx: ManageContext;
 * await ctx.installBrms().catch((e) => {
 *   if (e instanceof MissingRequirementsError) console.error(e.aptCommand);
 * });
 * ```
 */
export class MissingRequirementsError extends EnvironmentError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "MISSING_REQUIREMENTS";
  /** What is missing. */
  readonly missing: MissingRequirement[];
  /** A command that installs all of it on Debian/Ubuntu. */
  readonly aptCommand: string;
  /** Creates the error (see the class for its fields). */
  constructor(message: string, missing: MissingRequirement[], aptCommand: string) {
    super(message);
    this.missing = missing;
    this.aptCommand = aptCommand;
  }
}
