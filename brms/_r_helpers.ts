/**
 * The R side of brms/: the functions in `sampling.R` and `draws.R` (brm()) and `postfit.R`
 * (the post-fit functions), read once from the files beside this module and installed once
 * per worker session, each block into its own attached environment (`brmsts:<name>`), never
 * the user's global environment. A block is replaced whenever its source changes (a hash of it
 * is the version).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { RWorker } from "../worker/mod.ts";

const sources = new Map<string, string>();

/**
 * The text of an R file beside this module, read once.
 *
 * @example
 * ```ts
 * import { rSource } from "./_r_helpers.ts";
 * rSource("sampling.R").includes("brmsts_sample <- function"); // true
 * ```
 */
export function rSource(file: string): string {
  let s = sources.get(file);
  if (s === undefined) {
    s = readFileSync(new URL(`./${file}`, import.meta.url), "utf8");
    sources.set(file, s);
  }
  return s;
}

/** Per worker: the generation and isolated job each helper block was installed in. */
const installed = new WeakMap<RWorker, Map<string, string>>();

/**
 * Makes sure `brmsts:<name>` holds the functions of `source` in this worker session.
 *
 * @example
 * ```ts
 * import { defaultWorker } from "../worker/mod.ts";
 * import { installRHelpers } from "./_r_helpers.ts";
 * await installRHelpers(defaultWorker(), "demo", "brmsts_twice <- function(x) 2 * x");
 * ```
 */
export async function installRHelpers(
  w: RWorker,
  name: string,
  source: string,
  signal?: AbortSignal,
): Promise<void> {
  let mine = installed.get(w);
  if (!mine) installed.set(w, mine = new Map());
  // Installed in this worker's R, or in the isolated job that runs now (RWorker.isolated).
  const stamp = `${w.generation}/${w.isolation}`, here = mine.get(name);
  if (w.info && (here === `${w.generation}/0` || here === stamp)) return;
  const version = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const env = JSON.stringify(`brmsts:${name}`);
  await w.eval(
    `local({
  if (!${env} %in% search() ||
      !identical(get0(".brmsts_version", as.environment(${env})), "${version}")) {
    if (${env} %in% search()) detach(${env}, character.only = TRUE)
    e <- attach(NULL, name = ${env}, warn.conflicts = FALSE)
    eval(parse(text = ${JSON.stringify(source)}, keep.source = FALSE), envir = e)
    assign(".brmsts_version", "${version}", envir = e)
  }
  invisible(NULL)
})`,
    { signal },
  );
  mine.set(name, stamp);
}

/**
 * Installs brm()'s helpers (`sampling.R`, `draws.R`) in the worker if this worker session does
 * not have them yet.
 *
 * @example
 * ```ts
 * import { defaultWorker } from "../worker/mod.ts";
 * import { ensureTools } from "./_r_helpers.ts";
 * await ensureTools(defaultWorker());
 * ```
 */
export function ensureTools(w: RWorker, signal?: AbortSignal): Promise<void> {
  return installRHelpers(
    w,
    "brm",
    rSource("sampling.R") + "\n" + rSource("draws.R") + "\n" + rSource("compiler.R"),
    signal,
  );
}

/**
 * Installs brm()'s helpers and the post-fit helpers (`postfit.R`) in the worker, once per
 * worker session.
 *
 * @example
 * ```ts
 * import { defaultWorker } from "../worker/mod.ts";
 * import { ensurePostfit } from "./_r_helpers.ts";
 * await ensurePostfit(defaultWorker());
 * ```
 */
export async function ensurePostfit(w: RWorker, signal?: AbortSignal): Promise<void> {
  await ensureTools(w, signal);
  await installRHelpers(w, "postfit", rSource("postfit.R"), signal);
}
