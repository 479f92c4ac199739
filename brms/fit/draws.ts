/**
 * From a brmsfit in the worker to an {@link InferenceData}: the one place that knows how draws
 * are laid out in R and how they arrive here.
 *
 * - posterior: one flat double vector (parameter, chain, draw), the memory layout of
 *   `as.array(fit$fit)` (iterations × chains × parameters, column-major), built in R straight
 *   from the stanfit's samples (several times faster than `as.array()` for many parameters,
 *   bit-identical). It crosses as ONE vector and every parameter becomes a `subarray` view of
 *   its contiguous (chain, draw) C-order block: no reordering, no per-variable copies.
 * - sample_stats: rstan's sampler parameters (`get_sampler_params`, warmup excluded) in one flat
 *   vector (statistic, chain, draw), plus `lp__` (a view on the posterior's block).
 * - posterior_predictive and log_likelihood: draws × observations matrices (chains stacked, as
 *   brms orders draws), i.e. (chain, draw, obs_id) once in C order; the codec's `NdArray`
 *   reorders R's column-major layout inside its single copy.
 * - observed_data / constant_data: the response(s) and the other columns of brms's model frame.
 *
 * @module
 */
import { NA_INTEGER } from "../../data/na.ts";
import { InferenceData } from "../../idata/inference_data.ts";
import type { Coord, VariableInput } from "../../idata/types.ts";
import { coord, cOrder, dimsOf, f64, i32, list } from "../core/decode.ts";

/**
 * The groups `brm()` can return.
 *
 * @example
 * ```ts
 * import type { IdataGroup } from "./draws.ts";
 * const light: IdataGroup[] = ["posterior", "sample_stats"];
 * ```
 */
export type IdataGroup =
  | "posterior"
  | "sample_stats"
  | "posterior_predictive"
  | "log_likelihood"
  | "observed_data"
  | "constant_data";

/**
 * All groups, in ArviZ's order.
 *
 * @example
 * ```ts
 * import { ALL_GROUPS } from "./draws.ts";
 * ALL_GROUPS[0]; // "posterior"
 * ```
 */
export const ALL_GROUPS: readonly IdataGroup[] = [
  "posterior",
  "posterior_predictive",
  "log_likelihood",
  "sample_stats",
  "observed_data",
  "constant_data",
];

/**
 * One model-frame column as draws.R sends it.
 *
 * @example
 * ```ts
 * const c: ColumnWire = { kind: "double", values: new Float64Array([1, 2]) };
 * ```
 */
export interface ColumnWire {
  kind: "factor" | "logical" | "matrix" | "integer" | "double";
  values: unknown;
  levels?: unknown;
  dim?: unknown;
}

function column(name: string, c: ColumnWire, n: number): VariableInput {
  switch (c.kind) {
    case "double":
      return { dims: ["obs_id"], shape: [n], data: f64(c.values) };
    case "integer":
      return { dims: ["obs_id"], shape: [n], data: i32(c.values) };
    case "logical": {
      const i = i32(c.values);
      return { dims: ["obs_id"], shape: [n], data: i, attrs: { dtype: "bool", na: NA_INTEGER } };
    }
    case "factor":
      return {
        dims: ["obs_id"],
        shape: [n],
        data: i32(c.values),
        attrs: { dtype: "category", levels: list<string>(c.levels) },
      };
    case "matrix": {
      const dims = list<number>(c.dim).map(Number);
      return {
        dims: ["obs_id", `${name}_dim_0`],
        shape: [dims[0], dims[1]],
        data: cOrder(c.values, dims),
      };
    }
  }
}

/**
 * What `brmsts_idata()` (draws.R) returns, as decoded. Fields are `unknown` where the codec's
 * form varies (a scalar for length one, a typed array or a list); the decoders of `_decode.ts`
 * read them.
 *
 * @example
 * ```ts
 * import type { DrawsPayload } from "./draws.ts";
 * const p: DrawsPayload = { post: { values: new Float64Array(2), names: ["mu"], iters: 2, chains: 1 } };
 * ```
 */
export interface DrawsPayload {
  /** The posterior: one flat vector (parameter, chain, draw) and the parameter names. */
  post?: { values: unknown; names: unknown; iters: number; chains: number };
  /** Sampler statistics: one flat vector (statistic, chain, draw) and their names. */
  stats?: { values: unknown; names: unknown };
  /** Response names, in the order of `pp`, `ll` and `observed`. */
  responses?: unknown;
  /** Observation labels. */
  obs_id?: unknown;
  /** Posterior predictive draws: one draws × observations matrix per response. */
  pp?: unknown;
  /** Pointwise log-likelihood: one draws × observations matrix per response. */
  ll?: unknown;
  /** Names of the `ll` variables when not the responses (rescor: one joint `y1_y2`). */
  ll_names?: unknown;
  /** The response columns of the model frame, one per response. */
  observed?: unknown;
  /** The other model-frame columns, by name. */
  constant?: Record<string, ColumnWire> | null;
}

/**
 * Builds the InferenceData from the payload of `brmsts_idata()`.
 *
 * @example
 * ```ts
 * import { buildIdata } from "./draws.ts";
 * const idata = buildIdata({
 *   post: { values: new Float64Array([1, 2, 3, 4]), names: ["mu", "lp__"], iters: 1, chains: 2 },
 * }, { library: "brms", version: "2.18.0" });
 * idata.get("posterior", "mu").shape; // [2, 1]
 * ```
 */
export function buildIdata(
  p: DrawsPayload,
  meta: { library: string; version: string; attrs?: Record<string, unknown> },
  want: readonly IdataGroup[] = ALL_GROUPS,
): InferenceData {
  const groups: Record<string, Record<string, VariableInput>> = {};
  let chains = 0, draws = 0;
  const coords: Record<string, Coord> = {};
  const post = p.post;
  let lp: Float64Array | undefined;
  if (post) {
    chains = Number(post.chains);
    draws = Number(post.iters);
    const values = f64(post.values);
    const names = list<string>(post.names);
    const block = chains * draws;
    const vars: Record<string, VariableInput> = {};
    names.forEach((name, k) => {
      const data = values.subarray(k * block, (k + 1) * block);
      vars[name] = { dims: ["chain", "draw"], shape: [chains, draws], data };
      if (name === "lp__") lp = data;
    });
    groups.posterior = vars;
  }
  const stats = p.stats;
  if (stats && chains > 0) {
    const values = f64(stats.values);
    const block = chains * draws;
    const vars: Record<string, VariableInput> = {};
    if (lp) vars.lp__ = { dims: ["chain", "draw"], shape: [chains, draws], data: lp };
    list<string>(stats.names).forEach((name, k) => {
      vars[name] = {
        dims: ["chain", "draw"],
        shape: [chains, draws],
        data: values.subarray(k * block, (k + 1) * block),
      };
    });
    groups.sample_stats = vars;
  }
  const responses = list<string>(p.responses);
  if (p.obs_id !== undefined) coords.obs_id = coord(p.obs_id);
  const nObs = coords.obs_id?.length ?? 0;
  const perObs = (matrices: unknown, group: string, names = responses) => {
    const mats = list<unknown>(matrices);
    const vars: Record<string, VariableInput> = {};
    mats.forEach((m, i) => {
      const dims = dimsOf(m);
      const total = dims[0] ?? f64(m).length / Math.max(nObs, 1);
      const n = dims[1] ?? nObs;
      const shape = dims.length ? dims : [total, n];
      if (chains === 0) (chains = 1, draws = total);
      const extra = shape.slice(2);
      vars[names[i]] = {
        dims: ["chain", "draw", "obs_id", ...extra.map((_, j) => `${names[i]}_dim_${j}`)],
        shape: [chains, total / chains, n, ...extra],
        data: cOrder(m, shape),
      };
    });
    groups[group] = vars;
  };
  if (p.pp !== undefined) perObs(p.pp, "posterior_predictive");
  if (p.ll !== undefined) {
    // Rescor models: one joint variable named after all responses (ll_names).
    perObs(p.ll, "log_likelihood", p.ll_names === undefined ? responses : list(p.ll_names));
  }
  if (p.observed !== undefined) {
    const vars: Record<string, VariableInput> = {};
    list<ColumnWire>(p.observed).forEach((c, i) => {
      if (c) vars[responses[i]] = column(responses[i], c, nObs);
    });
    groups.observed_data = vars;
  }
  if (p.constant !== undefined && p.constant !== null) {
    const vars: Record<string, VariableInput> = {};
    for (const [name, c] of Object.entries(p.constant)) {
      vars[name] = column(name, c, nObs);
    }
    groups.constant_data = vars;
  }
  const ordered: Record<string, Record<string, VariableInput>> = {};
  for (const g of ALL_GROUPS) if (groups[g] && want.includes(g)) ordered[g] = groups[g];
  return InferenceData.fromObject(ordered, {
    ...(chains ? { chains, draws } : {}),
    coords: {
      ...(chains ? { chain: Array.from({ length: chains }, (_, i) => i) } : {}),
      ...coords,
    },
    attrs: {
      created_at: new Date().toISOString(),
      inference_library: meta.library,
      inference_library_version: meta.version,
      ...(meta.attrs ?? {}),
    },
  });
}
