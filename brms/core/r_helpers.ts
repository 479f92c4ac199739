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
import type { RWorker } from "../../worker/mod.ts";

const sources = new Map<string, string>();

/**
 * The text of an R file under brms/ (a path such as `fit/sampling.R`), read once.
 *
 * @example
 * ```ts
 * import { rSource } from "./r_helpers.ts";
 * rSource("fit/sampling.R").includes("brmsts_sample <- function"); // true
 * ```
 */
export function rSource(file: string): string {
  let s = sources.get(file);
  if (s === undefined) {
    s = readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
    sources.set(file, s);
  }
  return s;
}

/** Per worker: the generation each helper block was installed in. */
const installed = new WeakMap<RWorker, Map<string, number>>();

/**
 * Makes sure `brmsts:<name>` holds the functions of `source` in this worker session.
 *
 * @example
 * ```ts
 * import { defaultWorker } from "../../worker/mod.ts";
 * import { installRHelpers } from "./r_helpers.ts";
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
  if (w.info && mine.get(name) === w.generation) return;
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
  mine.set(name, w.generation);
}

/**
 * Installs brm()'s helpers (`sampling.R`, `draws.R`) in the worker if this worker session does
 * not have them yet.
 *
 * @example
 * ```ts
 * import { defaultWorker } from "../../worker/mod.ts";
 * import { ensureTools } from "./r_helpers.ts";
 * await ensureTools(defaultWorker());
 * ```
 */
export function ensureTools(w: RWorker, signal?: AbortSignal): Promise<void> {
  return installRHelpers(
    w,
    "brm",
    rSource("fit/sampling.R") + "\n" + rSource("fit/draws.R") + "\n" +
      rSource("compile/compiler.R"),
    signal,
  );
}

/**
 * Installs brm()'s helpers and the post-fit helpers (`postfit.R`) in the worker, once per
 * worker session.
 *
 * @example
 * ```ts
 * import { defaultWorker } from "../../worker/mod.ts";
 * import { ensurePostfit } from "./r_helpers.ts";
 * await ensurePostfit(defaultWorker());
 * ```
 */
export async function ensurePostfit(w: RWorker, signal?: AbortSignal): Promise<void> {
  await ensureTools(w, signal);
  await installRHelpers(w, "postfit", rSource("postfit/postfit.R"), signal);
}
