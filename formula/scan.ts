/**
 * Lexical handling of R formula text: formula text is tokenised and checked
 * here, never evaluated, before it becomes R code.
 *
 * Formulas travel as R source text and are validated by R and brms. This file
 * does what TypeScript must do itself: tokenise R source the way R's lexer
 * does (strings, raw strings `r"(...)"`, backtick names, `%op%` operators,
 * `#` comments), split multi-line formula strings into separate formulas, and
 * make sure each piece is exactly one formula: one expression whose top-level
 * operator is `~` (so R quotes, never evaluates, its parts when the formula is
 * built), with no `{` blocks, no `;`, no top-level `,`, assignment, `?` or
 * control-flow keyword. Calls inside terms (`I()`, `s()`, `poly()`) stay:
 * they run at model-frame time, as in R.
 *
 * @module
 */

import { SpecError } from "./errors.ts";

/** One R token. */
export interface Token {
  kind: "str" | "sym" | "num" | "op" | "open" | "close" | "comma" | "semi" | "kw";
  text: string;
  /** Bracket depth of the token (a bracket's own depth is that of its enclosing level). */
  depth: number;
  /** Line (0-based) the token starts on. */
  line: number;
  /** Whether whitespace, a newline or a comment precedes the token. */
  space: boolean;
}

const CLOSERS: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
const RAW_CLOSER: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
const KEYWORDS = new Set(["if", "else", "for", "while", "repeat", "function", "break", "next"]);
/** Operators, longest first. */
const OPERATORS = [
  "<<-",
  "->>",
  ":::",
  "<-",
  "->",
  "<=",
  ">=",
  "==",
  "!=",
  "&&",
  "||",
  "::",
  ":=",
  "|>",
  "+",
  "-",
  "*",
  "/",
  "^",
  "~",
  "?",
  "!",
  "&",
  "|",
  "<",
  ">",
  "=",
  ":",
  "$",
  "@",
  "\\",
];
/** Operators binding less tightly than `~`: at the top level they would make the root something else. */
const BELOW_TILDE = new Set(["<<-", "->>", "<-", "->", "=", ":=", "?"]);
const NUMBER =
  /^(?:0[xX][0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?(?:[pP][+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[Li]?/;
const SYMBOL = /^[\p{L}.][\p{L}\p{N}._]*/u;

export function tokenize(text: string, what: string): Token[] {
  const out: Token[] = [];
  const stack: string[] = [];
  let line = 0;
  let space = false;
  let i = 0;
  const quoted = (s: string) => JSON.stringify(s);
  const push = (kind: Token["kind"], tok: string, depth = stack.length) => {
    out.push({ kind, text: tok, depth, line, space });
    space = false;
    for (const c of tok) if (c === "\n") line++;
    i += tok.length;
  };
  while (i < text.length) {
    const ch = text[i];
    const rest = text.slice(i);
    if (ch === "\n") {
      line++;
      space = true;
      i++;
    } else if (ch === " " || ch === "\t" || ch === "\r" || ch === "\f" || ch === "\u00a0") {
      space = true;
      i++;
    } else if (ch === "#") {
      while (i < text.length && text[i] !== "\n") i++;
      space = true;
    } else if ((ch === "r" || ch === "R") && (text[i + 1] === '"' || text[i + 1] === "'")) {
      const q = text[i + 1];
      let j = i + 2;
      while (text[j] === "-") j++;
      const dashes = text.slice(i + 2, j);
      const opener = text[j];
      if (!(opener in RAW_CLOSER)) {
        throw new SpecError(`malformed raw string in ${what}: ${quoted(text)}`);
      }
      const end = text.indexOf(RAW_CLOSER[opener] + dashes + q, j + 1);
      if (end < 0) throw new SpecError(`unterminated raw string in ${what}: ${quoted(text)}`);
      push("str", text.slice(i, end + dashes.length + 2));
    } else if (ch === '"' || ch === "'" || ch === "`") {
      let j = i + 1;
      while (j < text.length && text[j] !== ch) j += text[j] === "\\" ? 2 : 1;
      if (j >= text.length) {
        throw new SpecError(`unterminated ${ch} quote in ${what}: ${quoted(text)}`);
      }
      push(ch === "`" ? "sym" : "str", text.slice(i, j + 1));
    } else if (ch === "%") {
      const end = text.indexOf("%", i + 1);
      if (end < 0 || text.slice(i, end).includes("\n")) {
        throw new SpecError(`unterminated %operator% in ${what}: ${quoted(text)}`);
      }
      push("op", text.slice(i, end + 1));
    } else if (ch === "(" || ch === "[" || ch === "{") {
      push("open", ch);
      stack.push(ch);
    } else if (ch === ")" || ch === "]" || ch === "}") {
      if (stack.pop() !== CLOSERS[ch]) {
        throw new SpecError(`unbalanced '${ch}' in ${what}: ${quoted(text)}`);
      }
      push("close", ch);
    } else if (ch === ",") {
      push("comma", ch);
    } else if (ch === ";") {
      push("semi", ch);
    } else if (NUMBER.test(rest) && !/^\.[\p{L}._]/u.test(rest)) {
      push("num", NUMBER.exec(rest)![0]);
    } else if (SYMBOL.test(rest)) {
      const sym = SYMBOL.exec(rest)![0];
      push(KEYWORDS.has(sym) ? "kw" : "sym", sym);
    } else {
      const op = OPERATORS.find((o) => rest.startsWith(o));
      if (op === undefined) {
        throw new SpecError(`unexpected character ${quoted(ch)} in ${what}: ${quoted(text)}`);
      }
      push(op === "\\" ? "kw" : "op", op);
    }
  }
  if (stack.length > 0) {
    throw new SpecError(`unclosed '${stack.at(-1)}' in ${what}: ${quoted(text)}`);
  }
  return out;
}

/** The source text of `tokens`: one line, whitespace and comments between tokens as one space. */
function render(tokens: readonly Token[]): string {
  return tokens.map((t, k) => (k > 0 && t.space ? " " : "") + t.text).join("");
}

/** Whether a token ends an operand (so an operator after it is binary). */
function endsOperand(t: Token | undefined): boolean {
  return t !== undefined && (t.kind === "sym" || t.kind === "num" || t.kind === "str" ||
    t.kind === "close");
}

/**
 * Checks that `tokens` are one expression that R can place as one argument
 * (and, with `tilde`, one whose top-level operator is `~`), else a SpecError.
 */
function checkSingle(tokens: readonly Token[], what: string, tilde: boolean): string {
  const text = render(tokens);
  const single = (found: string) =>
    new SpecError(
      `${what} must be a single R expression, found ${found} in ${JSON.stringify(text)}`,
    );
  for (const [k, t] of tokens.entries()) {
    if (t.text === "{" || t.text === "}") throw single(`a '${t.text}' block`);
    if (t.kind === "semi") throw single("a ';'");
    if (t.depth > 0) continue;
    if (t.kind === "comma") throw single("a top-level ','");
    if (t.kind === "op" && BELOW_TILDE.has(t.text)) throw single(`a top-level '${t.text}'`);
    if (t.kind === "kw") throw single(`a top-level '${t.text}'`);
    if ((t.kind === "sym" || t.kind === "num" || t.kind === "str") && endsOperand(tokens[k - 1])) {
      throw single(`two expressions (${tokens[k - 1].text} ${t.text})`);
    }
  }
  if (!tilde) return text;
  const top = tokens.map((t, k) => ({ t, k })).filter(({ t }) => t.depth === 0 && t.text === "~");
  if (top.length === 0) {
    throw new SpecError(`${what}: ${JSON.stringify(text)} is not a formula (no '~')`);
  }
  // The root is `~` when a top-level `~` is binary (the last one is the root: `~` is
  // left-associative and binds least of what is left), or when the text starts with `~`.
  const binary = top.some(({ k }) => endsOperand(tokens[k - 1]));
  if (!binary && top[0].k !== 0) {
    throw new SpecError(
      `${what}: ${JSON.stringify(text)} is not a formula (its top-level operator is not '~')`,
    );
  }
  return text;
}

/**
 * Splits formula text into formulas. A line that contains a top-level `~`
 * starts a new formula unless the previous line is unfinished (open bracket,
 * or ending in an operator); all other non-blank lines continue the previous
 * formula. Lines are joined by single spaces, comments dropped. Each formula
 * must be one R formula expression (see the module doc), else a SpecError.
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
  const tokens = tokenize(text, what);
  const groups: Token[][] = [];
  let previousOpen = false;
  for (let k = 0; k < tokens.length;) {
    let e = k;
    while (e < tokens.length && tokens[e].line === tokens[k].line) e++;
    const line = tokens.slice(k, e);
    const tilde = line.some((t) => t.depth === 0 && t.text === "~");
    if (groups.length === 0 || (tilde && !previousOpen)) groups.push([...line]);
    else groups[groups.length - 1].push(...line);
    const last = line[line.length - 1];
    const next = tokens[e];
    const depthAfter = last.kind === "open" ? last.depth + 1 : last.depth;
    previousOpen = depthAfter > 0 || last.kind === "comma" || last.kind === "op";
    if (next) next.space = true;
    k = e;
  }
  if (groups.length === 0) throw new SpecError(`${what} got an empty formula`);
  return groups.map((g) => checkSingle(g, what, true));
}

/**
 * Checks that `text` is one formula (or, with `tilde: false`, one
 * expression) and returns it with lines joined by spaces and comments
 * dropped; anything else is a SpecError. Nothing is evaluated.
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
  const tokens = tokenize(text, what);
  if (tokens.length === 0) throw new SpecError(`${what} got empty text`);
  return checkSingle(tokens, what, tilde);
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
