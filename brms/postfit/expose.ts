/**
 * brms's `expose_functions()`: a fit's Stan functions as R functions in the worker.
 *
 * @module
 */
import { join } from "node:path";
import { cacheDir, cacheEnabledByDefault } from "../compile/store.ts";
import { fitHandle, type FitLike, type PostfitCallOptions } from "./args.ts";

import { arr, ready } from "./_extras.ts";
import { callRHelperValue } from "../../rhelpers.ts";
import { EXTRAS_HELPERS } from "../core/r_helpers.ts";

/** Options of {@linkcode exposeFunctions}. */
export interface ExposeOptions extends PostfitCallOptions {
  /** brms's `vectorize`: wrap the functions in R's `Vectorize()`. */
  vectorize?: boolean;
  /**
   * Keep the compiled functions in the cache directory and reuse them for the same Stan
   * functions, also in later sessions (default `true`; `BRMSTS_CACHE=0` changes the default).
   */
  cache?: boolean;
  /** Cache directory (default as `brm()`'s); the functions go to its `functions/` folder. */
  cacheDir?: string;
}

/**
 * Makes the Stan functions of a model (its `functions` block, e.g. a custom family's) callable
 * from R in the worker, brms's `expose_functions(fit, vectorize)`: then `callR(name, args)`
 * calls them. Compiles C++ (about a minute) the first time; the shared library is cached (see
 * `cache`), so the same functions load in seconds afterwards. Returns the names of the new R
 * functions.
 *
 * @example
 * ```ts
 * declare const fit: import("../fit/fit.ts").FitResult;
 * import { callR } from "../../worker/mod.ts";
 * import { exposeFunctions } from "./expose.ts";
 * await exposeFunctions(fit, { vectorize: true }); // ["beta_binomial2_lpmf", ...]
 * await callR("beta_binomial2_lpmf", [3, 0.2, 5, 10]);
 * ```
 */
export async function exposeFunctions(
  fit: FitLike,
  options: ExposeOptions = {},
): Promise<string[]> {
  const r = fitHandle(fit, "exposeFunctions()");
  const w = await ready(options);
  const dir = (options.cache ?? cacheEnabledByDefault())
    ? join(cacheDir(options.cacheDir), "functions")
    : null;
  const names = await callRHelperValue(w, EXTRAS_HELPERS, "brmsts_x_expose", [
    r,
    options.vectorize ?? false,
    dir,
  ], {
    signal: options.signal,
    onLog: options.onLog,
    convert: "value",
  });
  return names === null ? [] : arr(names as string[] | string);
}
