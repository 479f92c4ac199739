/**
 * Prior strings checked with Stan's parser (`rstan::stanc` on the generated Stan code, a
 * fraction of a second) before a model is compiled: a prior Stan cannot parse is a SpecError
 * naming it, instead of a compile failure a minute later.
 *
 * @module
 */
import type { CallOptions, RObject, RWorker } from "../../worker/mod.ts";
import { SpecError } from "../../formula/mod.ts";
import { PRIOR_CHECK_HELPERS } from "../core/r_helpers.ts";
import { callRHelperValue } from "../../rhelpers.ts";

interface Problem {
  problem: string;
  priors: Record<string, string>[] | Record<string, string>;
}

/** Describes one brmsprior row: `"normal(0, " (class "b", coef "x")`. */
function describePrior(p: Record<string, string>): string {
  const where = ["class", "coef", "group", "resp", "dpar", "nlpar"]
    .filter((k) => p[k])
    .map((k) => `${k} ${JSON.stringify(p[k])}`);
  return `${JSON.stringify(p.prior)}${where.length ? ` (${where.join(", ")})` : ""}`;
}

/**
 * Throws a SpecError naming the priors of `spec` (brm()'s prepared call in R) that make the
 * generated Stan code unparsable; returns when the code parses or fails for another reason.
 *
 * @example
 * ```ts
 * import { defaultWorker, type RObject } from "../../worker/mod.ts";
 * import { checkPriors } from "./_prior_check.ts";
 * declare const spec: RObject; // brmsts_prepare()'s spec
 * await checkPriors(defaultWorker(), spec); // SpecError: prior "normal(0, " (class "b") ...
 * ```
 */
export async function checkPriors(
  w: RWorker,
  spec: RObject,
  opts: CallOptions = {},
): Promise<void> {
  await PRIOR_CHECK_HELPERS.ensure(w, opts.signal);
  const res = await callRHelperValue(w, PRIOR_CHECK_HELPERS, "brmsts_check_priors", [spec], opts) as
    | Problem
    | null;
  if (res === null || res === undefined) return;
  const priors = Array.isArray(res.priors) ? res.priors : [res.priors];
  const names = priors.map(describePrior);
  throw new SpecError(
    `${names.length === 1 ? "prior" : "priors"} ${names.join(", ")} ` +
      `${names.length === 1 ? "is" : "are"} not valid Stan (rstan::stanc):\n${res.problem}`,
  );
}
