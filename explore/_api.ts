// The explorer's JSON endpoints: metadata, variable search, one variable's draws, summaries,
// diagnostics, PSIS-LOO and plot specs. Every handler reads only the variables it is asked for.
import type { Dataset } from "../idata/mod.ts";
import {
  plotForest,
  plotLooPit,
  plotParetoK,
  plotPosterior,
  plotRank,
  plotTrace,
  ppCheck,
} from "../plot/mod.ts";
import {
  divergences,
  loo,
  looCompare,
  type PsisLoo,
  summarizeDraws,
  treeDepthHits,
} from "../stats/mod.ts";
import { ExploreInputError } from "./errors.ts";
import type { FitSource } from "./_source.ts";
import { acfSpec, nutsSpec, nutsTable, scatterSpec } from "./_specs.ts";

/** What an endpoint answers: a JSON value or raw bytes. */
export type ApiResult = { json: unknown } | { bytes: Uint8Array<ArrayBuffer>; type: string };

/** The most variables one request may ask for. */
export const MAX_VARS = 24;

/** The fits served and cached per-fit results. */
export class Api {
  readonly fits: Map<string, FitSource>;
  #loo = new Map<string, PsisLoo | null>();
  /** Whether the fits are still being sampled (set by the live view). */
  live: (() => unknown) | undefined;

  constructor(fits: Map<string, FitSource>) {
    this.fits = fits;
  }

  fit(q: URLSearchParams): FitSource {
    const name = q.get("fit") ?? [...this.fits.keys()][0];
    const f = this.fits.get(name ?? "");
    if (!f) throw new ExploreInputError(`no fit "${name}" (have: ${[...this.fits.keys()]})`);
    return f;
  }

  vars(q: URLSearchParams, fit: FitSource): string[] {
    const given = q.getAll("var");
    const names = given.length ? given : fit.varNames().slice(0, 4);
    if (names.length > MAX_VARS) {
      throw new ExploreInputError(`at most ${MAX_VARS} variables per request`);
    }
    for (const n of names) {
      if (!fit.has(n)) throw new ExploreInputError(`no variable "${n}" in fit "${fit.name}"`);
    }
    return names;
  }

  loo(fit: FitSource): PsisLoo | undefined {
    if (!this.#loo.has(fit.name)) {
      const ll = fit.group("log_likelihood");
      let out: PsisLoo | null = null;
      if (ll && ll.varNames().length === 1) {
        out = loo(fit.subset([], ["log_likelihood"]), { rEff: "auto" });
      }
      this.#loo.set(fit.name, out);
    }
    return this.#loo.get(fit.name) ?? undefined;
  }

  /** Answers one API path (without the `/api/` prefix). */
  handle(path: string, q: URLSearchParams): ApiResult {
    switch (path) {
      case "meta":
        return { json: this.meta() };
      case "vars":
        return { json: this.search(q) };
      case "draws":
        return this.draws(q);
      case "summary": {
        const fit = this.fit(q);
        const names = this.vars(q, fit);
        const rows = summarizeDraws(fit.subset(names), { probs: [0.025, 0.975] });
        return { json: { fit: fit.name, rows } };
      }
      case "nuts": {
        const fit = this.fit(q);
        const ss = fit.group("sample_stats");
        return { json: { fit: fit.name, ...nutsInfo(ss) } };
      }
      case "loo":
        return { json: this.looJson(q) };
      case "compare":
        return { json: this.compare() };
      case "more":
        return { json: this.more(q) };
      case "plot":
        return { json: this.plot(q) };
      case "live":
        return { json: this.live ? this.live() : { running: false } };
    }
    throw new ExploreInputError(`no endpoint /api/${path}`);
  }

  meta() {
    return {
      fits: [...this.fits.values()].map((f) => {
        const groups = f.groups();
        return {
          name: f.name,
          variables: f.varNames().length,
          first: firstNames(f.varNames(), MAX_VARS),
          ...f.shape(),
          groups,
          nuts: groups.includes("sample_stats"),
          loo: groups.includes("log_likelihood"),
          ppc: groups.includes("posterior_predictive") && groups.includes("observed_data"),
        };
      }),
    };
  }

  search(q: URLSearchParams) {
    const fit = this.fit(q);
    const pat = q.get("q") ?? "";
    if (pat.length > 200) throw new ExploreInputError("search pattern longer than 200 characters");
    let re: RegExp;
    try {
      re = new RegExp(pat);
    } catch {
      throw new ExploreInputError(`not a regular expression: ${pat}`);
    }
    const limit = Math.min(Number(q.get("limit") ?? 200) || 200, 1000);
    const all = fit.varNames();
    const names: string[] = [];
    let matched = 0;
    for (const n of all) {
      if (!re.test(n)) continue;
      if (names.length < limit) names.push(n);
      matched++;
    }
    return { fit: fit.name, total: all.length, matched, names };
  }

  draws(q: URLSearchParams): ApiResult {
    const fit = this.fit(q);
    const name = q.get("var") ?? "";
    const v = fit.variable(name);
    if (q.get("format") === "f64") {
      const data = Float64Array.from(v.data as ArrayLike<number>, Number);
      return { bytes: new Uint8Array(data.buffer), type: "application/octet-stream" };
    }
    return {
      json: {
        fit: fit.name,
        name,
        dims: v.dims,
        shape: v.shape,
        data: Array.from(v.data as ArrayLike<number>, Number),
      },
    };
  }

  looJson(q: URLSearchParams) {
    const fit = this.fit(q);
    const l = this.loo(fit);
    if (!l) return { fit: fit.name, available: false };
    const { pointwise: _p, diagnostics, r_eff: _r, ...rest } = l;
    return {
      fit: fit.name,
      available: true,
      ...rest,
      pareto_k: Array.from(diagnostics.pareto_k),
    };
  }

  compare() {
    const loos: Record<string, PsisLoo> = {};
    for (const f of this.fits.values()) {
      const l = this.loo(f);
      if (l) loos[f.name] = l;
    }
    return { rows: Object.keys(loos).length >= 2 ? looCompare(loos) : [] };
  }

  more(q: URLSearchParams) {
    const fit = this.fit(q);
    const obs = fit.group("observed_data");
    const data = obs ? dataSummary(obs) : [];
    return { fit: fit.name, ...fit.more, data, glossary: GLOSSARY };
  }

  plot(q: URLSearchParams): unknown {
    const fit = this.fit(q);
    const kind = q.get("kind") ?? "trace";
    const ss = () => fit.group("sample_stats");
    switch (kind) {
      case "trace":
      case "rank":
      case "density":
      case "histogram":
      case "intervals":
      case "areas": {
        const names = this.vars(q, fit);
        const sub = fit.subset(names);
        if (kind === "trace") return plotTrace(sub, { varNames: names }).spec;
        if (kind === "rank") return plotRank(sub, { varNames: names }).spec;
        return plotPosterior(sub, { varNames: names, kind }).spec;
      }
      case "acf": {
        const [name] = this.vars(q, fit);
        return acfSpec(name, fit.variable(name));
      }
      case "scatter": {
        const [x, y] = this.vars(q, fit);
        if (y === undefined) throw new ExploreInputError("scatter needs two variables");
        return scatterSpec({ name: x, v: fit.variable(x) }, { name: y, v: fit.variable(y) }, ss());
      }
      case "divergence":
      case "energy":
      case "treedepth":
      case "stepsize":
        return nutsSpec(kind, ss()) ?? null;
      case "ppc_dens":
      case "ppc_stat": {
        const sub = fit.subset([], ["observed_data", "posterior_predictive"]);
        const type = kind === "ppc_dens" ? "dens_overlay" : "stat";
        return ppCheck(sub, { type, stat: q.get("stat") ?? "mean" }).spec;
      }
      case "loo_pit":
        return plotLooPit(
          fit.subset([], ["observed_data", "posterior_predictive", "log_likelihood"]),
        ).spec;
      case "pareto_k": {
        const l = this.loo(fit);
        return l ? plotParetoK(l).spec : null;
      }
      case "forest": {
        const names = this.vars(q, fit);
        const subs: Record<string, ReturnType<FitSource["subset"]>> = {};
        for (const f of this.fits.values()) {
          const mine = names.filter((n) => f.has(n));
          if (mine.length) subs[f.name] = f.subset(mine);
        }
        return plotForest(subs, { varNames: undefined }).spec;
      }
    }
    throw new ExploreInputError(`unknown plot kind "${kind}"`);
  }
}

function firstNames(names: readonly string[], n: number): string[] {
  const out: string[] = [];
  for (const v of names) {
    if (v !== "lp__") out.push(v);
    if (out.length === n) break;
  }
  return out;
}

function nutsInfo(ss: Dataset | undefined) {
  if (!ss) return { available: false, table: [] };
  let div: unknown = null, td: unknown = null;
  try {
    div = divergences(ss);
  } catch { /* not a NUTS fit */ }
  try {
    td = treeDepthHits(ss, 10);
  } catch { /* not a NUTS fit */ }
  return { available: true, table: nutsTable(ss), divergences: div, maxTreedepth: td };
}

function dataSummary(obs: Dataset): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const [name, v] of obs.vars) {
    const x = Array.from(v.data as ArrayLike<number>, Number).filter((a) => a === a);
    const n = x.length;
    const mean = x.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    out.push({ variable: name, n, mean, sd, min: Math.min(...x), max: Math.max(...x) });
  }
  return out;
}

/** Short definitions shown in the "More" panel (shinystan's glossary, updated). */
export const GLOSSARY: Record<string, string> = {
  "R-hat":
    "Rank-normalised split R-hat (Vehtari et al. 2021): max of bulk and folded R-hat; above 1.01 the chains disagree.",
  "Bulk ESS": "Effective sample size of the rank-normalised draws: precision of means and medians.",
  "Tail ESS": "Minimum ESS of the 5% and 95% quantiles: precision of interval ends.",
  "MCSE": "Monte Carlo standard error of the posterior mean (sd / sqrt(ESS)).",
  "Divergent transition":
    "A NUTS trajectory whose energy error blew up: the sampler missed part of the posterior; reparameterise or raise adapt_delta.",
  "Max tree depth": "Transitions stopped by max_treedepth: efficiency problem, not bias.",
  "Energy (E-BFMI)":
    "If the energy transition histogram is much narrower than the marginal energy one, the sampler explores the tails poorly.",
  "Pareto k":
    "Shape of the importance ratios' tail in PSIS-LOO: k > 0.7 means the LOO estimate for that observation is unreliable.",
  "LOO-PIT":
    "Probability integral transform of each observation under its leave-one-out predictive: uniform when calibrated.",
  "Rank plot":
    "Histogram of each chain's ranks among all draws: uniform when the chains mix (Vehtari et al. 2021).",
};
