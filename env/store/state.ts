/**
 * The state file (`<home>/state.json`): which environment is active. Written atomically
 * (temporary file + rename) under the home lock; read without a lock.
 *
 * ```json
 * { "schema": 1, "active": "dev", "updatedAt": "2025-01-01T00:00:00.000Z" }
 * ```
 *
 * @module
 */
import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { errnoCode, writeFileAtomic } from "./fs.ts";
import { parseJsonFile } from "./config.ts";
import { EnvironmentConfigError } from "./errors.ts";
import { stateFile, validateEnvironmentName } from "./home.ts";

/**
 * The recorded state: the active environment (null: plain system R).
 *
 * @example
 * ```ts
 * const s: EnvironmentState = { active: "dev", updatedAt: new Date().toISOString() };
 * ```
 */
export interface EnvironmentState {
  /** The active environment, or null when none is (the worker runs the plain system R). */
  active: string | null;
  /** When the state was last written (ISO 8601), or null when it never was. */
  updatedAt: string | null;
}

const KEYS = ["schema", "active", "updatedAt"];

/**
 * Reads the state file; a missing file means no active environment. A corrupt or hand-edited
 * file raises an {@link EnvironmentConfigError} naming it.
 *
 * @example
 * ```ts
 * const { active } = readState();
 * ```
 */
export function readState(): EnvironmentState {
  const file = stateFile();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return { active: null, updatedAt: null };
    throw new EnvironmentConfigError(file, `cannot be read (${(e as Error).message})`);
  }
  const v = parseJsonFile(text, file);
  const bad = (problem: string): never => {
    throw new EnvironmentConfigError(file, problem);
  };
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad("expected a JSON object");
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!KEYS.includes(k)) bad(`unknown key "${k}" (allowed: ${KEYS.join(", ")})`);
  }
  if (o.schema !== 1) bad(`"schema" must be 1, found ${JSON.stringify(o.schema) ?? "nothing"}`);
  const active = o.active ?? null;
  if (active !== null) {
    if (typeof active !== "string") bad(`"active" must be an environment name or null`);
    try {
      validateEnvironmentName(active);
    } catch (e) {
      bad(`"active": ${(e as Error).message}`);
    }
  }
  const updatedAt = o.updatedAt ?? null;
  if (updatedAt !== null && typeof updatedAt !== "string") bad(`"updatedAt" must be a string`);
  return { active: active as string | null, updatedAt: updatedAt as string | null };
}

/**
 * Records `active` as the active environment (atomically). Callers hold the home lock.
 *
 * @example
 * ```ts
 * import { withHomeLock } from "../lock.ts";
 * await withHomeLock(() => writeState("dev"));
 * ```
 */
export function writeState(active: string | null): EnvironmentState {
  if (active !== null) validateEnvironmentName(active);
  const file = stateFile();
  mkdirSync(dirname(file), { recursive: true });
  const state = { active, updatedAt: new Date().toISOString() };
  writeFileAtomic(file, JSON.stringify({ schema: 1, ...state }, null, 2) + "\n");
  return state;
}
