/**
 * Shared by the post-fit functions: what a `fit` argument may be, which worker a call uses,
 * option names → brms's argument names, and the obs_id labels of a fit.
 *
 * @module
 */
import {
  type CallOptions,
  defaultWorker,
  type RCode,
  rCode,
  RObject,
  type RWorker,
} from "../worker/mod.ts";
import type { Coord } from "../idata/types.ts";
import { camelToSnake, rString } from "../formula/render.ts";
import type { DataFrameInput } from "../data/mod.ts";
import type { FitHandle, FitResult } from "./fit.ts";
import { dataArg } from "./_data.ts";
import { ensurePostfit } from "./_postfit_r.ts";

/**
 * A fitted model: what `brm()`, `readRdsFit()` or `addCriterion()` return (anything with the
 * brmsfit handle as `r`), or an `RObject` handle on a brmsfit.
 *
 * @example
 * ```ts
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
 * import { fitHandle } from "./_postfit_common.ts";
 * const r = fitHandle(fit, "summary()"); // fit: FitResult or RObject
 * ```
 */
export function fitHandle(fit: FitLike, where: string): RObject {
  const r = fit instanceof RObject ? fit : (fit as { r?: unknown } | null)?.r;
  if (!(r instanceof RObject)) {
    throw new TypeError(
      `${where}: expected a fit (the result of brm(), readRdsFit() or an RObject of a brmsfit), ` +
        `got ${describe(fit)}`,
    );
  }
  r.assertUsable();
  if (!r.inherits("brmsfit")) {
    throw new TypeError(
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
 * brmsts option names whose brms argument differs beyond camelCase → snake_case; all other
 * names are converted (`allowNewLevels` → `allow_new_levels`) and passed on.
 */
const NAMES: Readonly<Record<string, string>> = {
  reFormula: "re_formula",
  momentMatch: "moment_match",
};

/**
 * Options handled by brmsts itself (never sent to brms).
 *
 * @example
 * ```ts
 * LOCAL.has("newdata"); // true
 * ```
 */
export const LOCAL = new Set(["signal", "onLog", "worker", "newdata", "seed", "ndraws", "drawIds"]);

/**
 * `re_formula`: `null` → `NA` (no group-level effects), a string → an R formula, undefined →
 * brms's default (all group-level effects).
 *
 * @example
 * ```ts
 * reFormulaArg(null); // rCode("NA")
 * reFormulaArg("~ (1 | g)"); // rCode('stats::as.formula("~ (1 | g)")')
 * ```
 */
export function reFormulaArg(v: unknown): unknown {
  if (v === null) return rCode("NA");
  if (typeof v === "string") return rCode(`stats::as.formula(${rString(v)})`);
  return v;
}

/**
 * The named R arguments for `options` (local options left out): camelCase → snake_case,
 * `reFormula` as a formula, `FitResult`s as their handles.
 *
 * @example
 * ```ts
 * import { brmsArgs } from "./_postfit_common.ts";
 * brmsArgs({ allowNewLevels: true, reFormula: null, signal: undefined });
 * // { allow_new_levels: true, re_formula: rCode("NA") }
 * ```
 */
export function brmsArgs(
  options: object,
  skip: ReadonlySet<string> = LOCAL,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options as Record<string, unknown>)) {
    if (v === undefined || skip.has(k) || LOCAL.has(k)) continue;
    const name = NAMES[k] ?? camelToSnake(k);
    out[name] = name === "re_formula" ? reFormulaArg(v) : unwrapFit(v);
  }
  return out;
}

/**
 * A fit argument (an object holding a brmsfit handle as `r`, like brm()'s result) becomes its
 * handle; anything else is returned unchanged.
 *
 * @example
 * ```ts
 * unwrapFit(fit) === fit.r; // true for brm()'s result
 * ```
 */
export function unwrapFit(v: unknown): unknown {
  if (v === null || typeof v !== "object" || v instanceof RObject) return v;
  const r = (v as { r?: unknown }).r;
  if (r instanceof RObject && r.inherits("brmsfit")) return r;
  return v;
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

/**
 * `x` as a list of strings (the codec gives a scalar for length one, null for NULL).
 *
 * @example
 * ```ts
 * strings("a"); // ["a"]
 * strings(null); // []
 * ```
 */
export function strings(x: unknown): string[] {
  if (x === null || x === undefined) return [];
  if (Array.isArray(x)) return x.map((v) => String(v));
  if (typeof x === "string") return [x];
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>, String);
  return [String(x)];
}

/**
 * `x` as a coordinate (numbers or strings).
 *
 * @example
 * ```ts
 * coordOf(new Int32Array([0, 1])); // [0, 1]
 * coordOf(["a", null]); // ["a", "NA"]
 * ```
 */
export function coordOf(x: unknown): Coord {
  if (x === null || x === undefined) return [];
  if (typeof x === "number") return [x];
  if (typeof x === "string") return [x];
  if (x instanceof Int32Array || x instanceof Float64Array) return Array.from(x);
  const a = x as unknown[];
  if (a.every((v) => typeof v === "number")) return a as number[];
  return a.map((v) => (v === null ? "NA" : String(v)));
}

/**
 * `x` as doubles (a scalar arrives as a number).
 *
 * @example
 * ```ts
 * f64(3); // Float64Array [3]
 * ```
 */
export function f64(x: unknown): Float64Array {
  if (x instanceof Float64Array) return x;
  if (x === null || x === undefined) return new Float64Array(0);
  if (typeof x === "number") return Float64Array.of(x);
  return Float64Array.from(x as ArrayLike<number>);
}
