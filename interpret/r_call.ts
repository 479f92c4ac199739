/**
 * The worker side of the interpret functions: which worker a call uses, the R helpers of
 * `interpret.R` (installed once per worker session into the attached environment
 * `brmsts:interpret`), the brmsfit handle of a fit argument, and the model's data.
 *
 * @module
 */
import { type CallOptions, defaultWorker, RObject, type RWorker } from "../worker/mod.ts";
import { DataFrame } from "../data/mod.ts";
import type { FitLike } from "../brms/mod.ts";
import { BrmstsTypeError } from "../errors.ts";
import { rHelperBlock } from "../rhelpers.ts";
import { callRHelperValue } from "../rhelpers.ts";

/**
 * Options every interpret function accepts: the worker that holds the fit, a signal that
 * cancels, and a console listener.
 *
 * @example
 * ```ts
 * const opts: InterpretCallOptions = { signal: AbortSignal.timeout(60_000) };
 * ```
 */
export interface InterpretCallOptions {
  /** The R worker that holds the fit (default: the shared default worker). */
  worker?: RWorker;
  /** Cancels the call (and the chunks still to come). */
  signal?: AbortSignal;
  /** Receives the worker's console output during the call. */
  onLog?: CallOptions["onLog"];
}

/** The helpers of `interpret.R`, installed once per worker session into `brmsts:interpret`. */
export const INTERPRET_HELPERS = rHelperBlock("interpret", [
  new URL("./interpret.R", import.meta.url),
]);

/** The worker and call options of a call, with the helpers installed. */
export async function prepare(
  opts: InterpretCallOptions,
): Promise<{ w: RWorker; call: CallOptions }> {
  const w = opts.worker ?? defaultWorker();
  const call: CallOptions = { signal: opts.signal, onLog: opts.onLog };
  await INTERPRET_HELPERS.ensure(w, opts.signal);
  return { w, call };
}

/** The brmsfit handle of a fit argument (TypeError for anything else). */
export function fitHandle(fit: FitLike, where: string): RObject {
  const r = fit instanceof RObject ? fit : (fit as { r?: unknown } | null)?.r;
  if (!(r instanceof RObject)) {
    throw new BrmstsTypeError(
      `${where}: expected a fit (the result of brm(), readRdsFit() or an RObject of a brmsfit)`,
    );
  }
  r.assertUsable();
  if (!r.inherits("brmsfit")) {
    throw new BrmstsTypeError(
      `${where}: expected a brmsfit, got an RObject of class ${r.classes.join("/") || r.type}`,
    );
  }
  return r;
}

/** What the interpret functions know of a model. */
export interface ModelInfo {
  /** The model's data (`fit$data`). */
  data: DataFrame;
  /** The number of posterior draws. */
  ndraws: number;
  /** Whether the model is multivariate. */
  mv: boolean;
}

const infos = new WeakMap<RObject, Promise<ModelInfo>>();

/** The model's data and number of draws (fetched once per fit handle). */
export function modelInfo(
  r: RObject,
  w: RWorker,
  call: CallOptions,
): Promise<ModelInfo> {
  let p = infos.get(r);
  if (!p) {
    p = (async () => {
      const v = await callRHelperValue(w, INTERPRET_HELPERS, "brmsts_ip_info", [r], call) as {
        data: DataFrame;
        ndraws: number;
        mv: boolean;
      };
      if (!(v.data instanceof DataFrame)) {
        throw new BrmstsTypeError("expected the model's data frame");
      }
      return { data: v.data, ndraws: Number(v.ndraws), mv: Boolean(v.mv) };
    })();
    infos.set(r, p);
    p.catch(() => infos.delete(r));
  }
  return p;
}
