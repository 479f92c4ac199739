/**
 * Shared plumbing of the tree classes: immutability, option checks, and
 * telling option objects from trees.
 *
 * @module
 */

import { SpecError } from "./errors.ts";
import { describe } from "./scan.ts";

/** Freezes plain data recursively. */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === "object" && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/**
 * Copies the defined entries of `src` onto `target` (so that `undefined`
 * options do not appear in the JSON) and freezes both deeply.
 */
export function assignFrozen<T extends object>(target: T, src: Record<string, unknown>): T {
  for (const [k, v] of Object.entries(src)) {
    if (v !== undefined) (target as Record<string, unknown>)[k] = deepFreeze(v);
  }
  return Object.freeze(target);
}

/** Whether `v` is a plain object (object literal or parsed JSON). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Whether `v` is an options object: a plain object that is not a tree. */
export function isOptions(v: unknown): v is Record<string, unknown> {
  return isPlainObject(v) && !("kind" in v);
}

/** The `kind` of a tree (class instance or plain node), if any. */
export function kindOf(v: unknown): string | undefined {
  if (v === null || typeof v !== "object") return undefined;
  const kind = (v as { kind?: unknown }).kind;
  return typeof kind === "string" ? kind : undefined;
}

/** Splits variadic arguments into the items and a trailing options object. */
export function splitOptions<T>(
  args: readonly unknown[],
): [items: T[], options: Record<string, unknown>] {
  const last = args.at(-1);
  return isOptions(last) ? [args.slice(0, -1) as T[], last] : [args as T[], {}];
}

/** Rejects option names a function does not know. */
export function checkKeys(
  options: Record<string, unknown>,
  allowed: readonly string[],
  what: string,
): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new SpecError(
        `${what}: unknown option '${key}' (allowed: ${allowed.join(", ")})`,
      );
    }
  }
}

/** Checks an optional boolean option. */
export function optBool(v: unknown, name: string, what: string): boolean | undefined {
  if (v === undefined || typeof v === "boolean") return v;
  throw new SpecError(`${what}: '${name}' must be true or false, got ${describe(v)}`);
}

/** Checks an optional non-empty string option. */
export function optString(v: unknown, name: string, what: string): string | undefined {
  if (v === undefined || (typeof v === "string" && v !== "")) return v;
  throw new SpecError(`${what}: '${name}' must be a non-empty string, got ${describe(v)}`);
}

/** Checks the `decomp` option (brms's `decomp_opts()`). */
export function optDecomp(v: unknown, what: string): "none" | "QR" | undefined {
  if (v === undefined || v === "none" || v === "QR") return v;
  throw new SpecError(`${what}: 'decomp' must be "none" or "QR", got ${describe(v)}`);
}
