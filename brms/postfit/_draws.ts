/**
 * Payloads of the post-fit helpers → InferenceData groups: per-observation draws as
 * `(chain, draw, obs_id)` and data frames as `(obs_id)` variables. Follows the conventions of
 * brm()'s extraction (`_draws.ts`): factors as Int32 codes with `dtype: "category"` and
 * `levels`, logicals as Int32 with `dtype: "bool"`, matrices with a `<name>_dim_0` dimension.
 *
 * @module
 */
import { Categorical, DataFrame, NA_INTEGER, NdArray } from "../../data/mod.ts";
import { InferenceData } from "../../idata/inference_data.ts";
import type { Coord, VariableInput } from "../../idata/types.ts";
import { columnMajorToC } from "../../data/transpose.ts";
import { coord, strings } from "../core/decode.ts";
import { BrmstsTypeError } from "../../errors.ts";

/**
 * An R array's data in C order (a copy of bits when it arrived in R's column-major order).
 *
 * @example
 * ```ts
 * import { NdArray } from "../../mod.ts";
 * const m = new NdArray(new Float64Array([1, 2, 3, 4]), [2, 2], { order: "F" });
 * cOrderData(m); // Float64Array [1, 3, 2, 4]
 * ```
 */
export function cOrderData(x: NdArray): Float64Array {
  const data = x.data instanceof Float64Array ? x.data : Float64Array.from(x.data as Int32Array);
  if (x.order === "C" || x.shape.length < 2) return data;
  return columnMajorToC(data, x.shape);
}

/**
 * The columns of a data frame as `(obs_id)` variables (brm()'s constant_data conventions).
 *
 * @example
 * ```ts
 * import { DataFrame } from "../../data/mod.ts";
 * import { frameVariables } from "./_draws.ts";
 * frameVariables(new DataFrame({ x: [1, 2] })).x.dims; // ["obs_id"]
 * ```
 */
export function frameVariables(df: DataFrame): Record<string, VariableInput> {
  const out: Record<string, VariableInput> = {};
  const n = df.nrow;
  for (const [name, c] of df.entries()) {
    if (c instanceof Float64Array || c instanceof Int32Array) {
      out[name] = { dims: ["obs_id"], shape: [n], data: c };
    } else if (c instanceof Categorical) {
      out[name] = {
        dims: ["obs_id"],
        shape: [n],
        data: c.codes,
        attrs: {
          dtype: "category",
          levels: [...c.levels],
          ...(c.ordered ? { ordered: true } : {}),
        },
      };
    } else if (c instanceof NdArray && c.shape.length === 2) {
      out[name] = {
        dims: ["obs_id", `${name}_dim_0`],
        shape: [c.shape[0], c.shape[1]],
        data: cOrderData(c),
      };
    } else if (Array.isArray(c) && c.every((v) => v === null || typeof v === "boolean")) {
      const data = Int32Array.from(c as (boolean | null)[], (v) => v === null ? NA_INTEGER : +v);
      out[name] = { dims: ["obs_id"], shape: [n], data, attrs: { dtype: "bool", na: NA_INTEGER } };
    } else if (Array.isArray(c) && c.every((v) => v === null || typeof v === "string")) {
      const f = Categorical.from(c as (string | null)[]);
      out[name] = {
        dims: ["obs_id"],
        shape: [n],
        data: f.codes,
        attrs: { dtype: "category", levels: [...f.levels] },
      };
    }
  }
  return out;
}

/**
 * What `brmsts_pf_predict()` returns, as decoded.
 *
 * @example
 * ```ts
 * const p: PredictPayload = { responses: "y", vars: [], obs_id: [], chains: 2, draw_ids: null, constant: null };
 * ```
 */
export interface PredictPayload {
  responses: unknown;
  vars: unknown;
  obs_id: unknown;
  chains: unknown;
  draw_ids: unknown;
  constant: unknown;
}

/**
 * How a payload becomes groups.
 *
 * @example
 * ```ts
 * const l: PredictLayout = { group: "predictions", suffix: "_mean" };
 * ```
 */
export interface PredictLayout {
  /** The group of the draws (`posterior_predictive`, `predictions`, `log_likelihood`, …). */
  group: string;
  /** Appended to each response's name (`_mean`, `_linpred`, or ``). */
  suffix: string;
  /** The group of the data columns, if any. */
  constantGroup?: string;
  /** obs_id labels to use instead of the payload's (those of the fit's InferenceData). */
  obsId?: Coord;
  /** brms's version, for the attributes. */
  version?: string;
}

/**
 * Builds the InferenceData of a prediction payload: one `(chain, draw, obs_id[, <var>_dim_0])`
 * variable per response in `layout.group`, the data columns in `layout.constantGroup`.
 *
 * @example
 * ```ts
 * import { NdArray } from "../../data/mod.ts";
 * import { predictionIdata } from "./_draws.ts";
 * const idata = predictionIdata({
 *   responses: "y", obs_id: [0, 1], chains: 2, draw_ids: null, constant: null,
 *   vars: [{ values: new NdArray(new Float64Array(8), [4, 2]), extra: null }],
 * }, { group: "posterior_predictive", suffix: "" });
 * idata.get("posterior_predictive", "y").shape; // [2, 2, 2]
 * ```
 */
export function predictionIdata(p: PredictPayload, layout: PredictLayout): InferenceData {
  const responses = strings(p.responses);
  const list = (Array.isArray(p.vars) ? p.vars : [p.vars]) as {
    values: unknown;
    extra: unknown;
  }[];
  let chains = Number(p.chains) || 1;
  const coords: Record<string, Coord> = {};
  const drawIds = p.draw_ids === null || p.draw_ids === undefined ? null : coord(p.draw_ids);
  let obs = coord(p.obs_id);
  const vars: Record<string, VariableInput> = {};
  let draws = 0;
  list.forEach((v, i) => {
    const nd = v.values;
    if (!(nd instanceof NdArray)) throw new BrmstsTypeError("expected an R array of draws");
    const [total, n, ...rest] = nd.shape;
    if (total % chains !== 0) chains = 1;
    draws = total / chains;
    if (layout.obsId && layout.obsId.length === n) obs = layout.obsId;
    const name = responses[i] + layout.suffix;
    const extraDims = rest.map((_, j) => `${name}_dim_${j}`);
    const labels = v.extra === null || v.extra === undefined ? null : strings(v.extra);
    if (labels && extraDims.length) coords[extraDims[0]] = labels;
    vars[name] = {
      dims: ["chain", "draw", "obs_id", ...extraDims],
      shape: [chains, draws, n, ...rest],
      data: cOrderData(nd),
    };
  });
  const groups: Record<string, Record<string, VariableInput>> = { [layout.group]: vars };
  if (layout.constantGroup && p.constant instanceof DataFrame) {
    groups[layout.constantGroup] = frameVariables(p.constant);
  }
  return InferenceData.fromObject(groups, {
    chains,
    draws,
    coords: {
      ...coords,
      chain: Array.from({ length: chains }, (_, i) => i),
      ...(drawIds ? { draw: drawIds } : {}),
      obs_id: obs,
    },
    attrs: {
      created_at: new Date().toISOString(),
      inference_library: "brms",
      ...(layout.version ? { inference_library_version: layout.version } : {}),
    },
  });
}
