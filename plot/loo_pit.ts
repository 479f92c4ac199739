/**
 * The LOO-PIT plot (bayesplot's `ppc_loo_pit_overlay`): probability integral transforms of the
 * observations under their leave-one-out predictive distributions, weighted by PSIS.
 *
 * @module
 */
import { psis, relativeEff } from "../stats/mod.ts";
import { PlotInputError } from "./errors.ts";
import { Plot, type VegaLiteSpec } from "./plot.ts";
import { asIdata, type IdataLike, predictive } from "./_draws.ts";
import { sorted } from "./_stats.ts";
import { SCHEME } from "./mcmc.ts";

/**
 * Options of {@link plotLooPit}.
 *
 * @example
 * ```ts
 * import type { LooPitOptions } from "./loo_pit.ts";
 * const o: LooPitOptions = { varName: "count" };
 * ```
 */
export interface LooPitOptions {
  /** The variable (default: the first in `observed_data`, `posterior_predictive` and `log_likelihood`). */
  varName?: string;
}

/**
 * LOO-PIT values: `pit_i = sum_s w_is [yrep_si < y_i] + w_is [yrep_si = y_i] / 2`, with `w` the
 * normalised PSIS weights of `-log_lik` (relative efficiencies from the chains, as `loo()`
 * does). rstantools' `loo_pit` draws a uniform number between the two sums for ties (discrete
 * outcomes); here the midpoint is taken so the result is reproducible.
 *
 * @example
 * ```ts
 * import type { InferenceData } from "../idata/mod.ts";
 * import { looPitValues } from "./loo_pit.ts";
 * const pit = (idata: InferenceData) => looPitValues(idata);
 * ```
 */
export function looPitValues(
  source: IdataLike,
  options: LooPitOptions = {},
): Float64Array {
  const { name, yrep, y } = predictive(source, options.varName);
  const idata = asIdata(source);
  if (!idata.hasGroup("log_likelihood") || !idata.group("log_likelihood").has(name)) {
    throw new PlotInputError(
      `LOO-PIT needs "log_likelihood.${name}" (fit with the log_likelihood group)`,
    );
  }
  const ll = idata.get("log_likelihood", name);
  const S = yrep.length, N = y.length;
  if (ll.data.length !== S * N) {
    throw new PlotInputError("log_likelihood and posterior_predictive differ in shape");
  }
  const chains = ll.shape[0], per = S / chains;
  const neg = Float64Array.from(ll.data as ArrayLike<number>, (v) => -v);
  // loo's relative_eff() of the likelihood exp(log_lik), chains from the draws' order.
  const rEff = relativeEff(
    { data: Float64Array.from(ll.data as ArrayLike<number>, Math.exp), draws: S, obs: N },
    Array.from({ length: S }, (_, s) => Math.floor(s / per) + 1),
  );
  const { logWeights } = psis(neg, S, N, { rEff });
  const pit = new Float64Array(N);
  for (let j = 0; j < N; j++) {
    let mx = -Infinity;
    for (let s = 0; s < S; s++) mx = Math.max(mx, logWeights[s * N + j]);
    let tot = 0, below = 0, eq = 0;
    for (let s = 0; s < S; s++) {
      const w = Math.exp(logWeights[s * N + j] - mx);
      tot += w;
      if (yrep[s][j] < y[j]) below += w;
      else if (yrep[s][j] === y[j]) eq += w;
    }
    pit[j] = (below + eq / 2) / tot;
  }
  return pit;
}

/**
 * LOO-PIT Q-Q plot (bayesplot's `ppc_loo_pit_qq`, uniform comparison): the sorted LOO-PIT values
 * ({@link looPitValues}) against the uniform quantiles `ppoints(n)` (`(i - a) / (n + 1 - 2a)`,
 * `a = 3/8` for n <= 10, else 1/2), with the diagonal. Points on the diagonal mean calibrated
 * predictions.
 *
 * @example
 * ```ts
 * import type { InferenceData } from "../idata/mod.ts";
 * import { plotLooPit } from "./loo_pit.ts";
 * const show = (idata: InferenceData) => plotLooPit(idata).toSVG();
 * ```
 */
export function plotLooPit(
  idata: IdataLike,
  options: LooPitOptions = {},
): Plot {
  const pit = sorted(looPitValues(idata, options));
  const n = pit.length, a = n <= 10 ? 3 / 8 : 0.5;
  const rows = Array.from(pit, (v, i) => ({ theoretical: (i + 1 - a) / (n + 1 - 2 * a), pit: v }));
  const spec: VegaLiteSpec = {
    title: "LOO-PIT Q-Q (uniform)",
    width: 300,
    height: 300,
    layer: [
      {
        data: { values: [{ a: 0 }, { a: 1 }] },
        mark: { type: "line", color: "#888", strokeDash: [4, 3] },
        encoding: {
          x: { field: "a", type: "quantitative" },
          y: { field: "a", type: "quantitative" },
        },
      },
      {
        data: { values: rows },
        mark: { type: "point", filled: true, color: SCHEME.midHighlight, size: 16 },
        encoding: {
          x: {
            field: "theoretical",
            type: "quantitative",
            title: "Uniform",
            scale: { domain: [0, 1] },
          },
          y: { field: "pit", type: "quantitative", title: "LOO-PIT", scale: { domain: [0, 1] } },
        },
      },
    ],
  };
  return new Plot(spec, "LOO-PIT Q-Q plot", { pit: rows });
}
