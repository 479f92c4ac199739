/**
 * The arguments every post-fit function takes: what a `fit` may be (`FitLike`), new data
 * (`NewData`), the call options (`PostfitCallOptions`), which worker a call uses, and the
 * obs_id labels of a fit. Option names → brms's argument names are in `_options.ts`.
 *
 * @module
 */
import {
  type CallOptions,
  defaultWorker,
  type RCode,
  RObject,
  type RWorker,
} from "../../worker/mod.ts";
import type { Coord } from "../../idata/types.ts";
import type { DataFrameInput } from "../../data/mod.ts";
import type { FitHandle, FitResult } from "../fit/fit.ts";
import { dataArg } from "../core/data.ts";
import { ensurePostfit } from "../core/r_helpers.ts";
import { BrmstsTypeError } from "../../errors.ts";
export { unwrapFit } from "../fit/options.ts";

/**
 * A fitted model: what `brm()`, `readRdsFit()` or `addCriterion()` return (anything with the
 * brmsfit handle as `r`), or an `RObject` handle on a brmsfit.
 *
 * @example
 * ```ts
 * import { type DataFrame, brm } from "../../mod.ts";
 * declare const data: DataFrame;
 * const f: FitLike = await brm({ formula: "y ~ g", data });
 * ```
 */
export type FitLike = FitResult | FitHandle | RObject | { readonly r: RObject };

/**
 * New data: every data-frame form the codecs accept, or R data (`RObject`, `rCode()`).
 *
 * @example
 * ```ts
 * const nd: NewData = [{ g: "a" }, { g: "b" }];
 * ```
 */
export type NewData = DataFrameInput | RObject | RCode;

/**
 * Options every post-fit function accepts: the worker's call options (`signal` cancels, `onLog`
 * receives console output) and the worker that holds the fit.
 *
 * @example
 * ```ts
 * import { RWorker } from "../../mod.ts";
 * const opts: PostfitCallOptions = { signal: AbortSignal.timeout(10_000), worker: new RWorker() };
 * ```
 */
export interface PostfitCallOptions extends Omit<CallOptions, "convert"> {
  /**
   * The R worker that holds the fit (default: the shared default worker). It must be the worker
   * whose handle `fit.r` is: a handle names an object inside one worker.
   */
  worker?: RWorker;
}

/**
 * The brmsfit handle of a fit argument. Throws `RHandleError` for a handle whose worker has
 * exited (or that was disposed) and `TypeError` for anything that is not a fit.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * import { fitHandle } from "./args.ts";
 * const r = fitHandle(fit, "summary()"); // fit: FitResult or RObject
 * ```
 */
export function fitHandle(fit: FitLike, where: string): RObject {
  const r = fit instanceof RObject ? fit : (fit as { r?: unknown } | null)?.r;
  if (!(r instanceof RObject)) {
    throw new BrmstsTypeError(
      `${where}: expected a fit (the result of brm(), readRdsFit() or an RObject of a brmsfit), ` +
        `got ${describe(fit)}`,
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

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x !== "object") return typeof x;
  return (x as object).constructor?.name ?? "an object";
}

/**
 * The worker and the call options of a post-fit call (helpers installed).
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * declare const signal: AbortSignal;
 * const { w, call } = await prepare({ signal });
 * await w.call("brmsts_pf_summary", [fitHandle(fit, "x")], call);
 * ```
 */
export async function prepare(
  opts: PostfitCallOptions,
): Promise<{ w: RWorker; call: CallOptions }> {
  const w = opts.worker ?? defaultWorker();
  await ensurePostfit(w, opts.signal);
  return { w, call: { signal: opts.signal, onLog: opts.onLog } };
}

/**
 * The `newdata` argument for the worker (validated in JS before anything is sent).
 *
 * @example
 * ```ts
 * newdataArg({ g: ["a"] }); // a DataFrame
 * newdataArg(undefined); // null
 * ```
 */
export function newdataArg(nd: NewData | undefined | null): unknown {
  return nd === undefined || nd === null ? null : dataArg(nd);
}

/**
 * The obs_id labels of a FitResult's InferenceData (from brm()), if it has per-observation
 * groups: predictions without newdata reuse them so that groups line up when combined.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * fitObsId(fit); // e.g. ["r1000", "r1001", ...] from brm()'s InferenceData
 * ```
 */
export function fitObsId(fit: FitLike): Coord | undefined {
  if (fit instanceof RObject) return undefined;
  const idata = (fit as Partial<FitResult>).idata;
  if (!idata) return undefined;
  for (const g of ["observed_data", "log_likelihood", "posterior_predictive", "constant_data"]) {
    if (idata.hasGroup(g)) {
      const c = idata.group(g).coords.get("obs_id");
      if (c) return c;
    }
  }
  return undefined;
}
