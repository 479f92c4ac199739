/**
 * Prior text as R's deparser writes it: brms's `prior(normal(0,1), class = b)` deparses its
 * argument, so R users get `"normal(0, 1)"`; {@linkcode deparsePrior} gives the same text from
 * the string `"normal(0,1)"`, so the Stan code (and the compiled-model cache key) match theirs.
 * Pure text work on R's tokens: nothing is evaluated.
 *
 * @module
 */

/** One token of the restricted R expression grammar priors use. */
type Token =
  | { t: "num"; v: string }
  | { t: "id"; v: string }
  | { t: "str"; v: string }
  | { t: "op"; v: string }
  | { t: "open" | "close" | "comma"; v: string };

const OPS = [
  "%%",
  "<=",
  ">=",
  "==",
  "!=",
  "&&",
  "||",
  "::",
  "+",
  "-",
  "*",
  "/",
  "^",
  "<",
  ">",
  "&",
  "|",
  "!",
  ":",
  "~",
  "=",
  "$",
  "@",
];
/** Binary operators R's deparser writes without spaces. */
const TIGHT = new Set(["/", "^", ":", "::", "$", "@"]);
const NUMBER = /^(?:0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)L?/;
const IDENT = /^(?:[A-Za-z]|\.(?![0-9]))[A-Za-z0-9._]*/;

function tokenize(text: string): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const ws = /^[ \t]+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      continue;
    }
    const ch = text[i];
    if (ch === "(" || ch === "[") {
      out.push({ t: "open", v: ch });
      i++;
      continue;
    }
    if (ch === ")" || ch === "]") {
      out.push({ t: "close", v: ch });
      i++;
      continue;
    }
    if (ch === ",") {
      out.push({ t: "comma", v: ch });
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      let j = i + 1, s = "";
      while (j < text.length && text[j] !== ch) {
        if (text[j] === "\\") return undefined; // escapes: leave the text as written
        s += text[j++];
      }
      if (j >= text.length) return undefined;
      out.push({ t: "str", v: s });
      i = j + 1;
      continue;
    }
    const num = NUMBER.exec(rest);
    if (num && /[0-9.]/.test(ch)) {
      if (/^[A-Za-z_]/.test(rest.slice(num[0].length))) return undefined; // 1i, 1e, …
      out.push({ t: "num", v: num[0] });
      i += num[0].length;
      continue;
    }
    const id = IDENT.exec(rest);
    if (id) {
      if (["function", "if", "else", "for", "while", "repeat"].includes(id[0])) return undefined;
      out.push({ t: "id", v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => rest.startsWith(o));
    if (op === undefined || op === "%%") return undefined;
    out.push({ t: "op", v: op });
    i += op.length;
  }
  return out;
}

/**
 * A non-negative R numeric literal as R's deparser writes it (15 significant digits, fixed or
 * scientific notation, whichever is narrower; `L` integers and hex as R prints them).
 *
 * @example
 * ```ts
 * import { deparseNumber } from "./deparse.ts";
 * deparseNumber("100000"); // "1e+05"
 * deparseNumber("2.50"); // "2.5"
 * deparseNumber("1e-3"); // "0.001"
 * ```
 */
export function deparseNumber(literal: string): string {
  const isInt = literal.endsWith("L");
  const body = isInt ? literal.slice(0, -1) : literal;
  const x = /^0[xX]/.test(body) ? parseInt(body.slice(2), 16) : Number(body);
  if (!Number.isFinite(x)) return literal;
  if (isInt) return `${x}L`;
  if (x === 0) return "0";
  const ref = Number(x.toPrecision(15));
  let sig = 1;
  while (sig < 15 && Number(x.toPrecision(sig)) !== ref) sig++;
  const [mant, ex] = x.toExponential(sig - 1).split("e");
  const e = Number(ex);
  const sci = `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  const decimals = Math.max(0, sig - 1 - e);
  const fixed = x.toFixed(Math.min(decimals, 100));
  return fixed.length <= sci.length ? fixed : sci;
}

/**
 * Prior text as R's deparser writes it (`"normal(0,1)"` → `"normal(0, 1)"`), the text brms's
 * `prior()` puts into the Stan code. Text outside the plain expression grammar of priors (Stan
 * statements such as `target += ...`, several lines, escapes in strings) is returned as it is.
 * Exact for results up to 60 characters; R's deparser wraps longer ones at its `width.cutoff`
 * (60) and brms joins the lines, leaving runs of spaces that this function does not reproduce
 * (such long priors get the single-line form).
 *
 * @example
 * ```ts
 * import { deparsePrior } from "./deparse.ts";
 * deparsePrior("student_t(3,0,2.5)"); // "student_t(3, 0, 2.5)"
 * deparsePrior("normal(a*b^2, c/d)"); // "normal(a * b^2, c/d)"
 * deparsePrior("target += normal_lpdf(b | 0, 1)"); // unchanged
 * ```
 */
export function deparsePrior(text: string): string {
  if (typeof text !== "string" || text.trim() === "" || /[\n\r;{}]/.test(text)) return text;
  const toks = tokenize(text);
  if (toks === undefined || toks.length === 0) return text;
  let out = "";
  let depth = 0;
  let prev: Token | undefined;
  for (const tok of toks) {
    switch (tok.t) {
      case "num":
      case "id":
      case "str":
        if (
          prev && (prev.t === "num" || prev.t === "id" || prev.t === "str" || prev.t === "close")
        ) {
          return text; // two operands in a row: not one expression
        }
        out += tok.t === "num"
          ? deparseNumber(tok.v)
          : tok.t === "str"
          ? JSON.stringify(tok.v)
          : tok.v;
        break;
      case "open":
        depth++;
        out += tok.v;
        break;
      case "close":
        if (--depth < 0) return text;
        out += tok.v;
        break;
      case "comma":
        if (depth === 0) return text;
        out += ", ";
        break;
      case "op": {
        const unary = prev === undefined || prev.t === "open" || prev.t === "comma" ||
          prev.t === "op";
        if (unary) {
          if (!["-", "+", "!", "~"].includes(tok.v)) return text;
          out += tok.v;
        } else if (TIGHT.has(tok.v)) out += tok.v;
        else out += ` ${tok.v} `;
      }
    }
    prev = tok;
  }
  if (depth !== 0 || prev?.t === "op" || prev?.t === "comma") return text;
  return out;
}
