/**
 * Rendering of plain values as R source code.
 *
 * Every tree in `formula/` turns into R code through these helpers, so string
 * escaping and argument layout live in exactly one place.
 *
 * @module
 */
import { BrmstsTypeError } from "../errors.ts";

/** A value that can be written as an R literal by {@linkcode rValue}. */
export type RLiteral =
  | string
  | number
  | boolean
  | null
  | readonly RLiteral[]
  | { readonly [name: string]: RLiteral | undefined };

/** Names R accepts without backticks (and that are not reserved words). */
const SYNTACTIC = /^(?:[A-Za-z]|[.](?![0-9]))[A-Za-z0-9._]*$|^[.]$/;
const RESERVED = new Set([
  "if",
  "else",
  "repeat",
  "while",
  "function",
  "for",
  "next",
  "break",
  "TRUE",
  "FALSE",
  "NULL",
  "Inf",
  "NaN",
  "NA",
  "NA_integer_",
  "NA_real_",
  "NA_character_",
  "NA_complex_",
  "in",
]);

/**
 * Whether `name` can be written in R code without backticks.
 *
 * @example
 * ```ts
 * isSyntacticName("link_sigma"); // true
 * isSyntacticName("my var"); // false
 * ```
 */
export function isSyntacticName(name: string): boolean {
  return SYNTACTIC.test(name) && !RESERVED.has(name) && !/^[.]{2}[0-9]+$/.test(name) &&
    name !== "...";
}

/**
 * Renders a JS string as a double-quoted R string literal. Backslashes,
 * quotes and control characters are escaped and every non-ASCII character is
 * written as a `\u{…}` escape, so the result is plain ASCII R code that parses
 * back to exactly `s` in any locale. A NUL character cannot exist in an R
 * string and is rejected.
 *
 * @example
 * ```ts
 * rString('normal(0, "1")'); // "\"normal(0, \\\"1\\\")\""
 * rString("é"); // "\"\\u{e9}\""
 * ```
 */
export function rString(s: string): string {
  if (typeof s !== "string") throw new BrmstsTypeError(`expected a string, got ${typeof s}`);
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp === 0) throw new BrmstsTypeError("R strings cannot contain NUL characters");
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp > 0x7f && cp <= 0xffff) out += `\\u{${cp.toString(16)}}`;
    else if (cp > 0xffff) out += `\\U{${cp.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

/**
 * Renders an argument or list name: as is when syntactic, else in backticks.
 *
 * @example
 * ```ts
 * rName("df"); // "df"
 * rName("Boundary knots"); // "`Boundary knots`"
 * ```
 */
export function rName(name: string): string {
  if (isSyntacticName(name)) return name;
  if (name === "" || name.includes("\0")) {
    throw new BrmstsTypeError(`invalid R name ${JSON.stringify(name)}`);
  }
  return "`" + name.replace(/\\/g, "\\\\").replace(/`/g, "\\`") + "`";
}

/**
 * Renders a number as an R numeric literal (`Inf`, `-Inf` and `NaN` included).
 *
 * @example
 * ```ts
 * rNumber(0.5); // "0.5"
 * rNumber(-Infinity); // "-Inf"
 * ```
 */
export function rNumber(n: number): string {
  if (typeof n !== "number") throw new BrmstsTypeError(`expected a number, got ${typeof n}`);
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "Inf";
  if (n === -Infinity) return "-Inf";
  if (Object.is(n, -0)) return "-0";
  return String(n);
}

/**
 * Renders a JSON-like value as R code: strings, numbers and booleans as
 * literals, `null` as `NULL`, arrays of scalars as `c(...)`, other arrays and
 * objects as (named) `list(...)`. Object entries whose value is `undefined`
 * are skipped.
 *
 * @example
 * ```ts
 * rValue({ df: 5, intercept: true }); // "list(df = 5, intercept = TRUE)"
 * rValue(["a", "b"]); // "c(\"a\", \"b\")"
 * ```
 */
export function rValue(v: RLiteral): string {
  if (v === null) return "NULL";
  switch (typeof v) {
    case "string":
      return rString(v);
    case "number":
      return rNumber(v);
    case "boolean":
      return v ? "TRUE" : "FALSE";
  }
  if (Array.isArray(v)) {
    const items = v as readonly RLiteral[];
    const scalar = items.every((x) => x !== null && typeof x !== "object");
    return `${scalar && items.length > 0 ? "c" : "list"}(${items.map(rValue).join(", ")})`;
  }
  if (typeof v === "object") {
    const parts = Object.entries(v as Record<string, RLiteral | undefined>)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${rName(k)} = ${rValue(x as RLiteral)}`);
    return `list(${parts.join(", ")})`;
  }
  throw new BrmstsTypeError(`cannot render a ${typeof v} as an R value`);
}

/**
 * Renders a call: `fn(positional..., name = value...)`. Named entries whose
 * code is `undefined` are left out, so optional arguments can be listed
 * unconditionally.
 *
 * @example
 * ```ts
 * rCall("brms::set_rescor", ["FALSE"]); // "brms::set_rescor(FALSE)"
 * rCall("brms::lf", ["sigma ~ x"], [["cmc", "FALSE"], ["resp", undefined]]);
 * // "brms::lf(sigma ~ x, cmc = FALSE)"
 * ```
 */
export function rCall(
  fn: string,
  positional: readonly string[] = [],
  named: ReadonlyArray<readonly [string, string | undefined]> = [],
): string {
  const args = [...positional];
  for (const [name, code] of named) if (code !== undefined) args.push(`${rName(name)} = ${code}`);
  return `${fn}(${args.join(", ")})`;
}

/**
 * Renders an optional scalar for {@linkcode rCall}: `undefined` stays
 * `undefined` (argument left out), anything else becomes an R literal.
 *
 * @example
 * ```ts
 * opt(true); // "TRUE"
 * opt(undefined); // undefined
 * ```
 */
export function opt(v: RLiteral | undefined): string | undefined {
  return v === undefined ? undefined : rValue(v);
}

/**
 * Converts a camelCase TypeScript option name to brms's snake_case argument
 * name (`samplePrior` → `sample_prior`, `linkSigma` → `link_sigma`).
 *
 * @example
 * ```ts
 * camelToSnake("dropUnusedLevels"); // "drop_unused_levels"
 * ```
 */
export function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
}
