/**
 * The scorer's test corpus: models of every supported family and term kind, grouped so that
 * models sharing a Stan program (same family, dpars and group structure; only population-level
 * columns differ) compile once.
 *
 * @module
 */
import { Categorical } from "../data/mod.ts";
import { bf, cumulative, type Formula, Gamma } from "../formula/mod.ts";
import { normal, rng } from "./random.ts";

/** One model of the corpus and the new data it is scored on. */
export interface CorpusModel {
  /** Name in test output. */
  name: string;
  /** brms formula. */
  formula: string | Formula;
  /** brms family (name or family object). */
  family: unknown;
  /** Extra brm() options. */
  extra?: Record<string, unknown>;
  /** re_formula values to compare (undefined = all; null = NA; string = subset). */
  reFormulas: (string | null | undefined)[];
  /** Distributional parameters to compare too. */
  dpars?: string[];
}

const N = 60;

/** Training data with every variable any corpus model uses. */
export function trainData(seed = 7): Record<string, unknown> {
  const r = rng(seed);
  const cols: Record<string, unknown[]> = {};
  const put = (k: string, v: unknown) => (cols[k] ??= []).push(v);
  for (let i = 0; i < N; i++) {
    const x = normal(r), z = normal(r);
    put("x", x);
    put("z", z);
    put("w", Math.exp(normal(r) * 0.5));
    put("f", ["a", "b", "c"][i % 3]);
    put("o", ["lo", "mid", "hi"][(i * 5) % 3]);
    put("g", 1 + (i % 6));
    put("h", ["u", "v", "k", "q"][(i * 7) % 4]);
    put("hb", (i * 7) % 4 < 2 ? "L" : "R");
    put("a", ["A1", "A2", "A3"][i % 3]);
    put("b", ["B1", "B2"][Math.floor(i / 3) % 2]);
    put("m", 1 + (i % 4));
    const eta = 0.5 + 0.4 * x - 0.3 * z;
    put("y", 1 + x + normal(r));
    put("ypos", Math.exp(eta + 0.3 * normal(r)));
    put("yprop", Math.min(0.98, Math.max(0.02, 1 / (1 + Math.exp(-(eta + 0.5 * normal(r)))))));
    put("ybin", r() < 1 / (1 + Math.exp(-eta)) ? 1 : 0);
    const n = 5 + (i % 6);
    put("n", n);
    let k = 0;
    for (let j = 0; j < n; j++) if (r() < 1 / (1 + Math.exp(-eta))) k++;
    put("ysucc", k);
    const l = Math.exp(-Math.exp(eta));
    let c = 0, p = r();
    while (p > l) {
      p *= r();
      c++;
    }
    put("ycount", r() < 0.25 ? 0 : c);
    put("yord", 1 + Math.min(3, Math.max(0, Math.round(1.5 + eta + normal(r)))));
    put("ycat", ["p", "q", "s"][Math.min(2, Math.max(0, Math.round(1 + x + normal(r) * 0.7)))]);
  }
  const out: Record<string, unknown> = { ...cols };
  out.fs = Categorical.from(cols.f as string[]).withContrasts("contr.sum");
  out.fh = Categorical.from(cols.f as string[]).withContrasts("contr.helmert");
  out.o = Categorical.from(cols.o as string[], { levels: ["lo", "mid", "hi"], ordered: true });
  return out;
}

/** New data: random rows over training levels (some rows use a subset of levels). */
export function newData(seed: number, rows = 7): Record<string, unknown[]> {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const cols: Record<string, unknown[]> = {};
  const put = (k: string, v: unknown) => (cols[k] ??= []).push(v);
  for (let i = 0; i < rows; i++) {
    put("x", normal(r) * 1.5);
    put("z", normal(r));
    put("w", Math.exp(normal(r) * 0.5));
    put("f", pick(["a", "c"]));
    put("fs", pick(["a", "b", "c"]));
    put("fh", pick(["b", "c"]));
    put("o", pick(["lo", "mid", "hi"]));
    put("g", pick([1, 2, 3, 4, 5, 6]));
    const h = pick(["u", "v", "k", "q"]);
    put("h", h);
    put("hb", h === "u" || h === "v" ? "L" : "R");
    put("a", pick(["A1", "A2", "A3"]));
    put("b", pick(["B1", "B2"]));
    put("m", pick([1, 2, 3, 4]));
    put("n", 3 + Math.floor(r() * 8));
  }
  return cols;
}

const ALL: (string | null | undefined)[] = [undefined, null];

/** The corpus. */
export const CORPUS: CorpusModel[] = [
  // Program A: gaussian, population-level terms of every kind, (1 + x | g).
  {
    name: "gaussian numeric",
    formula: "y ~ x + z + (1 + x | g)",
    family: "gaussian",
    reFormulas: ALL,
  },
  {
    name: "gaussian poly",
    formula: "y ~ poly(x, 2) + (1 + x | g)",
    family: "gaussian",
    reFormulas: ALL,
  },
  {
    name: "gaussian raw poly",
    formula: "y ~ poly(x, 3, raw = TRUE) + (1 + z | g)",
    family: "gaussian",
    reFormulas: ALL,
  },
  {
    name: "gaussian scale I log",
    formula: "y ~ scale(z) + I(x^2) + log(w) + (1 + x | g)",
    family: "gaussian",
    reFormulas: ALL,
  },
  {
    name: "gaussian factor interaction",
    formula: "y ~ f * x + (1 + x | g)",
    family: "gaussian",
    reFormulas: ALL,
  },
  {
    name: "gaussian ordered factor",
    formula: "y ~ o + x:z + (1 + x | g)",
    family: "gaussian",
    reFormulas: ALL,
  },
  {
    name: "gaussian contr.sum",
    formula: "y ~ fs + fh + (1 + x | g)",
    family: "gaussian",
    reFormulas: ALL,
  },
  {
    name: "gaussian elementary",
    formula: "y ~ exp(x / 2) + sqrt(w) + abs(z) + I(x * z - 1) + (1 + x | g)",
    family: "gaussian",
    reFormulas: ALL,
  },
  {
    name: "gaussian factor slope",
    formula: "y ~ x + (1 + b | g)",
    family: "gaussian",
    reFormulas: ALL,
  },
  {
    name: "gaussian f:x full coding",
    formula: "y ~ x + f:z + (1 + w | g)",
    family: "gaussian",
    reFormulas: ALL,
  },
  // Program B: distributional sigma, two crossed groups in mu.
  {
    name: "sigma crossed",
    formula: bf("y ~ x + f + (1 | g) + (1 | h)", "sigma ~ z"),
    family: "gaussian",
    reFormulas: [undefined, null, "~ (1 | g)", "~ (1 | h)"],
    dpars: ["sigma"],
  },
  {
    name: "sigma nested",
    formula: bf("y ~ poly(z, 2) + (1 | a/b)", "sigma ~ x"),
    family: "gaussian",
    reFormulas: [undefined, null, "~ (1 | a)"],
    dpars: ["sigma"],
  },
  // Program C: monotonic effect, offset, sigma with a group term, correlated slopes (dev model).
  {
    name: "mo offset sigma-re",
    formula: bf(
      "y ~ scale(x) + mo(m) + offset(log(w)) + (1 + x | g) + (1 | h)",
      "sigma ~ x + (1 | g)",
    ),
    family: "gaussian",
    reFormulas: [undefined, null, "~ (1 | h)"],
    dpars: ["sigma"],
  },
  // Program D: uncorrelated slopes and gr(by =).
  {
    name: "uncorrelated by",
    formula: "y ~ x + (1 + x || g) + (1 | gr(h, by = hb))",
    family: "gaussian",
    reFormulas: ALL,
  },
  // One program per family.
  { name: "student", formula: "y ~ x + f + (1 | g)", family: "student", reFormulas: ALL },
  {
    name: "student poly",
    formula: "y ~ poly(x, 2) + z + (1 | g)",
    family: "student",
    reFormulas: ALL,
  },
  { name: "skew_normal", formula: "y ~ x + z", family: "skew_normal", reFormulas: [undefined] },
  {
    name: "lognormal",
    formula: "ypos ~ x + f + (1 | g)",
    family: "lognormal",
    reFormulas: ALL,
    dpars: ["sigma"],
  },
  {
    name: "Gamma",
    formula: "ypos ~ x + log(w)",
    family: Gamma({ link: "log" }),
    reFormulas: [undefined],
  },
  { name: "weibull", formula: "ypos ~ x + z", family: "weibull", reFormulas: [undefined] },
  { name: "exponential", formula: "ypos ~ x + fs", family: "exponential", reFormulas: [undefined] },
  {
    name: "beta",
    formula: "yprop ~ x + z",
    family: "Beta",
    reFormulas: [undefined],
    dpars: ["phi"],
  },
  { name: "bernoulli", formula: "ybin ~ x + z + (1 | g)", family: "bernoulli", reFormulas: ALL },
  {
    name: "bernoulli factor",
    formula: "ybin ~ f * x + (1 | g)",
    family: "bernoulli",
    reFormulas: ALL,
  },
  {
    name: "binomial",
    formula: "ysucc | trials(n) ~ x + z",
    family: "binomial",
    reFormulas: [undefined],
  },
  {
    name: "poisson offset",
    formula: "ycount ~ x + offset(log(w)) + (1 | g)",
    family: "poisson",
    reFormulas: ALL,
  },
  {
    name: "poisson offset scale",
    formula: "ycount ~ scale(x) + I(z^2) + offset(log(w)) + (1 | g)",
    family: "poisson",
    reFormulas: ALL,
  },
  {
    name: "negbinomial",
    formula: "ycount ~ x + f",
    family: "negbinomial",
    reFormulas: [undefined],
  },
  {
    name: "zero_inflated_poisson",
    formula: "ycount ~ x + z",
    family: "zero_inflated_poisson",
    reFormulas: [undefined],
  },
  {
    name: "zero_inflated_negbinomial",
    formula: "ycount ~ x",
    family: "zero_inflated_negbinomial",
    reFormulas: [undefined],
  },
  {
    name: "hurdle_poisson",
    formula: "ycount ~ x + z",
    family: "hurdle_poisson",
    reFormulas: [undefined],
  },
  {
    name: "hurdle_negbinomial",
    formula: "ycount ~ x",
    family: "hurdle_negbinomial",
    reFormulas: [undefined],
  },
  {
    name: "cumulative logit",
    formula: "yord ~ x + z + (1 | g)",
    family: cumulative({ link: "logit" }),
    reFormulas: ALL,
  },
  {
    name: "cumulative logit factor",
    formula: "yord ~ f + poly(x, 2) + (1 | g)",
    family: cumulative({ link: "logit" }),
    reFormulas: ALL,
  },
  {
    name: "cumulative probit",
    formula: "yord ~ x + z",
    family: cumulative({ link: "probit" }),
    reFormulas: [undefined],
  },
  {
    name: "categorical",
    formula: "ycat ~ x + z",
    family: "categorical",
    reFormulas: [undefined],
    dpars: ["muq"],
  },
  {
    name: "categorical factor",
    formula: "ycat ~ x + f",
    family: "categorical",
    reFormulas: [undefined],
  },
];

/** Models the scorer must refuse at export, with the term named in the error. */
export const REFUSED: { name: string; formula: string; family: string; term: RegExp }[] = [
  { name: "smooth", formula: "y ~ s(x)", family: "gaussian()", term: /s\(x\)/ },
  { name: "gp", formula: "y ~ gp(x)", family: "gaussian()", term: /gp\(x\)/ },
  { name: "me", formula: "y ~ me(x, w)", family: "gaussian()", term: /me\(x, w\)/ },
  { name: "autocorrelation", formula: "y ~ x + ar(p = 1)", family: "gaussian()", term: /ar\(/ },
  { name: "cs", formula: "yord ~ cs(x)", family: "cumulative()", term: /cs\(x\)/ },
  { name: "mixture", formula: "y ~ x", family: "mixture(gaussian(), gaussian())", term: /mixture/ },
  { name: "sratio", formula: "yord ~ x", family: "sratio()", term: /sratio/ },
  {
    name: "factor in formula",
    formula: "y ~ factor(g)",
    family: "gaussian()",
    term: /factor\(g\)/,
  },
  { name: "mm", formula: "y ~ x + (1 | mm(g, h))", family: "gaussian()", term: /mm/ },
];
