/**
 * The InferenceData of a brmsfit: `toInferenceData()` and the extraction `brm()` uses.
 *
 * @module
 */
import { defaultWorker, type RObject, type RWorker } from "../../worker/mod.ts";
import type { InferenceData } from "../../idata/inference_data.ts";
import { ALL_GROUPS, buildIdata, type DrawsPayload, type IdataGroup } from "./draws.ts";
import { ensureTools } from "../core/r_helpers.ts";
import { callRHelper } from "../../rhelpers.ts";
import { BRM_HELPERS } from "../core/r_helpers.ts";

/**
 * Options of {@link toInferenceData}.
 *
 * @example
 * ```ts
 * import type { ToIdataOptions } from "./to_idata.ts";
 * const opts: ToIdataOptions = { groups: ["posterior", "log_likelihood"], seed: 1 };
 * ```
 */
export interface ToIdataOptions {
  /** Groups to build (default: all). */
  groups?: readonly IdataGroup[];
  /** Seed for `posterior_predict` (reproducible posterior_predictive). */
  seed?: number;
  /** The data the model was fitted with (for `obs_id` from row names or an `obs_id` column). */
  data?: RObject;
  /** Cancels the extraction. */
  signal?: AbortSignal;
  /** The worker holding the fit (default: the default worker). */
  worker?: RWorker;
}

/** The groups brms computes per observation, each fetched in a call of its own (slow on big fits). */
const PER_CALL_GROUPS: readonly IdataGroup[] = ["posterior_predictive", "log_likelihood"];

/**
 * Fetches the InferenceData groups of a brmsfit from the worker: the quick groups in one call,
 * then the slow per-observation ones one call each (progress names them).
 *
 * @example
 * ```ts
 * import { defaultWorker, type RObject } from "../../worker/mod.ts";
 * import { fetchIdata } from "./to_idata.ts";
 * declare const fit: RObject;
 * const { idata } = await fetchIdata(defaultWorker(), fit, { groups: ["posterior"] });
 * idata.groups(); // ["posterior"]
 * ```
 */
export async function fetchIdata(
  w: RWorker,
  fit: RObject,
  o: {
    groups: readonly IdataGroup[];
    seed?: number;
    data?: RObject;
    signal?: AbortSignal;
    version?: string;
    /** Called before each slow group is computed (progress names it). */
    onGroup?: (group: IdataGroup) => void;
  },
): Promise<{ idata: InferenceData; warnings: string[] }> {
  await ensureTools(w, o.signal);
  // The quick groups in one call, then posterior_predictive and log_likelihood one call each, so
  // that progress can say which one brms is computing; the payloads have disjoint fields.
  const batches: IdataGroup[][] = [o.groups.filter((g) => !PER_CALL_GROUPS.includes(g))];
  for (const g of PER_CALL_GROUPS) if (o.groups.includes(g)) batches.push([g]);
  const payload: DrawsPayload = {};
  const warnings: string[] = [];
  for (const groups of batches) {
    if (!groups.length) continue;
    if (groups.length === 1 && PER_CALL_GROUPS.includes(groups[0])) o.onGroup?.(groups[0]);
    const res = await callRHelper(w, BRM_HELPERS, "brmsts_idata", {
      fit,
      data: o.data ?? null,
      groups,
      seed: o.seed ?? null,
    }, { signal: o.signal });
    Object.assign(payload, res.value as DrawsPayload);
    warnings.push(...res.warnings);
  }
  const version = o.version ?? (await w.status({ signal: o.signal })).brms ?? "";
  return { idata: buildIdata(payload, { library: "brms", version }, o.groups), warnings };
}

/**
 * Builds the InferenceData of an existing brmsfit handle (from `brm({ returnIdata: false })`,
 * `readRDS`, `update`, …), optionally only some groups.
 *
 * @example
 * ```ts
 * declare const opts: any;
 * import { brm, toInferenceData } from "../mod.ts";
 * const { r } = await brm({ ...opts, returnIdata: false });
 * const post = await toInferenceData(r, { groups: ["posterior"] });
 * const ll = await toInferenceData(r, { groups: ["log_likelihood"] });
 * post.extend(ll).groups(); // ["posterior", "log_likelihood"]
 * ```
 */
export async function toInferenceData(
  fit: RObject,
  options: ToIdataOptions = {},
): Promise<InferenceData> {
  const { idata } = await fetchIdata(options.worker ?? defaultWorker(), fit, {
    groups: options.groups ?? ALL_GROUPS,
    seed: options.seed,
    data: options.data,
    signal: options.signal,
  });
  return idata;
}
