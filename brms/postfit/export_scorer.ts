/**
 * `exportScorer(fit)`: writes what brms's `posterior_linpred` / `posterior_epred` need for new
 * data (terms, predvars constants, contrasts, group levels, family, draws) into a scorer
 * artifact that `brmsts/score` loads without R. Models the scorer cannot reproduce exactly are
 * refused with a {@linkcode ScorerUnsupportedError} naming the term or family.
 *
 * @module
 */
import { defaultWorker, type RWorker } from "../../worker/mod.ts";
import { callRHelperValue } from "../../rhelpers.ts";
import { SCORER_HELPERS } from "../core/r_helpers.ts";
import { fitHandle, type FitLike, type PostfitCallOptions } from "./args.ts";
import {
  encodeScorer,
  type ScorerHeader,
  ScorerInputError,
  ScorerUnsupportedError,
} from "../../score/mod.ts";

/** Options of {@linkcode exportScorer}. */
export interface ExportScorerOptions extends PostfitCallOptions {
  /** Keep this many draws, evenly spaced (after `thin`). Default: all. */
  ndraws?: number;
  /** Keep every `thin`-th draw. Default 1. */
  thin?: number;
}

/**
 * Exports a fit to scorer bytes (load them with `loadScorer` from `brmsts/score`). The kept
 * draws are `header.drawIds` (1-based, brms's `draw_ids`).
 *
 * @example
 * ```ts
 * declare const fit: import("../../mod.ts").FitResult;
 * import { exportScorer } from "./export_scorer.ts";
 * const bytes = await exportScorer(fit, { ndraws: 1000 });
 * ```
 */
export async function exportScorer(
  fit: FitLike,
  options: ExportScorerOptions = {},
): Promise<Uint8Array> {
  const r = fitHandle(fit, "exportScorer()");
  const thin = options.thin ?? 1;
  if (!Number.isInteger(thin) || thin < 1) {
    throw new ScorerInputError(
      "option",
      undefined,
      `exportScorer: thin must be a positive integer, got ${thin}`,
    );
  }
  const nd = options.ndraws;
  if (nd !== undefined && (!Number.isInteger(nd) || nd < 1)) {
    throw new ScorerInputError(
      "option",
      undefined,
      `exportScorer: ndraws must be a positive integer, got ${nd}`,
    );
  }
  const w: RWorker = options.worker ?? defaultWorker();
  const out = await callRHelperValue(w, SCORER_HELPERS, "brmsts_sc_export", [r, nd ?? null, thin], {
    signal: options.signal,
    onLog: options.onLog,
    convert: "value",
  }) as {
    refused?: string;
    term?: string;
    header?: string;
    values?: number[] | Float64Array | number;
  };
  if (out.refused !== undefined) {
    throw new ScorerUnsupportedError(
      String(out.term),
      `exportScorer: the scorer cannot reproduce this model (${out.refused})`,
    );
  }
  const header = JSON.parse(String(out.header)) as ScorerHeader;
  const v = out.values;
  const values = v instanceof Float64Array
    ? v
    : Float64Array.from(typeof v === "number" ? [v] : v ?? []);
  return encodeScorer(header, values);
}
