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
import { Categorical } from "../data/categorical.ts";
import { NdArray } from "../data/ndarray.ts";
import { doubles, NA_INTEGER } from "../data/na.ts";
import { InferenceData } from "../idata/inference_data.ts";
import type { Coord, VariableInput } from "../idata/types.ts";

/**
 * The groups `brm()` can return.
 *
 * @example
 * ```ts
 * import type { IdataGroup } from "./_draws.ts";
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
 * import { ALL_GROUPS } from "./_draws.ts";
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
 * R source of the extraction helpers (installed with the other `brm()` helpers).
 *
 * @example
 * ```ts
 * import { DRAWS_R } from "./_draws.ts";
 * DRAWS_R.includes("brmsts_idata <- function"); // true
 * ```
 */
export const DRAWS_R = String.raw`
brmsts_responses <- function(fit) {
  bt <- brms::brmsterms(fit$formula)
  if (inherits(bt, "mvbrmsterms")) {
    resp <- unname(bt$responses)
    list(mv = TRUE, names = resp, lhs = lapply(bt$terms[resp], function(t) t$respform[[2L]]))
  } else {
    lhs <- bt$respform[[2L]]
    name <- if (is.name(lhs)) as.character(lhs) else all.vars(lhs)[1L]
    list(mv = FALSE, names = name, lhs = list(lhs))
  }
}

brmsts_obs_id <- function(fit, data) {
  mf <- fit$data
  rn <- rownames(mf)
  if (is.data.frame(data)) {
    keep <- match(rn, rownames(data))
    if (anyNA(keep)) keep <- seq_len(nrow(mf))
    if ("obs_id" %in% names(data)) {
      id <- data$obs_id[keep]
      return(if (is.factor(id)) as.character(id) else id)
    }
    if (.row_names_info(data) > 0L) return(rownames(data)[keep])
    return(keep - 1L)
  }
  if (.row_names_info(mf) < 0L) return(seq_len(nrow(mf)) - 1L)
  num <- suppressWarnings(as.integer(rn))
  if (!anyNA(num)) num - 1L else rn
}

brmsts_column <- function(x) {
  if (is.character(x)) x <- factor(x)
  if (is.factor(x)) {
    codes <- as.integer(x) - 1L
    codes[is.na(codes)] <- -1L
    return(list(kind = "factor", values = codes, levels = levels(x)))
  }
  if (is.logical(x)) return(list(kind = "logical", values = as.integer(x)))
  if (is.matrix(x) && is.numeric(x)) {
    storage.mode(x) <- "double"
    return(list(kind = "matrix", values = x, dim = dim(x)))
  }
  if (is.integer(x)) return(list(kind = "integer", values = x))
  if (is.numeric(x)) return(list(kind = "double", values = as.double(x)))
  NULL
}

# The post-warmup draws as one vector (parameter, chain, draw), the layout of as.array()'s
# memory, built straight from the stanfit's samples (several times faster than as.array()).
brmsts_flat_draws <- function(sf) {
  sim <- sf@sim
  chains <- sim$chains
  kept <- sim$n_save - sim$warmup2
  if (!chains || any(kept != kept[1L])) stop("unequal chains")
  idx <- lapply(seq_len(chains), function(c) seq.int(sim$warmup2[c] + 1L, length.out = kept[c]))
  k <- match(sim$fnames_oi, names(sim$samples[[1L]]))
  if (anyNA(k)) stop("unknown parameter names")
  v <- unlist(lapply(k, function(j) {
    lapply(seq_len(chains), function(c) sim$samples[[c]][[j]][idx[[c]]])
  }), use.names = FALSE)
  if (length(v) != length(k) * chains * kept[1L]) stop("unexpected length")
  list(values = as.double(v), names = sim$fnames_oi, iters = kept[1L], chains = chains)
}

brmsts_restore_seed <- function(seed) {
  had <- exists(".Random.seed", envir = globalenv(), inherits = FALSE)
  old <- if (had) get(".Random.seed", envir = globalenv())
  set.seed(seed)
  function() {
    if (had) assign(".Random.seed", old, envir = globalenv())
    else if (exists(".Random.seed", envir = globalenv(), inherits = FALSE)) {
      rm(".Random.seed", envir = globalenv())
    }
  }
}

brmsts_idata <- function(fit, data = NULL, groups, seed = NULL) {
  if (is.environment(data)) data <- data$args$data
  if (is.null(seed)) seed <- NA
  out <- list()
  sf <- fit$fit
  if (any(c("posterior", "sample_stats") %in% groups)) {
    out$post <- if (identical(fit$algorithm, "sampling")) {
      tryCatch(brmsts_flat_draws(sf), error = function(e) NULL)
    }
    if (is.null(out$post)) {
      a <- as.array(sf)
      d <- dim(a)
      nm <- dimnames(a)[[3L]]
      dim(a) <- NULL
      out$post <- list(values = a, names = nm, iters = d[1L], chains = d[2L])
    }
  }
  if ("sample_stats" %in% groups && identical(fit$algorithm, "sampling")) {
    sp <- tryCatch(rstan::get_sampler_params(sf, inc_warmup = FALSE), error = function(e) NULL)
    if (length(sp) && length(sp[[1L]])) {
      cols <- colnames(sp[[1L]])
      v <- unlist(lapply(cols, function(cn) unlist(lapply(sp, function(m) m[, cn]),
                                                     use.names = FALSE)), use.names = FALSE)
      out$stats <- list(values = as.double(v), names = cols)
    }
  }
  pred <- intersect(c("posterior_predictive", "log_likelihood", "observed_data",
                      "constant_data"), groups)
  if (length(pred)) {
    rs <- brmsts_responses(fit)
    out$responses <- rs$names
    out$obs_id <- brmsts_obs_id(fit, data)
    pick <- function(arr, i) {
      if (length(dim(arr)) == 3L) arr[, , i] else arr
    }
    if ("posterior_predictive" %in% groups) {
      if (!is.na(seed)) {
        # Seed now, restore the caller's RNG state when this function exits.
        restore <- brmsts_restore_seed(seed)
        on.exit(restore(), add = TRUE)
      }
      pp <- brms::posterior_predict(fit)
      out$pp <- lapply(seq_along(rs$names), function(i) {
        m <- if (rs$mv) pick(pp, rs$names[i]) else pp
        storage.mode(m) <- "double"
        m
      })
    }
    if ("log_likelihood" %in% groups) {
      out$ll <- lapply(seq_along(rs$names), function(i) {
        m <- if (rs$mv) brms::log_lik(fit, resp = rs$names[i]) else brms::log_lik(fit)
        storage.mode(m) <- "double"
        m
      })
    }
    mf <- fit$data
    if ("observed_data" %in% groups) {
      out$observed <- lapply(rs$lhs, function(lhs) {
        y <- eval(lhs, mf, baseenv())
        brmsts_column(if (is.matrix(y) || is.factor(y)) y else as.vector(y))
      })
    }
    if ("constant_data" %in% groups) {
      skip <- unique(unlist(lapply(rs$lhs, all.vars)))
      cols <- setdiff(names(mf), skip)
      cd <- lapply(cols, function(cn) brmsts_column(mf[[cn]]))
      names(cd) <- cols
      out$constant <- cd[!vapply(cd, is.null, NA)]
    }
  }
  out
}
`;

// ---------------------------------------------------------------------------------- decoding
// Values arrive through the worker's codec: typed arrays (views on shared memory) for numeric
// vectors, NdArray for arrays with `dim`, scalars for length-one vectors. The helpers also
// accept plain arrays, so the extraction does not depend on the codec's exact choices.

function asArray<T>(x: unknown): T[] {
  if (x === null || x === undefined) return [];
  if (Array.isArray(x)) return x as T[];
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<T>);
  if (typeof x === "object") return Object.values(x as object) as T[];
  return [x as T];
}

function asF64(x: unknown): Float64Array {
  if (x instanceof Float64Array) return x;
  if (x instanceof NdArray && x.data instanceof Float64Array) return x.data;
  if (typeof x === "number" || x === null) return doubles([x as number | null]);
  return doubles(asArray<number | null>(x));
}

function asI32(x: unknown): Int32Array {
  if (x instanceof Int32Array) return x;
  const a = typeof x === "number" || x === null ? [x] : asArray<number | null>(x);
  return Int32Array.from(a, (v) => (v === null ? NA_INTEGER : v));
}

/** An R matrix/array with `dims` as C-order doubles (transposing R's column-major if needed). */
function cOrder(x: unknown, dims: readonly number[]): Float64Array {
  if (x instanceof NdArray && x.order === "C" && x.data instanceof Float64Array) return x.data;
  const flat = x instanceof NdArray ? asF64(x.data) : asF64(x); // column-major
  return dims.length < 2 ? flat : columnMajorToC(flat, dims);
}

/**
 * Column-major doubles of an array with `dims` rearranged into C order (last index fastest),
 * copying bits rather than values so NA payloads survive.
 *
 * @example
 * ```ts
 * columnMajorToC(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]); // [1, 3, 5, 2, 4, 6]
 * ```
 */
export function columnMajorToC(flat: Float64Array, dims: readonly number[]): Float64Array {
  const n = flat.length;
  const out = new Float64Array(n);
  const src = new Uint32Array(flat.buffer, flat.byteOffset, 2 * n);
  const dst = new Uint32Array(out.buffer);
  const k = dims.length;
  const idx = new Array<number>(k).fill(0);
  const cStride = new Array<number>(k);
  let s = 1;
  for (let d = k - 1; d >= 0; d--) (cStride[d] = s, s *= dims[d]);
  for (let f = 0; f < n; f++) {
    let c = 0;
    for (let d = 0; d < k; d++) c += idx[d] * cStride[d];
    dst[2 * c] = src[2 * f];
    dst[2 * c + 1] = src[2 * f + 1];
    for (let d = 0; d < k; d++) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

function dimsOf(x: unknown): number[] {
  if (x instanceof NdArray) return [...x.shape];
  return [];
}

function coord(x: unknown): Coord {
  const a = asArray<unknown>(x instanceof Categorical ? x.values() : x);
  if (a.every((v) => typeof v === "number")) return a as number[];
  return a.map((v) => (v === null ? "NA" : String(v)));
}

interface ColumnWire {
  kind: "factor" | "logical" | "matrix" | "integer" | "double";
  values: unknown;
  levels?: unknown;
  dim?: unknown;
}

function column(name: string, c: ColumnWire, n: number): VariableInput {
  switch (c.kind) {
    case "double":
      return { dims: ["obs_id"], shape: [n], data: asF64(c.values) };
    case "integer":
      return { dims: ["obs_id"], shape: [n], data: asI32(c.values) };
    case "logical": {
      const i = asI32(c.values);
      return { dims: ["obs_id"], shape: [n], data: i, attrs: { dtype: "bool", na: NA_INTEGER } };
    }
    case "factor":
      return {
        dims: ["obs_id"],
        shape: [n],
        data: asI32(c.values),
        attrs: { dtype: "category", levels: asArray<string>(c.levels) },
      };
    case "matrix": {
      const dims = asArray<number>(c.dim).map(Number);
      return {
        dims: ["obs_id", `${name}_dim_0`],
        shape: [dims[0], dims[1]],
        data: cOrder(c.values, dims),
      };
    }
  }
}

/**
 * What `brmsts_idata()` returns, as decoded.
 *
 * @example
 * ```ts
 * import type { DrawsPayload } from "./_draws.ts";
 * const p: DrawsPayload = { post: { values: new Float64Array(2), names: ["mu"], iters: 2, chains: 1 } };
 * ```
 */
export type DrawsPayload = Record<string, unknown>;

/**
 * Builds the InferenceData from the payload of `brmsts_idata()`.
 *
 * @example
 * ```ts
 * import { buildIdata } from "./_draws.ts";
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
  const post = p.post as
    | { values: unknown; names: unknown; iters: number; chains: number }
    | undefined;
  let lp: Float64Array | undefined;
  if (post) {
    chains = Number(post.chains);
    draws = Number(post.iters);
    const values = asF64(post.values);
    const names = asArray<string>(post.names);
    const block = chains * draws;
    const vars: Record<string, VariableInput> = {};
    names.forEach((name, k) => {
      const data = values.subarray(k * block, (k + 1) * block);
      vars[name] = { dims: ["chain", "draw"], shape: [chains, draws], data };
      if (name === "lp__") lp = data;
    });
    groups.posterior = vars;
  }
  const stats = p.stats as { values: unknown; names: unknown } | undefined;
  if (stats && chains > 0) {
    const values = asF64(stats.values);
    const block = chains * draws;
    const vars: Record<string, VariableInput> = {};
    if (lp) vars.lp__ = { dims: ["chain", "draw"], shape: [chains, draws], data: lp };
    asArray<string>(stats.names).forEach((name, k) => {
      vars[name] = {
        dims: ["chain", "draw"],
        shape: [chains, draws],
        data: values.subarray(k * block, (k + 1) * block),
      };
    });
    groups.sample_stats = vars;
  }
  const responses = asArray<string>(p.responses);
  if (p.obs_id !== undefined) coords.obs_id = coord(p.obs_id);
  const nObs = coords.obs_id?.length ?? 0;
  const perObs = (list: unknown, group: string) => {
    const mats = asArray<unknown>(list);
    const vars: Record<string, VariableInput> = {};
    mats.forEach((m, i) => {
      const dims = dimsOf(m);
      const total = dims[0] ?? asF64(m).length / Math.max(nObs, 1);
      const n = dims[1] ?? nObs;
      const shape = dims.length ? dims : [total, n];
      if (chains === 0) (chains = 1, draws = total);
      const extra = shape.slice(2);
      vars[responses[i]] = {
        dims: ["chain", "draw", "obs_id", ...extra.map((_, j) => `${responses[i]}_dim_${j}`)],
        shape: [chains, total / chains, n, ...extra],
        data: cOrder(m, shape),
      };
    });
    groups[group] = vars;
  };
  if (p.pp !== undefined) perObs(p.pp, "posterior_predictive");
  if (p.ll !== undefined) perObs(p.ll, "log_likelihood");
  if (p.observed !== undefined) {
    const vars: Record<string, VariableInput> = {};
    asArray<ColumnWire>(p.observed).forEach((c, i) => {
      if (c) vars[responses[i]] = column(responses[i], c, nObs);
    });
    groups.observed_data = vars;
  }
  if (p.constant !== undefined && p.constant !== null) {
    const vars: Record<string, VariableInput> = {};
    for (const [name, c] of Object.entries(p.constant as Record<string, ColumnWire>)) {
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
