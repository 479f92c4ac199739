/**
 * `brmsts/score`: brms's `posterior_linpred` / `posterior_epred` for new data without R, from
 * an artifact written by `exportScorer()`. Pure TypeScript: no FFI, no processes, no file
 * system, no `node:` modules; runs on Deno (no permissions), Bun, Node and in browsers.
 *
 * @example
 * ```ts ignore
 * import { loadScorer } from "brmsts/score";
 * const scorer = loadScorer(bytes); // a Uint8Array: fetched, embedded or read by the caller
 * const { mean, quantiles } = scorer.summary({ x: [0, 1], g: ["a", "b"] });
 * ```
 *
 * @module
 */
export {
  loadScorer,
  type ScoreDraws,
  type ScoreOptions,
  Scorer,
  type ScoreSummary,
  type SummaryOptions,
} from "./scorer.ts";
export type { ScoreData } from "./data.ts";
export { ScorerFormatError, ScorerInputError, ScorerUnsupportedError } from "./errors.ts";
export { BrmstsError } from "../errors.ts";
export { encodeScorer, SCORER_FORMAT_VERSION } from "./format.ts";
export type {
  DesignSpec,
  DparSpec,
  Expr,
  MoSpec,
  RanefSpec,
  ScorerHeader,
  TermSpec,
  VariableSpec,
} from "./types.ts";
