/**
 * `installBrms()`: checks that brms, rstan and a working C++ toolchain are there, installs the
 * R packages from a repository when one is given, and otherwise says exactly what to install.
 *
 * @module
 */
import type { RWorker } from "../worker/mod.ts";
import type { InstalledRPackage } from "./library.ts";
import { type MissingRequirement, MissingRequirementsError } from "./store/errors.ts";
import { installIntoLibrary, type InstallTarget } from "./install.ts";
import { probeR, probeToolchain, type Toolchain, workerProcessEnv } from "./probe.ts";

/**
 * Options of `ctx.installBrms()`.
 *
 * @example
 * ```ts
 * import type { ManageContext } from "../mod.ts";
 * declare const ctx: ManageContext;
 * await ctx.installBrms({ repos: "https://cloud.r-project.org" });
 * ```
 */
export interface InstallBrmsOptions {
  /** CRAN-like repositories to install missing R packages (brms, rstan) from. */
  repos?: string | string[];
  /** Receives R's build output. */
  onLog?: (text: string) => void;
}

/**
 * What `ctx.installBrms()` found (and installed).
 *
 * @example
 * ```ts
 * import type { ManageContext } from "../mod.ts";
 * declare const ctx: ManageContext;
 * const r: BrmsSetupReport = await ctx.installBrms();
 * console.log(r.brms, r.rstan, r.toolchain.gxx, r.canCompileStan);
 * ```
 */
export interface BrmsSetupReport {
  /** The environment brms was set up in. */
  environment: string;
  /** brms's version afterwards, or null. */
  brms: string | null;
  /** rstan's version afterwards, or null. */
  rstan: string | null;
  /** cmdstanr's version afterwards, or null. */
  cmdstanr: string | null;
  /** The C++ toolchain found. */
  toolchain: Toolchain;
  /** The include directory holding Boost headers, or null. */
  boost: string | null;
  /** True: g++, make, rstan and Boost headers are all present. */
  canCompileStan: boolean;
  /** Packages this call installed into the environment library. */
  installed: InstalledRPackage[];
}

/** Debian/Ubuntu packages providing each requirement. */
const APT: Record<string, string> = {
  "R package brms": "r-cran-brms",
  "R package rstan": "r-cran-rstan",
  "g++": "g++",
  make: "make",
  "Boost headers": "libboost-dev",
};

async function check(worker: RWorker) {
  const [probe, toolchain] = await Promise.all([
    probeR(worker),
    probeToolchain(workerProcessEnv(worker)),
  ]);
  const missing: string[] = [];
  if (probe.brms === null) missing.push("R package brms");
  if (probe.rstan === null) missing.push("R package rstan");
  if (toolchain.gxx === null) missing.push("g++");
  if (toolchain.make === null) missing.push("make");
  if (probe.boost === null) missing.push("Boost headers");
  return { probe, toolchain, missing };
}

/**
 * The checks and installs behind `ctx.installBrms()`, for a worker running in `target`'s
 * environment.
 *
 * @example
 * ```ts
 * import { type RWorker } from "../mod.ts";
 * declare const target: any;
 * declare const worker: RWorker;
 * const report = await setUpBrms(worker, target, {});
 * ```
 */
export async function setUpBrms(
  worker: RWorker,
  target: InstallTarget,
  opts: InstallBrmsOptions,
): Promise<BrmsSetupReport> {
  let { probe, toolchain, missing } = await check(worker);
  const installed: InstalledRPackage[] = [];
  const rMissing = missing.filter((m) => m.startsWith("R package ")).map((m) => m.slice(10));
  if (rMissing.length && opts.repos !== undefined) {
    // rstan first: a failure then names the package that really failed.
    for (const pkg of ["rstan", "brms"].filter((p) => rMissing.includes(p))) {
      installed.push(
        ...await installIntoLibrary(target, pkg, { repos: opts.repos, onLog: opts.onLog }),
      );
    }
    ({ probe, toolchain, missing } = await check(worker));
  }
  if (missing.length) {
    const reqs: MissingRequirement[] = missing.map((what) => ({ what, aptPackage: APT[what] }));
    // r-cran-brms pulls r-cran-rstan.
    const apt = [...new Set(reqs.map((r) => r.aptPackage))].filter((p) =>
      !(p === "r-cran-rstan" && missing.includes("R package brms"))
    );
    const aptCommand = `sudo apt-get install -y --no-install-recommends ${apt.join(" ")}`;
    const rOnly = reqs.some((r) => r.what.startsWith("R package"));
    throw new MissingRequirementsError(
      `brms cannot fit models in environment "${target.environment}": missing ` +
        `${missing.join(", ")}. On Debian/Ubuntu install ${
          apt.length > 1 ? "them" : "it"
        } with:\n  ${aptCommand}` +
        (rOnly && opts.repos === undefined
          ? `\n(or pass { repos: "<CRAN mirror URL>" } to installBrms() to install the missing R ` +
            `packages into this environment; g++, make and Boost come from the system)`
          : ""),
      reqs,
      aptCommand,
    );
  }
  return {
    environment: target.environment,
    brms: probe.brms,
    rstan: probe.rstan,
    cmdstanr: probe.cmdstanr,
    toolchain,
    boost: probe.boost,
    canCompileStan: true,
    installed,
  };
}
