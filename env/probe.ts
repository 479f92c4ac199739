/**
 * What the environment layer probes for `status()` (top-level `status.ts`): the active
 * environment, library paths and package versions as R sees them, the C++ toolchain and Boost
 * headers.
 *
 * @module
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import type { CallOptions, RWorker } from "../worker/mod.ts";
import { defaultWorker } from "../worker/mod.ts";

/**
 * The C++ toolchain found on the worker's PATH: the first line of `g++ --version` and
 * `make --version`, or null when the tool cannot be run.
 *
 * @example
 * ```ts
 * const t: Toolchain = { gxx: "g++ (Debian 12.2.0-14) 12.2.0", make: "GNU Make 4.3" };
 * ```
 */
export interface Toolchain {
  /** First line of `g++ --version`, or null. */
  gxx: string | null;
  /** First line of `make --version`, or null. */
  make: string | null;
}

function firstLine(cmd: string, env: Record<string, string>): Promise<string | null> {
  return new Promise((res) => {
    execFile(cmd, ["--version"], { env, timeout: 15_000 }, (err, stdout) => {
      if (err) return res(null);
      res(String(stdout).split("\n")[0].trim() || null);
    });
  });
}

/** The environment a worker configured with `config.env` runs its child processes with. */
export function workerProcessEnv(worker: RWorker): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return Object.assign(env, worker.config.env ?? {});
}

/**
 * Runs `g++ --version` and `make --version` with the given environment (default: this process's).
 *
 * @example
 * ```ts
 * const { gxx, make } = await probeToolchain();
 * ```
 */
export async function probeToolchain(env?: Record<string, string>): Promise<Toolchain> {
  const e = env ?? workerProcessEnv(defaultWorker());
  const [gxx, make] = await Promise.all([firstLine("g++", e), firstLine("make", e)]);
  return { gxx, make };
}

/** What R itself reports about the environment and Boost. */
export interface RProbe {
  environment: string | null;
  boost: string | null;
  brms: string | null;
  rstan: string | null;
  cmdstanr: string | null;
  libPaths: string[];
  rBin: string;
}

let probeSource: string | undefined;

/**
 * Asks a worker which environment it serves, where Boost is, and which versions of brms, rstan
 * and cmdstanr its library paths hold (read from disk, so packages installed since the worker
 * started are seen).
 *
 * @example
 * ```ts
 * import { defaultWorker } from "../mod.ts";
 * const p = await probeR(defaultWorker());
 * console.log(p.environment, p.libPaths[0]);
 * ```
 */
export async function probeR(worker: RWorker, opts: CallOptions = {}): Promise<RProbe> {
  probeSource ??= readFileSync(new URL("./probe.R", import.meta.url), "utf8");
  const v = await worker.eval(probeSource, { ...opts, convert: "auto" }) as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === "string" ? x : null);
  return {
    environment: str(v.environment),
    boost: str(v.boost),
    brms: str(v.brms),
    rstan: str(v.rstan),
    cmdstanr: str(v.cmdstanr),
    libPaths: ([] as string[]).concat(v.libPaths as string[] ?? []),
    rBin: String(v.rBin),
  };
}
