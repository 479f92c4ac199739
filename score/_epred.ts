/**
 * brms's `posterior_epred_<family>` on a block of rows (layout `[i][c][d]`).
 *
 * @module
 */
import { ScorerFormatError } from "./errors.ts";
import { invLink } from "./_math.ts";
import type { Block, ScorerHeader } from "./types.ts";

/** Gets a dpar on rows of the block, `[i][d]`; `link` applies its inverse link. */
type Get = (name: string, link: boolean) => Float64Array;

/**
 * The expected response of a block of rows.
 *
 * @example
 * ```ts ignore
 * epredBlock(header, get, draws, 1000, 10);
 * ```
 */
export function epredBlock(
  h: ScorerHeader,
  get: Get,
  draws: Map<string, Float64Array>,
  nd: number,
  nr: number,
  trials?: Float64Array,
): Block {
  const fam = h.family;
  switch (fam) {
    case "gaussian":
    case "student":
    case "skew_normal":
    case "gamma":
    case "weibull":
    case "exponential":
    case "beta":
    case "bernoulli":
    case "poisson":
    case "negbinomial":
      return { buf: get("mu", true), ncat: 1 };
    case "lognormal": {
      const mu = get("mu", true), sigma = get("sigma", true);
      for (let q = 0; q < mu.length; q++) mu[q] = Math.exp(mu[q] + sigma[q] * sigma[q] / 2);
      return { buf: mu, ncat: 1 };
    }
    case "binomial": {
      const mu = get("mu", true);
      for (let i = 0; i < nr; i++) {
        const t = trials![i];
        for (let d = 0; d < nd; d++) mu[i * nd + d] *= t;
      }
      return { buf: mu, ncat: 1 };
    }
    case "zero_inflated_poisson":
    case "zero_inflated_negbinomial": {
      const mu = get("mu", true), zi = get("zi", true);
      for (let q = 0; q < mu.length; q++) mu[q] = mu[q] * (1 - zi[q]);
      return { buf: mu, ncat: 1 };
    }
    case "hurdle_poisson": {
      const mu = get("mu", true), hu = get("hu", true);
      for (let q = 0; q < mu.length; q++) mu[q] = mu[q] / (1 - Math.exp(-mu[q])) * (1 - hu[q]);
      return { buf: mu, ncat: 1 };
    }
    case "hurdle_negbinomial": {
      const mu = get("mu", true), hu = get("hu", true), shape = get("shape", true);
      for (let q = 0; q < mu.length; q++) {
        const sh = shape[q];
        mu[q] = mu[q] / (1 - Math.pow(sh / (mu[q] + sh), sh)) * (1 - hu[q]);
      }
      return { buf: mu, ncat: 1 };
    }
    case "cumulative":
      return cumulative(h, get, draws, nd, nr);
    case "categorical":
      return categorical(h, get, nd, nr);
    default:
      throw new ScorerFormatError("bad-header", `family ${fam} is not supported by the scorer`);
  }
}

function cumulative(
  h: ScorerHeader,
  get: Get,
  draws: Map<string, Float64Array>,
  nd: number,
  nr: number,
): Block {
  const eta = get("mu", false), disc = get("disc", true);
  const thres = h.thresholds!.map((n) => draws.get(n)!);
  const K = thres.length, ncat = K + 1;
  const link = h.link, f = invLink(link);
  const buf = new Float64Array(nr * ncat * nd);
  const p = new Float64Array(K);
  for (let i = 0; i < nr; i++) {
    for (let d = 0; d < nd; d++) {
      const q = i * nd + d, e = eta[q], ds = disc[q];
      for (let k = 0; k < K; k++) {
        const x = ds * (thres[k][d] - e);
        p[k] = link === "identity" ? x : f(x);
      }
      const base = i * ncat * nd + d;
      if (link === "identity") {
        for (let k = 0; k < ncat; k++) buf[base + k * nd] = k < K ? p[k] : NaN;
      } else {
        for (let k = 0; k < ncat; k++) {
          buf[base + k * nd] = (k < K ? p[k] : 1) - (k > 0 ? p[k - 1] : 0);
        }
      }
    }
  }
  return { buf, ncat, categories: Array.from({ length: ncat }, (_, k) => String(k + 1)) };
}

function categorical(h: ScorerHeader, get: Get, nd: number, nr: number): Block {
  const mus = h.mu!;
  const parts = mus.map((m) => get(m, false));
  const cats = h.cats!;
  const K = cats.length;
  const ref = typeof h.refcat === "number"
    ? h.refcat - 1
    : Math.max(0, cats.indexOf(String(h.refcat ?? cats[0])));
  const buf = new Float64Array(nr * K * nd);
  const x = new Float64Array(K);
  for (let i = 0; i < nr; i++) {
    for (let d = 0; d < nd; d++) {
      const q = i * nd + d;
      for (let c = 0, m = 0; c < K; c++) x[c] = c === ref ? 0 : parts[m++][q];
      let sum = 0;
      for (let c = 0; c < K; c++) sum += Math.exp(x[c]);
      const ls = Math.log(sum);
      for (let c = 0; c < K; c++) buf[(i * K + c) * nd + d] = Math.exp(x[c] - ls);
    }
  }
  return { buf, ncat: K, categories: cats };
}
