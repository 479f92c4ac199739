/**
 * Main side: the wire form to JS values.
 *
 * Mapping (simple codec): a length-1 unnamed atomic vector becomes a scalar, a longer one an
 * array; a named atomic vector or a named list becomes an object; an unnamed list an array;
 * NA becomes `null`; NULL becomes `null`; factors become their labels; objects without a plain
 * form arrive as RObject handles.
 *
 * @module
 */
import type { Wire } from "./wire.ts";
import { unwireDouble } from "./wire.ts";

/** Builds RObject handles for `handle` leaves. */
export type HandleFactory = (w: Extract<Wire, { t: "handle" }>) => unknown;

function names(w: Wire): string[] | null {
  if (!("a" in w) || !w.a?.names) return null;
  const n = w.a.names;
  return n.t === "str" ? n.v.map((x) => x ?? "NA") : null;
}

/**
 * Converts a wire value to JS.
 *
 * @example
 * ```ts
 * decode({ t: "dbl", v: [1, "NA"] }, () => null); // [1, null]
 * ```
 */
export function decode(w: Wire, handle: HandleFactory): unknown {
  switch (w.t) {
    case "null":
      return null;
    case "handle":
      return handle(w);
    case "code":
      throw new TypeError("R code leaves only travel to the worker");
    case "list": {
      const items = w.v.map((x) => decode(x, handle));
      const nm = names(w);
      if (!nm) return items;
      return Object.fromEntries(nm.map((k, i) => [k, items[i]]));
    }
  }
  let values: unknown[];
  if (w.t === "dbl") values = w.v.map(unwireDouble);
  else values = w.v;
  const levels = w.a?.levels;
  if (w.t === "int" && levels && levels.t === "str") {
    values = (values as (number | null)[]).map((c) => (c === null ? null : levels.v[c - 1]));
  }
  const nm = names(w);
  if (nm) return Object.fromEntries(nm.map((k, i) => [k, values[i]]));
  if (values.length === 1 && !w.a?.dim) return values[0];
  return values;
}
