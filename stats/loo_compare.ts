/**
 * `looCompare()`: `loo::loo_compare()` of PSIS-LOO results.
 *
 * @module
 */
import { sum, variance } from "./_basic.ts";
import type { PsisLoo } from "./loo.ts";
import { rowsBundle, withDisplay } from "../display/mod.ts";
import { BrmstsInputError } from "../errors.ts";

/**
 * One row of {@link looCompare}, best model first.
 *
 * @example
 * ```ts
 * import type { LooCompareRow } from "./loo_compare.ts";
 * const show = (r: LooCompareRow) => `${r.model}: ${r.elpd_diff} (${r.se_diff})`;
 * ```
 */
export interface LooCompareRow
  extends Pick<PsisLoo, "elpd_loo" | "se_elpd_loo" | "p_loo" | "se_p_loo" | "looic" | "se_looic"> {
  /** Model name. */
  model: string;
  /** elpd_loo difference to the best model (0 for the best). */
  elpd_diff: number;
  /** Standard error of the difference. */
  se_diff: number;
}

/**
 * Compares models by elpd_loo as `loo::loo_compare()`: rows ordered by decreasing elpd_loo
 * (stable), `elpd_diff` = sum of pointwise differences to the best model and
 * `se_diff = sqrt(N) * sd(differences)`. Takes the results as arguments, an array or a record;
 * models are named by the record keys, else `model1`, `model2`, ... in argument order.
 *
 * @example
 * ```ts
 * import { looCompare, loo } from "./mod.ts";
 * const mk = (shift: number) =>
 *   loo({
 *     data: Float64Array.from({ length: 1000 * 10 }, () => shift - Math.random()),
 *     draws: 1000,
 *     obs: 10,
 *   });
 * const table = looCompare({ a: mk(-1), b: mk(-2) });
 * console.log(table[0].model, table[1].elpd_diff, table[1].se_diff);
 * ```
 */
export function looCompare(
  loos: PsisLoo | readonly PsisLoo[] | Readonly<Record<string, PsisLoo>>,
  ...more: PsisLoo[]
): LooCompareRow[] {
  const isLoo = (x: unknown): x is PsisLoo =>
    typeof x === "object" && x !== null && "pointwise" in x && "elpd_loo" in x;
  const list: PsisLoo[] | undefined = isLoo(loos)
    ? [loos, ...more]
    : Array.isArray(loos)
    ? [...(loos as PsisLoo[])]
    : undefined;
  if (!list && more.length) {
    throw new BrmstsInputError("If 'x' is a list then '...' should not be specified.");
  }
  const entries: [string, PsisLoo][] = list
    ? list.map((l, i) => [`model${i + 1}`, l])
    : Object.entries(loos as Record<string, PsisLoo>);
  if (entries.length <= 1) {
    throw new BrmstsInputError("'loo_compare' requires at least two models.");
  }
  const N = entries[0][1].pointwise.elpd_loo.length;
  if (entries.some(([, l]) => l.pointwise.elpd_loo.length !== N)) {
    throw new BrmstsInputError("Not all models have the same number of data points.");
  }
  const order = entries.map((_, i) => i).sort((a, b) =>
    entries[b][1].elpd_loo - entries[a][1].elpd_loo || a - b
  );
  const best = entries[order[0]][1].pointwise.elpd_loo;
  const rows: LooCompareRow[] = order.map((i) => {
    const [model, l] = entries[i];
    const diffs = new Float64Array(N);
    for (let j = 0; j < N; j++) diffs[j] = l.pointwise.elpd_loo[j] - best[j];
    return {
      model,
      elpd_diff: sum(diffs),
      se_diff: Math.sqrt(N) * Math.sqrt(variance(diffs)),
      elpd_loo: l.elpd_loo,
      se_elpd_loo: l.se_elpd_loo,
      p_loo: l.p_loo,
      se_p_loo: l.se_p_loo,
      looic: l.looic,
      se_looic: l.se_looic,
    };
  });
  return withDisplay(rows, () => rowsBundle(rows));
}
