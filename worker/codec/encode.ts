/**
 * Main side: JS values to the wire form. Rejects what R cannot hold before anything is sent.
 *
 * @module
 */
import { RObject } from "../robject.ts";
import { NamedArgs, RCode } from "./markers.ts";
import type { Wire } from "./wire.ts";
import { wireDouble } from "./wire.ts";

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Converts a JS value to the wire form.
 *
 * @throws {TypeError} for functions, symbols, cycles and other values without an R form.
 * @example
 * ```ts
 * encode([1, 2, NaN]); // { t: "dbl", v: [1, 2, "NaN"] }
 * ```
 */
export function encode(value: unknown, seen = new Set<object>(), path = "value"): Wire {
  if (value === null || value === undefined) return { t: "null" };
  switch (typeof value) {
    case "number":
      return { t: "dbl", v: [wireDouble(value, false)] };
    case "boolean":
      return { t: "lgl", v: [value] };
    case "string":
      return { t: "str", v: [checkString(value, path)] };
    case "bigint":
      if (value > 2147483647n || value < -2147483647n) {
        throw new RangeError(`${path}: ${value} does not fit R's 32-bit integer`);
      }
      return { t: "int", v: [Number(value)] };
    case "function":
    case "symbol":
      throw new TypeError(`${path}: a ${typeof value} has no R form`);
  }
  const obj = value as object;
  if (obj instanceof RObject) {
    obj.assertUsable();
    return { t: "handle", id: obj.id };
  }
  if (obj instanceof RCode) return { t: "code", src: obj.code };
  if (obj instanceof NamedArgs) throw new TypeError(`${path}: named() is only valid in callR args`);
  if (obj instanceof Float64Array || obj instanceof Float32Array) {
    return { t: "dbl", v: Array.from(obj, (x) => wireDouble(x, false)) };
  }
  if (obj instanceof Int32Array || obj instanceof Int16Array || obj instanceof Int8Array) {
    return { t: "int", v: Array.from(obj) };
  }
  if (seen.has(obj)) throw new TypeError(`${path}: cyclic structure cannot be sent to R`);
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return encodeArray(obj, seen, path);
    if (obj instanceof Date) return { t: "dbl", v: [obj.getTime() / 86400000], a: dateClass() };
    if (!isPlainObject(obj)) {
      throw new TypeError(`${path}: ${obj.constructor?.name ?? "object"} has no R form`);
    }
    const keys = Object.keys(obj);
    const v = keys.map((k) => encode((obj as Record<string, unknown>)[k], seen, `${path}.${k}`));
    return { t: "list", v, a: { names: { t: "str", v: keys } } };
  } finally {
    seen.delete(obj);
  }
}

function dateClass() {
  return { class: { t: "str", v: ["Date"] } } as Record<string, Wire>;
}

function checkString(s: string, path: string): string {
  if (s.includes("\0")) throw new TypeError(`${path}: R strings cannot contain NUL characters`);
  return s;
}

function encodeArray(arr: unknown[], seen: Set<object>, path: string): Wire {
  const kinds = new Set(arr.filter((x) => x !== null && x !== undefined).map((x) => typeof x));
  if (arr.length > 0 && kinds.size === 1) {
    const [kind] = kinds;
    if (kind === "number") {
      return { t: "dbl", v: arr.map((x) => (x == null ? "NA" : wireDouble(x as number, false))) };
    }
    if (kind === "string") {
      return {
        t: "str",
        v: arr.map((x, i) => (x == null ? null : checkString(x as string, `${path}[${i}]`))),
      };
    }
    if (kind === "boolean") {
      return { t: "lgl", v: arr.map((x) => (x == null ? null : x as boolean)) };
    }
  }
  return { t: "list", v: arr.map((x, i) => encode(x, seen, `${path}[${i}]`)) };
}
