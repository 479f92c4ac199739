/**
 * Minimal lexical handling of R formula text.
 *
 * Formulas travel as R source text and are validated by R and brms. This file
 * only does what TypeScript must do itself: split multi-line formula strings
 * into separate formulas, drop `#` comments, and make sure each piece is one
 * self-contained expression (closed strings and brackets, no top-level `,` or
 * `;`) so that it can be placed as a single argument inside rendered R code.
 *
 * @module
 */

import { SpecError } from "./errors.ts";

interface Line {
  text: string;
  tilde: boolean;
  open: boolean;
}

const CLOSERS: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
/** Characters after which an R expression cannot end. */
const TRAILING_OPERATOR = /[-+*/^~|&:=<>!%,(\[{$@?]$/;

function lex(text: string, what: string): Line[] {
  const lines: Line[] = [];
  const stack: string[] = [];
  let quote: string | null = null;
  let cur = "";
  let tilde = false;
  const endLine = () => {
    const t = cur.trim();
    lines.push({ text: t, tilde, open: stack.length > 0 || TRAILING_OPERATOR.test(t) });
    cur = "";
    tilde = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote !== null) {
      cur += ch;
      if (ch === "\\" && i + 1 < text.length) cur += text[++i];
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === "`") {
      quote = ch;
      cur += ch;
    } else if (ch === "#") {
      while (i + 1 < text.length && text[i + 1] !== "\n") i++;
    } else if (ch === "\n") {
      endLine();
    } else if (ch === "\r") {
      cur += " ";
    } else if (ch === "(" || ch === "[" || ch === "{") {
      stack.push(ch);
      cur += ch;
    } else if (ch === ")" || ch === "]" || ch === "}") {
      if (stack.pop() !== CLOSERS[ch]) {
        throw new SpecError(`unbalanced '${ch}' in ${what}: ${JSON.stringify(text)}`);
      }
      cur += ch;
    } else if ((ch === "," || ch === ";") && stack.length === 0) {
      throw new SpecError(
        `${what} must be a single R expression, found a top-level '${ch}' in ${
          JSON.stringify(text)
        }`,
      );
    } else {
      if (ch === "~" && stack.length === 0) tilde = true;
      cur += ch;
    }
  }
  if (quote !== null) {
    throw new SpecError(`unterminated ${quote} quote in ${what}: ${JSON.stringify(text)}`);
  }
  if (stack.length > 0) {
    throw new SpecError(`unclosed '${stack.at(-1)}' in ${what}: ${JSON.stringify(text)}`);
  }
  endLine();
  return lines;
}

/**
 * Splits formula text into formulas. A line that contains a top-level `~`
 * starts a new formula unless the previous line is unfinished (open bracket,
 * or ending in an operator); all other non-blank lines continue the previous
 * formula. Lines are trimmed and joined by single spaces.
 *
 * @example
 * ```ts
 * splitFormulas("y ~ a * exp(b * x)\n  a ~ 1 + (1 | g)\n  b ~ 1", "bf()");
 * // ["y ~ a * exp(b * x)", "a ~ 1 + (1 | g)", "b ~ 1"]
 * ```
 */
export function splitFormulas(text: string, what: string): string[] {
  if (typeof text !== "string") {
    throw new SpecError(`${what} expects formula text (a string), got ${describe(text)}`);
  }
  const out: string[] = [];
  let previousOpen = false;
  for (const line of lex(text, what)) {
    if (line.text === "") continue;
    if (out.length === 0 || (line.tilde && !previousOpen)) out.push(line.text);
    else out[out.length - 1] += " " + line.text;
    previousOpen = line.open;
  }
  if (out.length === 0) throw new SpecError(`${what} got an empty formula`);
  for (const f of out) {
    if (!lex(f, what).some((l) => l.tilde)) {
      throw new SpecError(`${what}: ${JSON.stringify(f)} is not a formula (no '~')`);
    }
  }
  return out;
}

/**
 * Checks that `text` is one formula (or, with `tilde: false`, one
 * expression) and returns it trimmed with lines joined by spaces.
 *
 * @example
 * ```ts
 * singleExpression("~ ar(time, gr = patient)", "acformula()"); // "~ ar(time, gr = patient)"
 * ```
 */
export function singleExpression(text: string, what: string, tilde = true): string {
  if (typeof text !== "string") {
    throw new SpecError(`${what} expects R code text (a string), got ${describe(text)}`);
  }
  const lines = lex(text, what).filter((l) => l.text !== "");
  if (lines.length === 0) throw new SpecError(`${what} got empty text`);
  const joined = lines.map((l) => l.text).join(" ");
  if (tilde && !lines.some((l) => l.tilde)) {
    throw new SpecError(`${what}: ${JSON.stringify(joined)} is not a formula (no '~')`);
  }
  return joined;
}

/** Short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") {
    const kind = (v as { kind?: unknown }).kind;
    return typeof kind === "string" ? `a '${kind}' tree` : "an object";
  }
  return typeof v === "string" ? JSON.stringify(v) : `${typeof v} ${String(v)}`;
}
