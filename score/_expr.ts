/**
 * Evaluates the whitelisted expression trees captured at export (`I(x^2)`, `log(w)`,
 * `poly(x, 2)` with its training coefficients, `scale(z)` with its training centre and scale).
 * Never JS `eval`: an unknown node or function is a ScorerFormatError.
 *
 * @module
 */
import { ScorerFormatError } from "./errors.ts";
import type { Expr } from "./types.ts";

/** A value: a numeric vector, or a matrix as its columns. */
export type Value = Float64Array | Float64Array[];

const unary: Record<string, (x: number) => number> = {
  "(": (x) => x,
  I: (x) => x,
  log: Math.log,
  exp: Math.exp,
  sqrt: Math.sqrt,
  abs: Math.abs,
  log1p: Math.log1p,
  expm1: Math.expm1,
  log2: Math.log2,
  log10: Math.log10,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  "-": (x) => -x,
  "+": (x) => x,
};

/** R's `^`: x*x for 2, 1 for 0, else pow. */
function rpow(x: number, y: number): number {
  if (y === 2) return x * x;
  if (x === 1 || y === 0) return 1;
  if (Number.isNaN(x) || Number.isNaN(y)) return x + y;
  return Math.pow(x, y);
}

const binary: Record<string, (x: number, y: number) => number> = {
  "+": (x, y) => x + y,
  "-": (x, y) => x - y,
  "*": (x, y) => x * y,
  "/": (x, y) => x / y,
  "^": rpow,
};

function vec(v: Value, what: string): Float64Array {
  if (v instanceof Float64Array) return v;
  if (v.length === 1) return v[0];
  throw new ScorerFormatError("bad-header", `${what}: a matrix where a vector is needed`);
}

/** Numbers of a header string array. */
export function nums(s: string[] | null | undefined): number[] {
  return (s ?? []).map(Number);
}

/**
 * Evaluates `e` over `n` rows with raw columns from `get`.
 *
 * @example
 * ```ts ignore
 * evalExpr({ t: "call", f: "log", a: [{ t: "var", v: "w" }] }, 2, () => Float64Array.of(1, 2));
 * ```
 */
export function evalExpr(e: Expr, n: number, get: (name: string) => Float64Array): Value {
  switch (e?.t) {
    case "num":
      return new Float64Array(n).fill(Number(e.v[0]));
    case "var":
      return get(e.v);
    case "call": {
      const args = e.a.map((a) => vec(evalExpr(a, n, get), e.f));
      if (args.length === 1 && e.f in unary) return args[0].map(unary[e.f]);
      if (args.length === 2 && e.f in binary) {
        const f = binary[e.f], [a, b] = args, out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
        return out;
      }
      throw new ScorerFormatError(
        "bad-header",
        `function ${e.f}() is not in the scorer's whitelist`,
      );
    }
    case "poly": {
      const x = vec(evalExpr(e.x, n, get), "poly");
      const deg = e.degree;
      if (e.raw) {
        return Array.from({ length: deg }, (_, k) => x.map((v) => rpow(v, k + 1)));
      }
      const alpha = nums(e.alpha), norm2 = nums(e.norm2);
      const Z: Float64Array[] = [new Float64Array(n).fill(1)];
      Z.push(x.map((v) => v - alpha[0]));
      for (let i = 1; i < deg; i++) {
        const zi = Z[i], zp = Z[i - 1], r = norm2[i + 1] / norm2[i], out = new Float64Array(n);
        for (let j = 0; j < n; j++) out[j] = (x[j] - alpha[i]) * zi[j] - r * zp[j];
        Z.push(out);
      }
      return Z.slice(1).map((z, k) => {
        const s = Math.sqrt(norm2[k + 2]);
        return z.map((v) => v / s);
      });
    }
    case "scale": {
      let x = vec(evalExpr(e.x, n, get), "scale");
      if (e.center) {
        const c = Number(e.center[0]);
        x = x.map((v) => v - c);
      }
      if (e.scale) {
        const s = Number(e.scale[0]);
        x = x.map((v) => v / s);
      }
      return [x];
    }
    default:
      throw new ScorerFormatError(
        "bad-header",
        `unknown expression node ${JSON.stringify((e as { t?: unknown })?.t)}`,
      );
  }
}
