/**
 * Loading a cached compiled model into an R worker ahead of the fit that needs it.
 *
 * @module
 */
import { existsSync } from "node:fs";
import type { RWorker } from "../../worker/mod.ts";
import { cacheDir, entryPaths } from "./store.ts";
import { ensurePostfit } from "../core/r_helpers.ts";

/**
 * Options of {@link preloadModel}.
 *
 * @example
 * ```ts
 * import { type PreloadOptions, RWorker } from "../../mod.ts";
 * const o: PreloadOptions = { worker: new RWorker() };
 * ```
 */
export interface PreloadOptions {
  /** The R worker to load the model into. */
  worker: RWorker;
  /** The model cache (default {@link cacheDir}'s). */
  cacheDir?: string;
  /** Cancels the load. */
  signal?: AbortSignal;
}

/**
 * Installs brm()'s R helpers in `worker` and loads the compiled model cached under `key`
 * (a fit's {@link FitResult.cacheKey}) from the disk cache: reads the entry, checks it and loads
 * its shared object. A later `brm()` in that worker for the same model then finds it in memory
 * and skips the load. Returns whether the model is loaded; a missing or invalid entry is
 * `false`, never an error (the fit compiles or loads as usual).
 *
 * @example
 * ```ts
 * import { brm, preloadModel, RWorker } from "../../mod.ts";
 * declare const key: string;
 * const worker = new RWorker();
 * if (await preloadModel(key, { worker })) console.log("model ready");
 * ```
 */
export async function preloadModel(key: string, options: PreloadOptions): Promise<boolean> {
  const w = options.worker;
  await ensurePostfit(w, options.signal);
  if (!/^[0-9a-f]+$/.test(key)) return false;
  const paths = entryPaths(cacheDir(options.cacheDir), key);
  if (!paths || !existsSync(paths.file)) return false;
  const loaded = await w.eval(
    `local({
  key <- ${JSON.stringify(key)}
  if (!is.null(brmsts_models[[key]])) return(TRUE)
  e <- tryCatch(readRDS(${JSON.stringify(paths.file)}), error = function(e) NULL)
  if (!is.list(e) || !is.character(e$code)) return(FALSE)
  if (nzchar(brmsts_invalid(e, key, e$code))) return(FALSE)
  assign(key, e$fit, envir = brmsts_models)
  TRUE
})`,
    { signal: options.signal },
  );
  return loaded === true;
}
