// Vega-Lite specs of the explorer's views that plot/ has no function for (shinystan's NUTS
// panels, autocorrelation, bivariate scatter, live progress); the numbers come from stats/.
import type { Dataset, Variable } from "../idata/mod.ts";
import { autocovariance } from "../stats/mod.ts";

type Spec = Record<string, unknown>;
const BLUE = "#011f4b", MID = "#6497b1", RED = "#d62728", ORANGE = "#ff7f0e";

/** Per chain, the draws of a (chain, draw) variable. */
export function perChain(v: Variable): Float64Array[] {
  const ci = v.dims.indexOf("chain");
  const nc = ci === 0 ? v.shape[0] : 1;
  const nd = v.data.length / nc;
  const out: Float64Array[] = [];
  for (let c = 0; c < nc; c++) {
    out.push(Float64Array.from(v.data.subarray(c * nd, (c + 1) * nd) as ArrayLike<number>, Number));
  }
  return out;
}

/** Autocorrelation by lag and chain (bayesplot's `mcmc_acf_bar`, lags 0..maxLag). */
export function acfSpec(name: string, v: Variable, maxLag = 20): Spec {
  const rows: Record<string, unknown>[] = [];
  perChain(v).forEach((x, c) => {
    const ac = autocovariance(x);
    for (let l = 0; l <= Math.min(maxLag, x.length - 1); l++) {
      rows.push({ chain: c + 1, lag: l, acf: ac[0] > 0 ? ac[l] / ac[0] : 0 });
    }
  });
  return {
    title: `Autocorrelation: ${name}`,
    data: { values: rows },
    facet: { column: { field: "chain", type: "ordinal", title: "Chain" } },
    spec: {
      width: 140,
      height: 120,
      mark: { type: "bar", color: MID },
      encoding: {
        x: { field: "lag", type: "ordinal", title: "Lag", axis: { values: [0, 5, 10, 15, 20] } },
        y: { field: "acf", type: "quantitative", title: "Autocorrelation" },
      },
    },
  };
}

function stat(ss: Dataset | undefined, names: string[]): Float64Array[] | undefined {
  if (!ss) return undefined;
  for (const n of names) if (ss.has(n)) return perChain(ss.get(n));
  return undefined;
}

/** Sampler statistics of a NUTS fit, or undefined when the fit has none. */
export function nutsStats(ss: Dataset | undefined) {
  const accept = stat(ss, ["accept_stat__", "acceptance_rate"]);
  if (!accept) return undefined;
  return {
    accept,
    stepsize: stat(ss, ["stepsize__", "step_size"]),
    treedepth: stat(ss, ["treedepth__", "tree_depth"]),
    leapfrog: stat(ss, ["n_leapfrog__", "n_steps"]),
    divergent: stat(ss, ["divergent__", "diverging"]),
    energy: stat(ss, ["energy__", "energy"]),
    lp: stat(ss, ["lp__"]),
  };
}

const mean = (x: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
};

/** shinystan's HMC/NUTS statistics table: mean (and max) of each statistic per chain and all. */
export function nutsTable(ss: Dataset | undefined): Record<string, unknown>[] {
  const n = nutsStats(ss);
  if (!n) return [];
  const rows: Record<string, unknown>[] = [];
  const cols: [string, Float64Array[] | undefined][] = [
    ["accept_stat__", n.accept],
    ["stepsize__", n.stepsize],
    ["treedepth__", n.treedepth],
    ["n_leapfrog__", n.leapfrog],
    ["divergent__", n.divergent],
    ["energy__", n.energy],
  ];
  const row = (label: string, pick: (x: Float64Array[]) => Float64Array[]) => {
    const r: Record<string, unknown> = { chain: label };
    for (const [k, v] of cols) if (v) r[k] = mean(concat(pick(v)));
    rows.push(r);
  };
  row("All chains", (x) => x);
  n.accept.forEach((_, c) => row(`chain${c + 1}`, (x) => [x[c]]));
  return rows;
}

function concat(xs: Float64Array[]): Float64Array {
  const out = new Float64Array(xs.reduce((a, x) => a + x.length, 0));
  let o = 0;
  for (const x of xs) out.set(x, o), o += x.length;
  return out;
}

/** NUTS views: "divergence", "energy", "treedepth" or "stepsize" (bayesplot's mcmc_nuts_*). */
export function nutsSpec(kind: string, ss: Dataset | undefined): Spec | undefined {
  const n = nutsStats(ss);
  if (!n) return undefined;
  const rows: Record<string, unknown>[] = [];
  n.accept.forEach((a, c) => {
    for (let d = 0; d < a.length; d++) {
      const r: Record<string, unknown> = { chain: c + 1, iteration: d + 1, accept_stat: a[d] };
      if (n.lp) r.lp = n.lp[c][d];
      if (n.divergent) r.divergent = n.divergent[c][d] ? "divergent" : "no divergence";
      if (n.treedepth) r.treedepth = n.treedepth[c][d];
      if (n.stepsize) r.stepsize = n.stepsize[c][d];
      if (n.energy) {
        r.energy = n.energy[c][d];
        if (d > 0) r.delta_energy = n.energy[c][d] - n.energy[c][d - 1];
      }
      rows.push(r);
    }
  });
  const data = { values: rows };
  if (kind === "divergence") {
    return {
      title: "Divergent transitions: log-posterior vs acceptance",
      data,
      mark: { type: "point", filled: true, size: 12, opacity: 0.6 },
      encoding: {
        x: { field: "accept_stat", type: "quantitative", title: "accept_stat__" },
        y: { field: "lp", type: "quantitative", title: "lp__", scale: { zero: false } },
        color: {
          field: "divergent",
          type: "nominal",
          title: null,
          scale: { domain: ["no divergence", "divergent"], range: [MID, RED] },
        },
      },
      width: 420,
      height: 260,
    };
  }
  if (kind === "energy") {
    const centred = rows.map((r) => r.energy as number);
    const mu = mean(centred);
    return {
      title: "Energy: marginal energy vs energy transitions",
      data,
      transform: [
        { calculate: `datum.energy - ${mu}`, as: "E - mean(E)" },
        { fold: ["E - mean(E)", "delta_energy"], as: ["series", "value"] },
        { filter: "isValid(datum.value)" },
      ],
      mark: { type: "bar", opacity: 0.6 },
      encoding: {
        x: { field: "value", type: "quantitative", bin: { maxbins: 40 }, title: "Energy" },
        y: { aggregate: "count", type: "quantitative", title: "Count", stack: null },
        color: { field: "series", type: "nominal", title: null, scale: { range: [MID, BLUE] } },
      },
      width: 420,
      height: 240,
    };
  }
  if (kind === "treedepth") {
    return {
      title: "Tree depth",
      data,
      mark: { type: "bar", color: MID },
      encoding: {
        x: { field: "treedepth", type: "ordinal", title: "treedepth__" },
        y: { aggregate: "count", type: "quantitative", title: "Count" },
      },
      width: 320,
      height: 220,
    };
  }
  if (kind === "stepsize") {
    return {
      title: "Step size by chain",
      data,
      mark: { type: "bar", color: MID },
      encoding: {
        x: { field: "chain", type: "ordinal", title: "Chain" },
        y: { aggregate: "mean", field: "stepsize", type: "quantitative", title: "stepsize__" },
      },
      width: 200,
      height: 220,
    };
  }
  return undefined;
}

/** Bivariate scatter (shinystan's): divergent draws red, max-treedepth draws orange. */
export function scatterSpec(
  x: { name: string; v: Variable },
  y: { name: string; v: Variable },
  ss: Dataset | undefined,
  maxTreedepth = 10,
): Spec {
  const xs = perChain(x.v), ys = perChain(y.v);
  const n = nutsStats(ss);
  const rows: Record<string, unknown>[] = [];
  xs.forEach((xc, c) => {
    for (let d = 0; d < xc.length; d++) {
      let kind = "draw";
      if (n?.divergent && n.divergent[c]?.[d]) kind = "divergent";
      else if (n?.treedepth && n.treedepth[c]?.[d] >= maxTreedepth) kind = "max treedepth";
      rows.push({ x: xc[d], y: ys[c][d], kind });
    }
  });
  return {
    title: `${y.name} vs ${x.name}`,
    data: { values: rows },
    mark: { type: "point", filled: true, size: 10, opacity: 0.5 },
    encoding: {
      x: { field: "x", type: "quantitative", title: x.name, scale: { zero: false } },
      y: { field: "y", type: "quantitative", title: y.name, scale: { zero: false } },
      color: {
        field: "kind",
        type: "nominal",
        title: null,
        scale: { domain: ["draw", "divergent", "max treedepth"], range: [MID, RED, ORANGE] },
      },
    },
    width: 420,
    height: 320,
  };
}
