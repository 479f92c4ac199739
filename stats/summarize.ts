/**
 * `summarizeDraws()`: posterior's `summarise_draws()` on an InferenceData group.
 *
 * @module
 */
import { Dataset } from "../idata/dataset.ts";
import type { InferenceData } from "../idata/inference_data.ts";
import { elements } from "../idata/flatten.ts";
import { rowsBundle, withDisplay } from "../display/mod.ts";
import { rNumber } from "./_basic.ts";
import { Engine, FIELDS } from "./_variable_summary.ts";
import { BrmstsInputError, BrmstsRangeError } from "../errors.ts";

/**
 * One row of {@link summarizeDraws}: fields named like the columns of posterior's
 * `summarise_draws()` (`q5`, `q95` for the default quantiles; `q2.5` for 0.025, ...). Missing
 * values (R's `NA`) are `NaN`.
 *
 * @example
 * ```ts
 * import type { SummaryRow } from "./summarize.ts";
 * const show = (r: SummaryRow) => `${r.variable}: ${r.mean} [${r.q5}, ${r.q95}] rhat ${r.rhat}`;
 * ```
 */
export type SummaryRow =
  & {
    variable: string;
    mean: number;
    median: number;
    sd: number;
    mad: number;
    rhat: number;
    ess_bulk: number;
    ess_tail: number;
    mcse_mean: number;
    mcse_sd: number;
  }
  & { [quantile: `q${string}`]: number };

/**
 * Options of {@link summarizeDraws}.
 *
 * @example
 * ```ts
 * import type { SummarizeOptions } from "./summarize.ts";
 * const opts: SummarizeOptions = { varNames: ["b_Intercept"], probs: [0.025, 0.975] };
 * ```
 */
export interface SummarizeOptions {
  /** Group to summarise (default `"posterior"`). */
  group?: string;
  /**
   * Variables (all their elements) or element names such as `"theta[1,2]"`; default: every
   * variable with a `draw` dimension.
   */
  varNames?: readonly string[];
  /** Quantile probabilities (default `[0.05, 0.95]`), type 7 like R. */
  probs?: readonly number[];
}

/**
 * Column name of a quantile, as posterior's `quantile2()` names it.
 *
 * @example
 * ```ts
 * import { quantileName } from "./summarize.ts";
 * quantileName(0.025); // "q2.5"
 * ```
 */
export function quantileName(p: number): string {
  return `q${rNumber(p * 100)}`;
}

/**
 * Summarises draws with the definitions of the R package posterior (Vehtari, Gelman, Simpson,
 * Carpenter and Bürkner 2021): mean, median, sd, mad (1.4826 x median absolute deviation),
 * type-7 quantiles, rank-normalised split R-hat (max of bulk and folded tail), bulk ESS, tail
 * ESS (min of the 5% and 95% quantile-indicator ESS), mcse_mean and mcse_sd. One row per scalar
 * element, named like posterior (`theta[1,2]`). Any NaN (R's NA) in a series gives NaN
 * summaries; infinite values and constant series behave as in posterior.
 *
 * @example
 * ```ts
 * import { InferenceData } from "../idata/mod.ts";
 * import { summarizeDraws } from "./summarize.ts";
 * const draws = Float64Array.from({ length: 4000 }, () => Math.random());
 * const idata = InferenceData.fromObject({ posterior: { mu: draws } }, { chains: 4 });
 * const [row] = summarizeDraws(idata);
 * console.log(row.variable, row.mean, row.q5, row.q95, row.rhat, row.ess_bulk);
 * ```
 */
export function summarizeDraws(
  idata: InferenceData | Dataset,
  options: SummarizeOptions = {},
): SummaryRow[] {
  const ds = idata instanceof Dataset ? idata : idata.group(options.group ?? "posterior");
  const probs = [...(options.probs ?? [0.05, 0.95])];
  for (const p of probs) {
    if (!(p >= 0 && p <= 1)) throw new BrmstsRangeError(`probs must be in [0, 1], got ${p}`);
  }
  const qnames = probs.map(quantileName);
  const wanted = options.varNames ? new Set(options.varNames) : undefined;
  const found = new Set<string>();
  const rows: SummaryRow[] = [];
  const engines = new Map<string, Engine>();
  let buf = new Float64Array(0);
  for (const [name, v] of ds.vars) {
    if (!wanted && !v.dims.includes("draw")) continue;
    const el = elements(name, v);
    const all = !wanted || wanted.has(name);
    if (all && wanted) found.add(name);
    const key = `${el.chains}x${el.draws}`;
    let engine = engines.get(key);
    if (!engine) {
      engine = new Engine(el.chains, el.draws, probs);
      engines.set(key, engine);
    }
    if (buf.length < el.chains * el.draws) buf = new Float64Array(el.chains * el.draws);
    const out = new Float64Array(engine.width);
    for (let k = 0; k < el.names.length; k++) {
      const elName = el.names[k];
      if (!all) {
        if (!wanted!.has(elName)) continue;
        found.add(elName);
      }
      engine.run(el.values(k, buf), out);
      const row: Record<string, number | string> = {
        variable: elName,
        mean: out[0],
        median: out[1],
        sd: out[2],
        mad: out[3],
      };
      qnames.forEach((q, i) => row[q] = out[4 + i]);
      FIELDS.forEach((f, i) => row[f] = out[4 + probs.length + i]);
      rows.push(row as SummaryRow);
    }
  }
  if (wanted) {
    const missing = [...wanted].filter((w) => !found.has(w));
    if (missing.length) throw new BrmstsInputError(`unknown variables: ${missing.join(", ")}`);
  }
  return withDisplay(rows, () =>
    rowsBundle(rows, {
      bad: (r, c) =>
        (c === "rhat" && Number(r[c]) > 1.01) ||
        ((c === "ess_bulk" || c === "ess_tail") && Number(r[c]) < 400),
    }));
}
