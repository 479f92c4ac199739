/**
 * The R helper blocks of brms/ (the one installer is `rhelpers.ts`): `brm` (`fit/sampling.R`,
 * `fit/draws.R`, `compile/compiler.R`), `postfit` (`postfit/postfit.R`), `extras`
 * (`postfit/extras.R`) and `prior_check` (`fit/prior_check.R`), each installed once per worker
 * session into its own attached environment (`brmsts:<name>`).
 *
 * @module
 */
import type { RWorker } from "../../worker/mod.ts";
import { rHelperBlock } from "../../rhelpers.ts";

const here = (file: string) => new URL(`../${file}`, import.meta.url);

/** brm()'s helpers: preparing, compiling, caching and sampling a model, and its draws. */
export const BRM_HELPERS = rHelperBlock("brm", [
  here("fit/sampling.R"),
  here("fit/draws.R"),
  here("compile/compiler.R"),
]);
/** The post-fit helpers (predictions, summaries, criteria, priors, files). */
export const POSTFIT_HELPERS = rHelperBlock(
  "postfit",
  [here("postfit/postfit.R")],
  undefined,
  [BRM_HELPERS],
);
/** update(), R², bridge sampling, exposed functions and brm_multiple. */
export const EXTRAS_HELPERS = rHelperBlock("extras", [here("postfit/extras.R")]);
/** exportScorer(): what brms's posterior_linpred / posterior_epred need for new data. */
export const SCORER_HELPERS = rHelperBlock("scorer", [here("postfit/export_scorer.R")]);
/** The Stan check of user priors before a compile. */
export const PRIOR_CHECK_HELPERS = rHelperBlock("prior_check", [here("fit/prior_check.R")]);

/**
 * Installs brm()'s helpers (`sampling.R`, `draws.R`, `compiler.R`) in the worker if this worker
 * session does not have them yet.
 *
 * @example
 * ```ts
 * import { defaultWorker } from "../../worker/mod.ts";
 * import { ensureTools } from "./r_helpers.ts";
 * await ensureTools(defaultWorker());
 * ```
 */
export function ensureTools(w: RWorker, signal?: AbortSignal): Promise<void> {
  return BRM_HELPERS.ensure(w, signal);
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
export function ensurePostfit(w: RWorker, signal?: AbortSignal): Promise<void> {
  return POSTFIT_HELPERS.ensure(w, signal);
}
