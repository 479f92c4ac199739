/**
 * Managed R environments: named R libraries under the brmsts home, layered in front of the
 * system library, switched and changed at run time through {@link manage}.
 *
 * @example
 * ```ts
 * import { listEnvironments, manage } from "./mod.ts";
 * import { status } from "../status.ts";
 * {
 *   await using ctx = await manage({ environmentName: "dev" });
 *   await ctx.installRPackage("/tmp/tinypkg_0.1.0.tar.gz");
 * }
 * console.log(listEnvironments(), (await status()).environment);
 * ```
 *
 * @module
 */
export { manage, ManageContext, type ManageOptions } from "./manage.ts";
export {
  activateEnvironment,
  activeEnvironment,
  deactivateEnvironment,
  type EnvironmentInfo,
  hasEnvironment,
  listEnvironments,
  removeEnvironment,
  type WorkerOption,
} from "./environments.ts";
export { activeWorkerConfig } from "./store/active.ts";
export {
  type EnvironmentConfig,
  type EnvironmentWorkerConfig,
  readEnvironmentConfig,
  workerConfigFor,
} from "./store/config.ts";
export {
  brmstsHome,
  type EnvironmentPaths,
  environmentPaths,
  setBrmstsHome,
} from "./store/home.ts";
export { type EnvironmentState } from "./store/state.ts";
export { type InstallRPackageOptions } from "./install.ts";
export { type InstalledRPackage } from "./library.ts";
export { type BrmsSetupReport, type InstallBrmsOptions } from "./brms_setup.ts";
export { type Toolchain } from "./probe.ts";
export {
  EnvironmentConfigError,
  EnvironmentError,
  EnvironmentLockError,
  type MissingRequirement,
  MissingRequirementsError,
  RPackageInstallError,
} from "./store/errors.ts";
