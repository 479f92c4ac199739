/**
 * `manage()`: change the R session safely at run time. The current worker is stopped and a
 * fresh one starts in the chosen environment; packages can then be installed, removed,
 * reinstalled, and the R installation switched, without restarting the host program. On
 * dispose the configuration is persisted, the environment becomes the active one, and the
 * worker restarts under it.
 *
 * @module
 */
import { mkdirSync, realpathSync } from "node:fs";
import type { RWorker, WorkerConfig } from "../worker/mod.ts";
import { defaultWorker } from "../worker/mod.ts";
import { isDir, removeTree } from "./store/fs.ts";
import { type InstalledRPackage, libraryPackages, openContexts } from "./library.ts";
import { type BrmsSetupReport, type InstallBrmsOptions, setUpBrms } from "./brms_setup.ts";
import {
  type EnvironmentConfig,
  hasEnvironment,
  parseEnvironmentConfig,
  readEnvironmentConfig,
  workerConfigFor,
  writeEnvironmentConfig,
} from "./store/config.ts";
import { EnvironmentError } from "./store/errors.ts";
import { environmentPaths, validateEnvironmentName } from "./store/home.ts";
import {
  installIntoLibrary,
  type InstallRPackageOptions,
  type InstallTarget,
  isLocalSource,
  recoverLibrary,
  removeFromLibrary,
} from "./install.ts";
import { withHomeLock } from "./lock.ts";
import { readState, writeState } from "./store/state.ts";

/**
 * Options of {@link manage}. Fields given replace the environment's stored ones; fields left
 * out keep them.
 *
 * @example
 * ```ts
 * const opts: ManageOptions = { environmentName: "legacy", rHome: "/opt/R/4.1/lib/R" };
 * ```
 */
export interface ManageOptions {
  /** The environment (created if new). Default: the active one, else `"default"`. */
  environmentName?: string;
  /** R installation to use; null returns to the default R. */
  rHome?: string | null;
  /** Extra environment variables of the worker (replaces the stored set). */
  env?: Record<string, string>;
  /** R code run in every fresh worker of the environment (replaces the stored list). */
  startupScripts?: string[];
  /** The worker to manage (default: the process-wide default worker). */
  worker?: RWorker;
}

const rStr = (s: string) => JSON.stringify(s);
const PKG = /^[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9]$/;

function pkgName(name: unknown): string {
  if (typeof name !== "string" || !PKG.test(name)) {
    throw new EnvironmentError(`${JSON.stringify(name)} is not an R package name`);
  }
  return name;
}

/**
 * An open management session on one environment. Obtain it from {@link manage}; release it
 * with `await using` or {@link ManageContext.dispose}.
 *
 * @example
 * ```ts
 * await using ctx = await manage({ environmentName: "dev" });
 * await ctx.installRPackage("./tinypkg_0.1.0.tar.gz");
 * ```
 */
export class ManageContext {
  readonly #worker: RWorker;
  readonly #config: EnvironmentConfig;
  readonly #rBin: string;
  #closed = false;

  /** @internal Use {@link manage}. */
  constructor(worker: RWorker, config: EnvironmentConfig, rBin: string) {
    this.#worker = worker;
    this.#config = config;
    this.#rBin = rBin;
  }

  /** The environment's name. */
  get environmentName(): string {
    return this.#config.name;
  }

  /** The environment's R library (first in the worker's `.libPaths()`). */
  get library(): string {
    return environmentPaths(this.#config.name).library;
  }

  /** The configuration that will be persisted on dispose. */
  get config(): EnvironmentConfig {
    return structuredClone(this.#config);
  }

  /** The worker this context drives. */
  get worker(): RWorker {
    return this.#worker;
  }

  #open(): void {
    if (this.#closed) throw new EnvironmentError("this manage() context is closed");
  }

  #target(): InstallTarget {
    const paths = environmentPaths(this.#config.name);
    return {
      environment: this.#config.name,
      dir: paths.dir,
      library: paths.library,
      rBin: this.#rBin,
      env: workerConfigFor(this.#config).env ?? {},
    };
  }

  /** Restarts the worker when it has loaded one of `names` (its code is now stale). */
  async #afterChange(names: string[]): Promise<void> {
    if (names.length === 0) return;
    const loaded = await this.#worker.eval(
      `any(c(${names.map(rStr).join(", ")}) %in% loadedNamespaces())`,
    );
    if (loaded === true) await this.#worker.configure(this.#worker.config);
  }

  /**
   * Installs an R package into the environment library: a source tarball or package directory,
   * or a name from `repos` (a CRAN mirror; R's `getOption("repos")` when not given). The build
   * runs in a staging library; a failure leaves the environment library exactly as it was. If
   * the worker had the package loaded, it is restarted so the new code is used.
   *
   * @example
   * ```ts
   * import type { ManageContext } from "../mod.ts";
   * declare const ctx: ManageContext;
   * await ctx.installRPackage("/tmp/tinypkg_0.2.0.tar.gz");
   * await ctx.installRPackage("MCMCglmm", { repos: "https://cloud.r-project.org" });
   * ```
   */
  async installRPackage(
    nameOrTarball: string,
    opts: InstallRPackageOptions = {},
  ): Promise<InstalledRPackage[]> {
    this.#open();
    const o = { ...opts };
    if (!isLocalSource(nameOrTarball)) {
      pkgName(nameOrTarball);
      if (o.repos === undefined) {
        const r = await this.#worker.eval(
          `r <- getOption("repos"); as.character(r[!is.na(r) & r != "@CRAN@"])`,
        );
        o.repos = ([] as string[]).concat(r as string[]);
        if (o.repos.length === 0) {
          throw new EnvironmentError(
            `installing "${nameOrTarball}" by name needs a CRAN-like repository: pass ` +
              `{ repos: "https://cloud.r-project.org" } (R has none configured: ` +
              `getOption("repos") is "@CRAN@"), or give the path of a source tarball`,
          );
        }
      }
      if (o.version !== undefined && !(await this.isRPackageInstalled("remotes"))) {
        throw new EnvironmentError(
          `installing version ${o.version} of "${nameOrTarball}" needs the R package remotes, ` +
            `which is not installed: run ctx.installRPackage("remotes", { repos }) or ` +
            `sudo apt-get install r-cran-remotes, or install a source tarball of that version`,
        );
      }
    }
    const installed = await installIntoLibrary(this.#target(), nameOrTarball, o);
    await this.#afterChange(installed.map((p) => p.name));
    return installed;
  }

  /**
   * Removes an R package from the environment library. Resolves to false when it was not
   * installed; refuses (throws) for a package that lives outside the environment library, since
   * the system R installation is never modified.
   *
   * @example
   * ```ts
   * import type { ManageContext } from "../mod.ts";
   * declare const ctx: ManageContext;
   * if (await ctx.isRPackageInstalled("tinypkg")) await ctx.uninstallRPackage("tinypkg");
   * ```
   */
  async uninstallRPackage(name: string): Promise<boolean> {
    this.#open();
    pkgName(name);
    const lib = this.library;
    const removed = await withHomeLock(() => removeFromLibrary(lib, name));
    if (!removed) {
      const where = await this.#worker.eval(
        `find.package(${rStr(name)}, lib.loc = .libPaths(), quiet = TRUE)`,
      );
      const paths = ([] as string[]).concat(where as string[]);
      if (paths.length) {
        throw new EnvironmentError(
          `"${name}" is installed in ${paths[0]}, outside environment ` +
            `"${this.#config.name}"'s library; brmsts never modifies the system R installation`,
        );
      }
      return false;
    }
    await this.#afterChange([name]);
    return true;
  }

  /**
   * True when the worker can load the package from one of its library paths (the environment
   * library or the system library).
   *
   * @example
   * ```ts
   * import type { ManageContext } from "../mod.ts";
   * declare const ctx: ManageContext;
   * await ctx.isRPackageInstalled("brms"); // true (system library)
   * ```
   */
  async isRPackageInstalled(name: string): Promise<boolean> {
    this.#open();
    pkgName(name);
    const n = await this.#worker.eval(
      `length(find.package(${rStr(name)}, lib.loc = .libPaths(), quiet = TRUE))`,
    );
    return Number(n) > 0;
  }

  /**
   * The packages installed in the environment library (not the system library).
   *
   * @example
   * ```ts
   * import type { ManageContext } from "../mod.ts";
   * declare const ctx: ManageContext;
   * console.log((await ctx.listRPackages()).map((p) => `${p.name} ${p.version}`));
   * ```
   */
  listRPackages(): Promise<InstalledRPackage[]> {
    this.#open();
    return Promise.resolve(libraryPackages(this.library));
  }

  /**
   * Attaches packages in the worker (`library(name)`), failing with R's error for a package
   * that is not installed or does not load.
   *
   * @example
   * ```ts
   * import type { ManageContext } from "../mod.ts";
   * declare const ctx: ManageContext;
   * await ctx.importRPackages("tinypkg", "stats");
   * ```
   */
  async importRPackages(...names: string[]): Promise<void> {
    this.#open();
    for (const n of names) {
      pkgName(n);
      await this.#worker.eval(
        `suppressPackageStartupMessages(library(${rStr(n)}, character.only = TRUE))`,
      );
    }
  }

  /**
   * Checks that brms, rstan, g++, make and Boost headers are present; installs missing R
   * packages from `repos` when given; otherwise throws a `MissingRequirementsError` that says
   * exactly what to install.
   *
   * @example
   * ```ts
   * import type { ManageContext } from "../mod.ts";
   * declare const ctx: ManageContext;
   * const report = await ctx.installBrms();
   * console.log(report.brms, report.toolchain.gxx);
   * ```
   */
  async installBrms(opts: InstallBrmsOptions = {}): Promise<BrmsSetupReport> {
    this.#open();
    const report = await setUpBrms(this.#worker, this.#target(), opts);
    await this.#afterChange(report.installed.map((p) => p.name));
    return report;
  }

  /**
   * Closes the context: persists the configuration, makes the environment the active one, and
   * restarts the worker under it (lazily, on the next call). Idempotent.
   *
   * @example
   * ```ts
   * declare const tarball: any;
   * const ctx = await manage({ environmentName: "dev" });
   * try { await ctx.installRPackage(tarball); } finally { await ctx.dispose(); }
   * ```
   */
  async dispose(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    openContexts.delete(this.#worker);
    const cfg = this.#config;
    await withHomeLock(() => {
      writeEnvironmentConfig(cfg);
      writeState(cfg.name);
    });
    await this.#worker.configure(workerConfigFor(cfg));
  }

  /** `await using` support: same as {@link ManageContext.dispose}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

/**
 * Stops the worker and starts a fresh one in an environment (created when new), returning a
 * context to change it. Use with `await using`; on dispose the resulting configuration is
 * persisted, recorded as active, and the worker restarts under it.
 *
 * @example
 * ```ts
 * import { evalR } from "../mod.ts";
 * {
 *   await using ctx = await manage({ environmentName: "dev" });
 *   await ctx.installRPackage("/tmp/tinypkg_0.1.0.tar.gz");
 *   await ctx.importRPackages("tinypkg");
 * }
 * await evalR("tinypkg::hello()"); // the worker now runs in "dev"
 * ```
 */
export async function manage(opts: ManageOptions = {}): Promise<ManageContext> {
  const worker = opts.worker ?? defaultWorker();
  if (openContexts.has(worker)) {
    throw new EnvironmentError("a manage() context is already open on this worker");
  }
  const name = validateEnvironmentName(
    opts.environmentName ?? readState().active ?? "default",
  );
  const paths = environmentPaths(name);
  const existedBefore = isDir(paths.dir);
  const cfg = await withHomeLock(() => {
    const base: EnvironmentConfig = hasEnvironment(name)
      ? readEnvironmentConfig(name)
      : { name, rHome: null, env: {}, startupScripts: [] };
    const merged = parseEnvironmentConfig(
      {
        schema: 1,
        name,
        rHome: opts.rHome !== undefined ? opts.rHome : base.rHome,
        env: opts.env ?? base.env,
        startupScripts: opts.startupScripts ?? base.startupScripts,
      },
      `manage() options for environment "${name}"`,
      name,
    );
    recoverLibrary(paths.dir, paths.library);
    return merged;
  });
  const previous: WorkerConfig = worker.config;
  openContexts.add(worker);
  try {
    await worker.configure(workerConfigFor(cfg));
    mkdirSync(paths.library, { recursive: true });
    const r = await worker.eval(`list(lib = .libPaths()[1], bin = R.home("bin"))`) as {
      lib: string;
      bin: string;
    };
    if (r.lib !== realpathSync(paths.library)) {
      throw new EnvironmentError(
        `the R worker did not put environment "${name}"'s library first in .libPaths(): ` +
          `expected ${paths.library}, got ${r.lib}`,
      );
    }
    return new ManageContext(worker, cfg, r.bin);
  } catch (e) {
    openContexts.delete(worker);
    await worker.configure(previous);
    if (!existedBefore) await withHomeLock(() => removeTree(paths.dir)).catch(() => {});
    throw e;
  }
}
