/**
 * Example data sets: brms's own (`epilepsy`, `kidney`, `inhaler`, `loss`) and those of any
 * installed R package.
 *
 * @module
 */
import { type CallOptions, defaultWorker, type RObject, type RWorker } from "../worker/mod.ts";
import type { DataFrame } from "../data/mod.ts";
import { rString } from "../formula/render.ts";
import { BrmstsTypeError } from "../errors.ts";

/**
 * Options of {@link getData}.
 *
 * @example
 * ```ts
 * import type { GetDataOptions } from "./datasets.ts";
 * const opts: GetDataOptions = { package: "datasets", handle: true };
 * ```
 */
export interface GetDataOptions {
  /** The R package holding the data set (default `"brms"`). */
  package?: string;
  /** Return an RObject handle on the data in the worker instead of a DataFrame. */
  handle?: boolean;
  /** Cancels the call. */
  signal?: AbortSignal;
  /** The worker to use (default: the default worker). */
  worker?: RWorker;
}

function code(name: string, pkg: string): string {
  return `local({
  name <- ${rString(name)}; pkg <- ${rString(pkg)}
  if (!nzchar(system.file(package = pkg))) stop("the R package '", pkg, "' is not installed")
  items <- sub(" .*$", "", utils::data(package = pkg)$results[, "Item"])
  if (!name %in% items) {
    stop("package '", pkg, "' has no data set '", name, "'",
         if (length(items)) paste0(" (it has: ", paste(items, collapse = ", "), ")") else "")
  }
  e <- new.env()
  utils::data(list = name, package = pkg, envir = e)
  x <- get(name, envir = e)
  if (!is.data.frame(x)) x <- as.data.frame(x)
  x
})`;
}

/**
 * A data set of an installed R package (brms's by default: `epilepsy`, `kidney`, `inhaler`,
 * `loss`, …), as a DataFrame (factors as Categorical, row names
 * kept), or as a handle with `handle: true` (no transfer; pass it as `data` to `brm()`).
 *
 * @example
 * ```ts
 * import { getData } from "./datasets.ts";
 * const bt = await getData("BTdata", { package: "MCMCglmm" });
 * const mt = await getData("mtcars", { package: "datasets" });
 * mt.nrow; // 32
 * ```
 */
export function getData(name: string, options: GetDataOptions & { handle: true }): Promise<RObject>;
/** A dataset of an installed R package as a DataFrame (another form of this function; see its other signature). */
export function getData(name: string, options?: GetDataOptions): Promise<DataFrame>;
export async function getData(
  name: string,
  options: GetDataOptions = {},
): Promise<DataFrame | RObject> {
  if (typeof name !== "string" || name === "") {
    throw new BrmstsTypeError("getData(): the data set name must be a non-empty string");
  }
  const w = options.worker ?? defaultWorker();
  const opts: CallOptions = { signal: options.signal, convert: options.handle ? "handle" : "auto" };
  return await w.eval(code(name, options.package ?? "brms"), opts) as DataFrame | RObject;
}
