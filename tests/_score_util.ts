/**
 * Helpers of the scorer tests: data sets, brms's own predictions on the same draws, and
 * comparison to 1e-12 relative.
 *
 * @module
 */
import { defaultWorker } from "../worker/mod.ts";
import { installRHelpers } from "../rhelpers.ts";
import type { FitResult } from "../brms/mod.ts";
import type { ScoreDraws } from "../score/mod.ts";

const R_SRC = `
brmsts_sct_pred <- function(fit, newdata, ids, what, re_formula, dpar) {
  newdata <- as.data.frame(newdata, stringsAsFactors = FALSE)
  args <- list(fit, newdata = newdata, draw_ids = as.integer(ids))
  if (!is.null(re_formula)) {
    args["re_formula"] <- list(if (identical(re_formula, "NA")) NA else as.formula(re_formula))
  }
  if (!is.null(dpar)) args$dpar <- dpar
  fn <- if (what == "epred") brms::posterior_epred else brms::posterior_linpred
  out <- do.call(fn, args)
  list(dim = as.integer(dim(out)), values = as.double(out))
}
brmsts_sct_err <- function(fit, newdata, ids) {
  newdata <- as.data.frame(newdata, stringsAsFactors = FALSE)
  tryCatch({ brms::posterior_epred(fit, newdata = newdata, draw_ids = as.integer(ids)); "" },
    error = function(e) conditionMessage(e))
}
`;

/** brms's posterior_linpred / posterior_epred, converted to the scorer's layout. */
export async function brmsPred(
  fit: FitResult,
  newdata: Record<string, unknown[]>,
  ids: number[],
  what: "epred" | "linpred",
  reFormula?: string | null,
  dpar?: string,
): Promise<ScoreDraws> {
  const w = defaultWorker();
  await installRHelpers(w, "scorer_test", R_SRC);
  const re = reFormula === undefined ? null : reFormula === null ? "NA" : reFormula;
  const out = await w.call(
    "brmsts_sct_pred",
    [fit.r, newdata, ids, what, re, dpar ?? null],
    { convert: "value" },
  ) as { dim: number[] | number; values: Float64Array | number[] | number };
  const dim = Array.isArray(out.dim)
    ? out.dim
    : Array.from(out.dim as unknown as ArrayLike<number>);
  const v = out.values instanceof Float64Array ? out.values : Float64Array.from(
    typeof out.values === "number" ? [out.values] : out.values,
  );
  const [nd, n, K = 1] = dim;
  const data = new Float64Array(nd * n * K);
  for (let d = 0; d < nd; d++) {
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < K; c++) data[(d * n + i) * K + c] = v[d + i * nd + c * nd * n];
    }
  }
  return { data, shape: dim.length === 3 ? [nd, n, K] : [nd, n], dims: [] };
}

/** brms's error message for new data, or "" when brms accepts it. */
export async function brmsError(
  fit: FitResult,
  newdata: Record<string, unknown[]>,
  ids: number[],
): Promise<string> {
  const w = defaultWorker();
  await installRHelpers(w, "scorer_test", R_SRC);
  return String(await w.call("brmsts_sct_err", [fit.r, newdata, ids], { convert: "value" }));
}

/** Largest |a - b| / max(1, |b|); NaN vs NaN counts as equal. */
export function maxRelDiff(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    const r = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]));
    if (!(r <= m)) m = Number.isNaN(r) ? Infinity : r;
  }
  return m;
}
