/**
 * brms's inverse links (`brms:::inv_link`), with R's `pnorm` (Cody's algorithm, as in R's
 * nmath) and `pcauchy` so that probit and cauchit links give R's numbers.
 *
 * @module
 */
import { ScorerFormatError } from "./errors.ts";

const A = [
  2.2352520354606839287,
  161.02823106855587881,
  1067.6894854603709582,
  18154.981253343561249,
  0.065682337918207449113,
];
const B = [
  47.20258190468824187,
  976.09855173777669322,
  10260.932208618978205,
  45507.789335026729956,
];
const C = [
  0.39894151208813466764,
  8.8831497943883759412,
  93.506656132177855979,
  597.27027639480026226,
  2494.5375852903726711,
  6848.1904505362823326,
  11602.651437647350124,
  9842.7148383839780218,
  1.0765576773720192317e-8,
];
const D = [
  22.266688044328115691,
  235.38790178262499861,
  1519.377599407554805,
  6485.558298266760755,
  18615.571640885098091,
  34900.952721145977266,
  38912.003286093271411,
  19685.429676859990727,
];
const P = [
  0.21589853405795699,
  0.1274011611602473639,
  0.022235277870649807,
  0.001421619193227893466,
  2.9112874951168792e-5,
  0.02307344176494017303,
];
const Q = [
  1.28426009614491121,
  0.468238212480865118,
  0.0659881378689285515,
  0.00378239633202758244,
  7.29751555083966205e-5,
];
const M_SQRT_32 = 5.656854249492380195206754896838;
const M_1_SQRT_2PI = 0.398942280401432677939946059934;
const EPS = 2.220446049250313e-16 * 0.5;

/**
 * R's `pnorm(x)` (lower tail, not log).
 *
 * @example
 * ```ts
 * import { pnorm } from "./_math.ts";
 * pnorm(0); // 0.5
 * ```
 */
export function pnorm(x: number): number {
  if (Number.isNaN(x)) return x;
  const y = Math.abs(x);
  let cum: number, ccum: number;
  if (y <= 0.67448975) {
    let xnum = 0, xden = 0;
    if (y > EPS) {
      const xsq = x * x;
      xnum = A[4] * xsq;
      xden = xsq;
      for (let i = 0; i < 3; i++) {
        xnum = (xnum + A[i]) * xsq;
        xden = (xden + B[i]) * xsq;
      }
    }
    const temp = x * (xnum + A[3]) / (xden + B[3]);
    return 0.5 + temp;
  }
  const del = (v: number, temp: number) => {
    const xsq = Math.trunc(v * 16) / 16;
    const dl = (v - xsq) * (v + xsq);
    cum = Math.exp(-xsq * xsq * 0.5) * Math.exp(-dl * 0.5) * temp;
    ccum = 1.0 - cum;
  };
  if (y <= M_SQRT_32) {
    let xnum = C[8] * y, xden = y;
    for (let i = 0; i < 7; i++) {
      xnum = (xnum + C[i]) * y;
      xden = (xden + D[i]) * y;
    }
    del(y, (xnum + C[7]) / (xden + D[7]));
  } else if (-37.5193 < x && x < 8.2924) {
    const xsq = 1.0 / (x * x);
    let xnum = P[5] * xsq, xden = xsq;
    for (let i = 0; i < 4; i++) {
      xnum = (xnum + P[i]) * xsq;
      xden = (xden + Q[i]) * xsq;
    }
    let temp = xsq * (xnum + P[4]) / (xden + Q[4]);
    temp = (M_1_SQRT_2PI - temp) / y;
    del(x, temp);
  } else {
    return x > 0 ? 1 : 0;
  }
  return x > 0 ? ccum! : cum!;
}

/** R's `pcauchy(x)`. */
function pcauchy(x: number): number {
  if (Number.isNaN(x)) return x;
  if (Math.abs(x) > 1) {
    const y = Math.atan(1 / x) / Math.PI;
    return x > 0 ? (0.5 - y + 0.5) : -y;
  }
  return 0.5 + Math.atan(x) / Math.PI;
}

/** brms's `log1p_exp`. */
function log1pExp(x: number): number {
  const out = Math.log1p(Math.exp(x));
  return out < Infinity ? out : x;
}

/**
 * brms's `inv_link(x, link)` for one link, as a number function.
 *
 * @example
 * ```ts
 * import { invLink } from "./_math.ts";
 * invLink("logit")(0); // 0.5
 * ```
 */
export function invLink(link: string): (x: number) => number {
  switch (link) {
    case "identity":
      return (x) => x;
    case "log":
      return Math.exp;
    case "logm1":
      return (x) => Math.exp(x) + 1;
    case "log1p":
      return Math.expm1;
    case "inverse":
      return (x) => 1 / x;
    case "sqrt":
      return (x) => x * x;
    case "1/mu^2":
      return (x) => 1 / Math.sqrt(x);
    case "tan_half":
      return (x) => 2 * Math.atan(x);
    case "logit":
      return (x) => 1 / (1 + Math.exp(-x));
    case "probit":
    case "probit_approx":
      return pnorm;
    case "cauchit":
      return pcauchy;
    case "cloglog":
      return (x) => 1 - Math.exp(-Math.exp(x));
    case "softplus":
      return log1pExp;
    case "squareplus":
      return (x) => (x + Math.sqrt(x * x + 4)) / 2;
    default:
      throw new ScorerFormatError("bad-header", `link '${link}' is not supported by the scorer`);
  }
}
