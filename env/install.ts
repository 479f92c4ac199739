/**
 * Installing R packages into an environment library without ever leaving it half-changed.
 *
 * R installs into a private staging library (`R CMD INSTALL` or `install.packages` in a child
 * process); nothing touches the environment library until that succeeded. Then, under the home
 * lock, each package directory is renamed into the library (an existing version is first
 * renamed aside and restored if anything fails). A failed build therefore leaves the library
 * byte-identical. Leftovers of a crashed process are repaired by {@link recoverLibrary}.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import process from "node:process";
import { pidAlive } from "../native/process.ts";
import { removeTree, token } from "./store/fs.ts";
import { type InstalledRPackage, readDescription } from "./library.ts";
import { RPackageInstallError } from "./store/errors.ts";
import { withHomeLock } from "./lock.ts";

/**
 * Options of `ctx.installRPackage()`.
 *
 * @example
 * ```ts
 * const opts: InstallRPackageOptions = { repos: "https://cloud.r-project.org", version: "1.2.0" };
 * ```
 */
export interface InstallRPackageOptions {
  /** CRAN-like repositories for installing by name (passed to `install.packages`). */
  repos?: string | string[];
  /**
   * Required version. By name it needs the R package `remotes` and `repos`; for a tarball it is
   * checked against the tarball's DESCRIPTION before anything is installed.
   */
  version?: string;
  /** Receives R's build output as it happens (it is otherwise kept for error messages only). */
  onLog?: (text: string) => void;
}

/** Where and with what an install runs. */
export interface InstallTarget {
  /** Environment name (for messages). */
  environment: string;
  /** The environment directory (staging libraries are made here, on the library's disk). */
  dir: string;
  /** The environment library. */
  library: string;
  /** R's `bin` directory (holds `R` and `Rscript`). */
  rBin: string;
  /** Environment variables for R (the worker's configuration). */
  env: Record<string, string>;
}

const PKG_NAME = /^[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9]$/;

/**
 * True when `spec` names a local package source (a tarball path or a package directory)
 * rather than a package to fetch by name.
 *
 * @example
 * ```ts
 * isLocalSource("./tinypkg_0.1.0.tar.gz"); // true
 * isLocalSource("MCMCglmm"); // false
 * ```
 */
export function isLocalSource(spec: string): boolean {
  return /\.(tar\.gz|tgz|tar)$/.test(spec) || spec.includes("/") || !PKG_NAME.test(spec);
}

function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  onLog?: (text: string) => void,
): Promise<{ code: number | null; output: string }> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const reader = () => {
      const dec = new TextDecoder();
      return (b: Uint8Array) => {
        const s = dec.decode(b, { stream: true });
        output = (output + s).slice(-64_000);
        onLog?.(s);
      };
    };
    child.stdout!.on("data", reader());
    child.stderr!.on("data", reader());
    child.on("error", rej);
    child.on("close", (code) => res({ code, output }));
  });
}

function tail(text: string, lines = 25): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

function childEnv(target: InstallTarget): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, target.env);
  delete env.R_HOME; // the R launcher sets its own
  delete env.BRMSTS_R_HOME;
  return env;
}

const rString = (s: string) => JSON.stringify(s);

/** Installs into `staging`; resolves to the names R installed there or throws with R's log. */
async function build(
  target: InstallTarget,
  staging: string,
  spec: string,
  opts: InstallRPackageOptions,
): Promise<string[]> {
  const env = childEnv(target);
  let res: { code: number | null; output: string };
  let expected: string[] | null = null;
  if (isLocalSource(spec)) {
    const src = resolve(spec);
    if (!existsSync(src)) {
      throw new RPackageInstallError(`cannot install ${spec}: no such file`, spec, "");
    }
    res = await run(
      join(target.rBin, "R"),
      ["CMD", "INSTALL", `--library=${staging}`, "--no-multiarch", src],
      env,
      opts.onLog,
    );
  } else {
    expected = [spec];
    const repos = ([] as string[]).concat(opts.repos ?? []);
    const call = opts.version
      ? `remotes::install_version(${rString(spec)}, version = ${rString(opts.version)}, ` +
        `repos = repos, lib = lib, upgrade = "never", dependencies = NA)`
      : `utils::install.packages(${rString(spec)}, lib = lib, repos = repos, dependencies = NA)`;
    const code = `options(warn = 1); lib <- ${rString(staging)}; ` +
      `repos <- c(${repos.map(rString).join(", ")}); ` +
      `.libPaths(c(lib, .libPaths())); ${call}`;
    res = await run(join(target.rBin, "Rscript"), ["-e", code], env, opts.onLog);
  }
  const installed = readdirSync(staging).filter((n) =>
    !n.startsWith(".") && !n.startsWith("00LOCK") &&
    existsSync(join(staging, n, "Meta", "package.rds"))
  );
  const missing = (expected ?? []).filter((n) => !installed.includes(n));
  if (res.code !== 0 || installed.length === 0 || missing.length > 0) {
    const how = res.code !== 0 ? `R exited with status ${res.code}` : "R installed nothing";
    throw new RPackageInstallError(
      `installing ${spec} into environment "${target.environment}" failed (${how}); ` +
        `the library was left unchanged. R's output ends with:\n${tail(res.output)}`,
      spec,
      tail(res.output, 200),
    );
  }
  return installed;
}

/** Moves staged packages into the library; on any failure puts everything back. */
function swapIn(staging: string, library: string, names: string[]): void {
  const done: { name: string; aside: string | null; moved: boolean }[] = [];
  try {
    for (const name of names) {
      const dest = join(library, name);
      const step = { name, aside: null as string | null, moved: false };
      done.push(step);
      if (existsSync(dest)) {
        step.aside = join(library, `.old-${name}-${token()}`);
        renameSync(dest, step.aside);
      }
      renameSync(join(staging, name), dest);
      step.moved = true;
    }
  } catch (e) {
    for (const step of done.reverse()) {
      const dest = join(library, step.name);
      if (step.moved) renameSync(dest, join(staging, step.name));
      if (step.aside) renameSync(step.aside, dest);
    }
    throw e;
  }
  for (const step of done) if (step.aside) rmSync(step.aside, { recursive: true, force: true });
}

/**
 * Installs a package (tarball, source directory, or a name from `repos`) into the target's
 * library, atomically; resolves to what was installed (the package and any dependencies R had
 * to fetch).
 *
 * @example
 * ```ts
 * declare const target: any;
 * const pkgs = await installIntoLibrary(target, "/tmp/tinypkg_0.1.0.tar.gz");
 * ```
 */
export async function installIntoLibrary(
  target: InstallTarget,
  spec: string,
  opts: InstallRPackageOptions = {},
): Promise<InstalledRPackage[]> {
  mkdirSync(target.library, { recursive: true });
  const staging = join(target.dir, `.staging-${token()}`);
  mkdirSync(staging);
  try {
    const names = await build(target, staging, spec, opts);
    if (opts.version && isLocalSource(spec)) {
      const got = names.map((n) => readDescription(join(staging, n))?.Version);
      if (!got.includes(opts.version)) {
        throw new RPackageInstallError(
          `${basename(spec)} has version ${got.join(", ")}, not the requested ${opts.version}; ` +
            `nothing was installed into environment "${target.environment}"`,
          spec,
          "",
        );
      }
    }
    await withHomeLock(() => swapIn(staging, target.library, names));
    return names.map((name) => ({
      name,
      version: readDescription(join(target.library, name))?.Version ?? "",
      path: join(target.library, name),
    }));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Removes package `name` from a library in one step (rename aside, then delete). Resolves to
 * false when it was not there. Callers hold the home lock.
 *
 * @example
 * ```ts
 * import { withHomeLock } from "./lock.ts";
 * declare const lib: any;
 * await withHomeLock(() => removeFromLibrary(lib, "tinypkg"));
 * ```
 */
export function removeFromLibrary(library: string, name: string): boolean {
  const dir = join(library, name);
  if (!existsSync(dir)) return false;
  removeTree(dir);
  return true;
}

function deadOwner(entry: string): boolean {
  const m = entry.match(/-(\d+)-[a-z0-9]+$/);
  if (!m) return false;
  return !pidAlive(Number(m[1]));
}

/**
 * Repairs what a crashed process may have left: restores a package that was renamed aside
 * during a swap and never replaced, and deletes stale staging and trash directories (only those
 * whose owning process is gone). Callers hold the home lock. Resolves to the restored names.
 *
 * @example
 * ```ts
 * import { withHomeLock } from "./lock.ts";
 * declare const envDir: any;
 * declare const library: any;
 * await withHomeLock(() => recoverLibrary(envDir, library));
 * ```
 */
export function recoverLibrary(envDir: string, library: string): string[] {
  const restored: string[] = [];
  for (const entry of existsSync(library) ? readdirSync(library) : []) {
    if (!entry.startsWith(".") || !deadOwner(entry)) continue;
    const old = entry.match(/^\.old-(.+)-\d+-[a-z0-9]+$/);
    const path = join(library, entry);
    if (old && !existsSync(join(library, old[1])) && statSync(path).isDirectory()) {
      renameSync(path, join(library, old[1]));
      restored.push(old[1]);
    } else if (old || entry.startsWith(".trash-")) {
      rmSync(path, { recursive: true, force: true });
    }
  }
  for (const entry of existsSync(envDir) ? readdirSync(envDir) : []) {
    if ((entry.startsWith(".staging-") || entry.startsWith(".trash-")) && deadOwner(entry)) {
      rmSync(join(envDir, entry), { recursive: true, force: true });
    }
  }
  return restored;
}
