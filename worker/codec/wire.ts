/**
 * The wire form of R values: a JSON-serialisable tree that both processes understand. Leaves
 * carry their data inline here; the shared-memory codecs swap inline data for segment
 * references without changing the tree's shape.
 *
 * @module
 */

/** A double on the wire: a number, or one of the strings that JSON cannot carry. */
export type WireDouble = number | "NA" | "NaN" | "Inf" | "-Inf" | "-0";

/** Attributes that matter for conversion (names, dim, dimnames, class, levels, row.names …). */
export type WireAttrs = Record<string, Wire>;

/** An R value on the wire. */
export type Wire =
  | { t: "null" }
  | { t: "lgl"; v: (boolean | null)[]; a?: WireAttrs }
  | { t: "int"; v: (number | null)[]; a?: WireAttrs }
  | { t: "dbl"; v: WireDouble[]; a?: WireAttrs }
  | { t: "str"; v: (string | null)[]; a?: WireAttrs }
  | { t: "list"; v: Wire[]; a?: WireAttrs }
  /** An R object kept alive in the worker. `type` is R's typeof(). */
  | { t: "handle"; id: number; cls?: string[]; type?: string; repr?: string }
  /** R source evaluated in the worker to produce an argument (main → worker only). */
  | { t: "code"; src: string };

/** Encodes one double so that NA, NaN, ±Inf and -0 survive JSON. */
export function wireDouble(x: number, isNA: boolean): WireDouble {
  if (isNA) return "NA";
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Inf";
  if (x === -Infinity) return "-Inf";
  if (x === 0 && 1 / x < 0) return "-0";
  return x;
}

/** Decodes a wire double; NA becomes `null`. */
export function unwireDouble(w: WireDouble): number | null {
  switch (w) {
    case "NA":
      return null;
    case "NaN":
      return NaN;
    case "Inf":
      return Infinity;
    case "-Inf":
      return -Infinity;
    case "-0":
      return -0;
    default:
      return w;
  }
}
