/**
 * Finds the R installation to embed: `BRMSTS_R_HOME`, else `R_HOME`, else `R RHOME`; plus the
 * split directories (Debian puts share/, include/ and doc/ outside R_HOME) read from R's launcher.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RNotFoundError } from "./errors.ts";

/** Where an R installation lives. */
export interface RHome {
  /** R_HOME, e.g. `/usr/lib/R`. */
  home: string;
  /** Path of the shared library `libR.so`. */
  libR: string;
  /** R_SHARE_DIR, R_INCLUDE_DIR and R_DOC_DIR, as R's launcher exports them. */
  dirs: { R_SHARE_DIR: string; R_INCLUDE_DIR: string; R_DOC_DIR: string };
}

const INSTALL_HINT = "Install R with brms and a C++ toolchain, e.g. on Debian/Ubuntu:\n" +
  "  sudo apt-get install -y --no-install-recommends r-base-core r-cran-brms g++ make\n" +
  "or point BRMSTS_R_HOME at an R installation (the directory `R RHOME` prints).";

function rhomeFromLauncher(): string {
  try {
    return execFileSync("R", ["RHOME"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      .trim();
  } catch {
    throw new RNotFoundError(`R was not found on PATH (\`R RHOME\` failed).\n${INSTALL_HINT}`);
  }
}

/**
 * Resolves R_HOME and the split directories.
 *
 * @example
 * ```ts
 * const r = discoverRHome(Deno.env.toObject());
 * console.log(r.home, r.libR);
 * ```
 */
export function discoverRHome(env: Record<string, string | undefined>): RHome {
  const home = env.BRMSTS_R_HOME || env.R_HOME || rhomeFromLauncher();
  const libR = join(home, "lib", "libR.so");
  if (!existsSync(libR)) {
    throw new RNotFoundError(
      `${libR} does not exist: R at ${home} was not built as a shared library or is not R.\n${INSTALL_HINT}`,
    );
  }
  const dirs = {
    R_SHARE_DIR: join(home, "share"),
    R_INCLUDE_DIR: join(home, "include"),
    R_DOC_DIR: join(home, "doc"),
  };
  const launcher = join(home, "bin", "R");
  if (existsSync(launcher)) {
    const text = readFileSync(launcher, "utf8");
    for (const key of Object.keys(dirs) as (keyof typeof dirs)[]) {
      const m = text.match(new RegExp(`^${key}=(.+)$`, "m"));
      if (m && !m[1].includes("$")) dirs[key] = m[1].trim().replace(/^["']|["']$/g, "");
    }
  }
  for (const key of Object.keys(dirs) as (keyof typeof dirs)[]) {
    if (env[key]) dirs[key] = env[key]!;
  }
  return { home, libR, dirs };
}
