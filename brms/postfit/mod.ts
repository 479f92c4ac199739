/**
 * Everything after fitting, computed by brms in the worker: predictions as InferenceData,
 * summaries, priors and Stan code, model comparison and files.
 *
 * @example
 * ```ts
 * import { type DataFrame } from "../../mod.ts";
 * declare const data: DataFrame;
 * declare const test: any;
 * import { brm } from "../mod.ts";
 * import { logLik, loo, posteriorEpred, summary } from "./mod.ts";
 * const fit = await brm({ formula: "y ~ g", data, chains: 2, iter: 300 });
 * const { idata } = await posteriorEpred(fit, { newdata: { g: ["a", "b"] } });
 * idata.get("predictions", "y_mean").shape; // [2, 150, 2]
 * console.log(String(await summary(fit)));
 * console.log((await loo(fit)).elpd);
 * fit.idata.extend((await logLik(fit, { newdata: test })).idata);
 * ```
 *
 * @module
 */
export {
  type ConditionalEffect,
  conditionalEffects,
  type ConditionalEffectsOptions,
  type DrawsOptions,
  type EpredOptions,
  type LinpredOptions,
  logLik,
  observedData,
  posterior,
  posteriorEpred,
  posteriorLinpred,
  posteriorPredict,
  type PredictionResult,
  type PredictOptions,
} from "./predict.ts";
export { BrmsSummary, summary, type SummaryData, type SummaryOptions } from "./summary.ts";
export {
  type EstimateOptions,
  fixef,
  posteriorSummary,
  type PosteriorSummaryOptions,
  ranef,
  validateNewdata,
  type ValidateNewdataOptions,
} from "./estimates.ts";
export {
  defaultPrior,
  getPrior,
  type GetPriorOptions,
  priorSummary,
  type PriorSummaryOptions,
} from "./priors.ts";
export {
  type FitStanOptions,
  makeStancode,
  makeStandata,
  stancode,
  type StancodeOptions,
  standata,
} from "./stancode.ts";
export {
  addCriterion,
  type CompareRow,
  type Criteria,
  type CriterionOptions,
  type CriterionResult,
  type Estimate,
  loo,
  looCompare,
  type LooCompareOptions,
  waic,
} from "./compare.ts";
export {
  readRdsFit,
  type ReadRdsFitOptions,
  readRdsRaw,
  saveRds,
  type SaveRdsOptions,
} from "./io.ts";
export type { FitLike, NewData, PostfitCallOptions } from "./args.ts";
