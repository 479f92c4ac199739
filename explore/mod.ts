/**
 * The explorer: a local, read-only web page over one or several fits, served with the
 * runtime's own HTTP server (see {@link explore}).
 *
 * @example
 * ```ts
 * import { InferenceData } from "../idata/mod.ts";
 * import { explore } from "./mod.ts";
 * const idata = InferenceData.fromObject({ posterior: { mu: new Float64Array(400).map(Math.random) } }, { chains: 4 });
 * const ex = await explore(idata);
 * console.log(ex.url);
 * await ex.close();
 * ```
 *
 * @module
 */
export {
  explore,
  type ExploreFitLike,
  type ExploreInput,
  type ExploreOptions,
  type Explorer,
  type RequestLogEntry,
} from "./explore.ts";
export { ExploreInputError, ExploreServerError } from "./errors.ts";
