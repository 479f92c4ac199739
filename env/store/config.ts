/**
 * An environment's `config.json`: schema, validation (errors name the file and the problem),
 * atomic writes, and the worker configuration an environment stands for.
 *
 * ```json
 * { "schema": 1, "name": "dev", "rHome": null, "env": {}, "startupScripts": [] }
 * ```
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { errnoCode, writeFileAtomic } from "./fs.ts";
import { EnvironmentConfigError, EnvironmentError } from "./errors.ts";
import { environmentPaths, validateEnvironmentName } from "./home.ts";

/** The schema version written by this code. */
export const CONFIG_SCHEMA = 1;

/**
 * How an environment's worker starts. Its library is always first in `.libPaths()`, in front
 * of the system library.
 *
 * @example
 * ```ts
 * const cfg: EnvironmentConfig = {
 *   name: "dev", rHome: null, env: { OMP_NUM_THREADS: "1" }, startupScripts: ["options(mc.cores = 2)"],
 * };
 * ```
 */
export interface EnvironmentConfig {
  /** The environment's name (its directory name). */
  name: string;
  /** R installation to use; null for the one on PATH / `BRMSTS_R_HOME`. */
  rHome: string | null;
  /** Extra environment variables of the worker. */
  env: Record<string, string>;
  /** R code run in every fresh worker of this environment. */
  startupScripts: string[];
}

const KEYS = ["schema", "name", "rHome", "env", "startupScripts"];
/** Variables brmsts sets itself for an environment's worker. */
const RESERVED = ["R_LIBS_USER", "BRMSTS_ENVIRONMENT", "BRMSTS_R_HOME"];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Validates a parsed `config.json` value. `file` is used in errors; `expectedName` (the
 * directory name) must match the `name` field.
 *
 * @example
 * ```ts
 * declare const text: any;
 * const cfg = parseEnvironmentConfig(JSON.parse(text), "/x/config.json", "dev");
 * ```
 */
export function parseEnvironmentConfig(
  value: unknown,
  file: string,
  expectedName?: string,
): EnvironmentConfig {
  const bad = (problem: string): never => {
    throw new EnvironmentConfigError(file, problem);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    bad(`expected a JSON object, found ${describe(value)}`);
  }
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!KEYS.includes(k)) bad(`unknown key "${k}" (allowed: ${KEYS.join(", ")})`);
  }
  if (o.schema !== CONFIG_SCHEMA) {
    bad(`"schema" must be ${CONFIG_SCHEMA}, found ${describe(o.schema)}`);
  }
  if (typeof o.name !== "string") bad(`"name" must be a string, found ${describe(o.name)}`);
  try {
    validateEnvironmentName(o.name);
  } catch (e) {
    bad(`"name": ${(e as Error).message}`);
  }
  if (expectedName !== undefined && o.name !== expectedName) {
    bad(
      `"name" is ${JSON.stringify(o.name)} but the file belongs to environment "${expectedName}"`,
    );
  }
  const rHome = o.rHome ?? null;
  if (rHome !== null && (typeof rHome !== "string" || !isAbsolute(rHome))) {
    bad(`"rHome" must be null or an absolute path, found ${describe(rHome)}`);
  }
  const env = o.env ?? {};
  if (typeof env !== "object" || env === null || Array.isArray(env)) {
    bad(`"env" must be an object of strings, found ${describe(env)}`);
  }
  for (const [k, v] of Object.entries(env as Record<string, unknown>)) {
    if (!ENV_NAME.test(k)) bad(`"env": ${JSON.stringify(k)} is not a valid variable name`);
    if (typeof v !== "string") bad(`"env.${k}" must be a string, found ${describe(v)}`);
    if (RESERVED.includes(k)) {
      bad(`"env.${k}" is set by brmsts for every environment; remove it (use "rHome" for R)`);
    }
  }
  const scripts = o.startupScripts ?? [];
  if (!Array.isArray(scripts)) {
    bad(`"startupScripts" must be an array of strings, found ${describe(scripts)}`);
  }
  (scripts as unknown[]).forEach((s, i) => {
    if (typeof s !== "string") bad(`"startupScripts[${i}]" must be a string, found ${describe(s)}`);
  });
  return {
    name: o.name as string,
    rHome: rHome as string | null,
    env: { ...(env as Record<string, string>) },
    startupScripts: [...(scripts as string[])],
  };
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  const s = JSON.stringify(v);
  return `${typeof v} ${s.length > 60 ? s.slice(0, 57) + "..." : s}`;
}

/**
 * Parses JSON text, turning syntax errors into {@link EnvironmentConfigError}s naming `file`.
 *
 * @example
 * ```ts
 * parseJsonFile('{"a": 1', "/x/state.json"); // throws: /x/state.json: not valid JSON (...)
 * ```
 */
export function parseJsonFile(text: string, file: string): unknown {
  if (text.trim() === "") throw new EnvironmentConfigError(file, "the file is empty");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new EnvironmentConfigError(file, `not valid JSON (${(e as Error).message})`);
  }
}

/**
 * True when environment `name` exists (has a `config.json`).
 *
 * @example
 * ```ts
 * if (!hasEnvironment("dev")) console.log("run manage({ environmentName: 'dev' }) first");
 * ```
 */
export function hasEnvironment(name: string): boolean {
  return existsSync(environmentPaths(name).config);
}

/**
 * Reads and validates environment `name`'s `config.json`.
 *
 * @example
 * ```ts
 * const cfg = readEnvironmentConfig("dev");
 * console.log(cfg.rHome, cfg.startupScripts);
 * ```
 */
export function readEnvironmentConfig(name: string): EnvironmentConfig {
  const { config } = environmentPaths(name);
  let text: string;
  try {
    text = readFileSync(config, "utf8");
  } catch (e) {
    if (errnoCode(e) === "ENOENT") {
      throw new EnvironmentError(
        `environment "${name}" does not exist (no ${config}); create it with ` +
          `manage({ environmentName: "${name}" })`,
      );
    }
    throw new EnvironmentConfigError(config, `cannot be read (${(e as Error).message})`);
  }
  return parseEnvironmentConfig(parseJsonFile(text, config), config, name);
}

/**
 * Validates and writes an environment's `config.json` atomically, creating its directory and
 * library. Callers changing shared state hold the home lock.
 *
 * @example
 * ```ts
 * writeEnvironmentConfig({ name: "dev", rHome: null, env: {}, startupScripts: [] });
 * ```
 */
export function writeEnvironmentConfig(cfg: EnvironmentConfig): void {
  const paths = environmentPaths(cfg.name);
  const clean = parseEnvironmentConfig({ schema: CONFIG_SCHEMA, ...cfg }, paths.config, cfg.name);
  mkdirSync(paths.library, { recursive: true });
  writeFileAtomic(
    paths.config,
    JSON.stringify({ schema: CONFIG_SCHEMA, ...clean }, null, 2) + "\n",
  );
}

/**
 * What an environment sets in a worker's start-up configuration (a subset of `WorkerConfig` in
 * `worker/`, which this store does not import: the default worker reads it from here).
 *
 * @example
 * ```ts
 * const w: EnvironmentWorkerConfig = { env: { R_LIBS_USER: "/tmp/lib" }, startupScripts: [] };
 * ```
 */
export interface EnvironmentWorkerConfig {
  /** Environment variables for the worker (the environment's library first). */
  env?: Record<string, string>;
  /** R code run in every fresh worker before its first call. */
  startupScripts?: string[];
  /** R installation to use; absent for the system R. */
  rHome?: string;
}

/**
 * The worker configuration of an environment: its library first in `.libPaths()` (through
 * `R_LIBS` and `R_LIBS_USER`), then the system library; plus its R home, variables and
 * start-up scripts. `BRMSTS_ENVIRONMENT` tells the worker which environment it serves.
 *
 * @example
 * ```ts
 * import { configureWorker } from "../../mod.ts";
 * await configureWorker(workerConfigFor(readEnvironmentConfig("dev")));
 * ```
 */
export function workerConfigFor(cfg: EnvironmentConfig): EnvironmentWorkerConfig {
  return plainWorkerConfig(cfg);
}

/**
 * The key under which the active environment's worker configuration (`activeWorkerConfig()`)
 * names its environment (not enumerable, so a copy or an edit of the configuration drops it): a
 * worker started with such a configuration reads the environment's `config.json` again at each
 * start.
 *
 * @example
 * ```ts
 * import { ENVIRONMENT_OF_CONFIG } from "./config.ts";
 * typeof ENVIRONMENT_OF_CONFIG; // "symbol"
 * ```
 */
export const ENVIRONMENT_OF_CONFIG: unique symbol = Symbol.for("brmsts.environmentOfConfig");

function plainWorkerConfig(cfg: EnvironmentConfig): EnvironmentWorkerConfig {
  const { library } = environmentPaths(cfg.name);
  const extraLibs = cfg.env.R_LIBS ? `:${cfg.env.R_LIBS}` : "";
  const out: EnvironmentWorkerConfig = {
    env: {
      ...cfg.env,
      R_LIBS: library + extraLibs,
      R_LIBS_USER: library,
      BRMSTS_ENVIRONMENT: cfg.name,
    },
    startupScripts: [...cfg.startupScripts],
  };
  if (cfg.rHome) out.rHome = cfg.rHome;
  return out;
}
