/**
 * Installs a block of R helper functions into a worker, once per worker session: the source is
 * evaluated into its own attached environment (`brmsts:<name>`), never the user's global
 * environment, and replaced whenever the source changes (a hash of it is the version).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { RWorker } from "../worker/mod.ts";

/** Per worker: the generation each helper block was installed in. */
const installed = new WeakMap<RWorker, Map<string, number>>();

/**
 * Makes sure `brmsts:<name>` holds the functions of `source` in this worker session.
 *
 * @example
 * ```ts
 * import { defaultWorker } from "../worker/mod.ts";
 * import { installRHelpers } from "./_rhelpers.ts";
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
