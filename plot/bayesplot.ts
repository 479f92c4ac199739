/**
 * `bayesplot()`: a plot drawn by R's bayesplot / brms (ggplot2) in the worker, saved through
 * svglite, for the exact look of brms's plots.
 *
 * @module
 */
import { defaultWorker } from "../worker/mod.ts";
import { callRHelperValue, rHelperBlock } from "../rhelpers.ts";
import type { FitLike } from "../brms/mod.ts";
import { PlotInputError } from "./errors.ts";
import { Plot } from "./plot.ts";

/**
 * Options of {@link bayesplot}.
 *
 * @example
 * ```ts
 * import type { BayesplotOptions } from "./bayesplot.ts";
 * const o: BayesplotOptions = { pars: ["b_Intercept"], width: 8, height: 5 };
 * ```
 */
export interface BayesplotOptions {
  /** Parameters (brms's `variable` of `mcmc_plot`). */
  pars?: readonly string[];
  /** Other arguments of the R function, by their R names (e.g. `{ ndraws: 20 }`). */
  args?: Record<string, unknown>;
  /** Width in inches (default 7). */
  width?: number;
  /** Height in inches (default 5). */
  height?: number;
}

/** The helper of `bayesplot.R`, installed once per worker session into `brmsts:bayesplot`. */
export const BAYESPLOT_HELPERS = rHelperBlock("bayesplot", [
  new URL("./bayesplot.R", import.meta.url),
]);

function fitObject(fit: FitLike): unknown {
  return typeof fit === "object" && fit !== null && "r" in fit ? fit.r : fit;
}

/**
 * A plot made by R: `fun` is a bayesplot function name (`"mcmc_trace"`, `"mcmc_rank_hist"`,
 * `"mcmc_areas"`, … through `brms::mcmc_plot`; `"ppc_dens_overlay"`, … through
 * `brms::pp_check`), `"pp_check"` or `"conditional_effects"` (its first effect). Rendered by
 * ggplot2 to SVG with svglite in the worker; the returned {@link Plot} has `spec: null`, and
 * `toPNG()` and `save()` work as for the other plots.
 *
 * @example
 * ```ts
 * import { brm } from "../brms/mod.ts";
 * import { bayesplot } from "./bayesplot.ts";
 * const fit = await brm({ formula: "y ~ x", data: { y: [1, 2, 3, 5], x: [1, 2, 3, 4] } });
 * await (await bayesplot(fit, "mcmc_trace", { pars: ["b_x"] })).save("trace-r.svg");
 * ```
 */
export async function bayesplot(
  fit: FitLike,
  fun: string,
  options: BayesplotOptions = {},
): Promise<Plot> {
  if (!/^(mcmc_\w+|ppc_\w+|pp_check|conditional_effects)$/.test(fun)) {
    throw new PlotInputError(
      `unknown plot function "${fun}": use mcmc_*, ppc_*, pp_check or conditional_effects`,
    );
  }
  const args: Record<string, unknown> = { ...(options.args ?? {}) };
  if (options.pars) args.variable = [...options.pars];
  const call = () =>
    callRHelperValue(defaultWorker(), BAYESPLOT_HELPERS, "brmsts_plot_bayesplot", [
      fitObject(fit),
      fun,
      args,
      options.width ?? 7,
      options.height ?? 5,
    ]);
  await BAYESPLOT_HELPERS.ensure(defaultWorker());
  const svg = await call();
  const text = Array.isArray(svg) ? svg.join("\n") : String(svg);
  return new Plot(null, `${fun} (bayesplot)`, {}, text.slice(text.indexOf("<svg")));
}
