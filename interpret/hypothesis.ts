/**
 * `hypothesis()`: brms's own `hypothesis()` in the worker, as rows with the draws of each
 * hypothesis.
 *
 * @module
 */
import type { FitLike } from "../brms/mod.ts";
import { fitHandle, type InterpretCallOptions, prepare } from "./r_call.ts";
import { InterpretError } from "./errors.ts";
import { callRHelperValue } from "../rhelpers.ts";
import { INTERPRET_HELPERS } from "./r_call.ts";

/**
 * Options of {@link hypothesis} (brms's arguments).
 *
 * @example
 * ```ts
 * const opts: HypothesisOptions = { class: "sd", group: "patient", alpha: 0.1 };
 * ```
 */
export interface HypothesisOptions extends InterpretCallOptions {
  /** Prefix of the parameter names (brms's default `"b"`; `null` for none). */
  class?: string | null;
  /** Grouping factor of group-level parameters (brms's `group`). */
  group?: string;
  /**
   * `"standard"` (default): hypotheses about parameters; `"ranef"` / `"coef"`: about the
   * group-level (or combined) coefficients of each level of `group`.
   */
  scope?: "standard" | "ranef" | "coef";
  /** Alpha of the intervals (default 0.05: 95% intervals; one-sided hypotheses use it once). */
  alpha?: number;
  /** brms's `robust`: median and MAD instead of mean and sd. */
  robust?: boolean;
  /** Seed for R's RNG during the call (brms uses it for prior draws). */
  seed?: number;
}

/**
 * One hypothesis as brms reports it.
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { hypothesis } from "./mod.ts";
 * declare const fit: FitResult;
 * const [h]: HypothesisRow[] = await hypothesis(fit, "zAge < 0");
 * h.postProb; // posterior probability of the one-sided hypothesis
 * ```
 */
export interface HypothesisRow {
  /** The hypothesis as brms writes it (`(zAge) < 0`). */
  hypothesis: string;
  /** The level of `group` (scope `"ranef"` / `"coef"`), else null. */
  group: string | null;
  /** brms's `Estimate` (posterior mean, or median when robust). */
  estimate: number;
  /** brms's `Est.Error`. */
  estError: number;
  /** brms's `CI.Lower`. */
  ciLower: number;
  /** brms's `CI.Upper`. */
  ciUpper: number;
  /** brms's `Evid.Ratio` (NaN where brms gives NA). */
  evidRatio: number;
  /** brms's `Post.Prob` (NaN where brms gives NA). */
  postProb: number;
  /** brms's `Star`: `"*"` when the hypothesis is supported at `alpha`, else `""`. */
  star: string;
  /** The posterior draws of the hypothesis (left side minus right side). */
  draws: Float64Array;
}

/**
 * `brms::hypothesis()`: posterior estimates, intervals, evidence ratios and posterior
 * probabilities of hypotheses about the parameters (`"zAge < 0"`, `"zBase + zBase:Trt1 = 0"`),
 * one row per hypothesis (per level of `group` with scope `"ranef"` or `"coef"`), each with
 * its draws.
 *
 * @example
 * ```ts
 * import type { FitResult } from "../brms/mod.ts";
 * import { hypothesis } from "./mod.ts";
 * declare const fit: FitResult;
 * const rows = await hypothesis(fit, ["zAge < 0", "Trt1 = 0"]);
 * rows[0].postProb; rows[1].ciLower; rows[1].draws.length;
 * const sd = await hypothesis(fit, "Intercept > 0.2", { class: "sd", group: "patient" });
 * ```
 */
export async function hypothesis(
  fit: FitLike,
  hypotheses: string | readonly string[],
  options: HypothesisOptions = {},
): Promise<HypothesisRow[]> {
  const where = "hypothesis()";
  const r = fitHandle(fit, where);
  const hs = typeof hypotheses === "string" ? [hypotheses] : [...(hypotheses ?? [])];
  if (hs.length === 0 || !hs.every((h) => typeof h === "string" && h.trim() !== "")) {
    throw new InterpretError(`${where}: hypotheses must be one or more non-empty strings`);
  }
  const args: Record<string, unknown> = {};
  if (options.class !== undefined) args.class = options.class;
  if (options.group !== undefined) args.group = String(options.group);
  if (options.scope !== undefined) {
    if (!["standard", "ranef", "coef"].includes(options.scope)) {
      throw new InterpretError(`${where}: scope must be "standard", "ranef" or "coef"`);
    }
    args.scope = options.scope;
  }
  if (options.alpha !== undefined) {
    if (!(options.alpha > 0 && options.alpha < 1)) {
      throw new InterpretError(`${where}: alpha must be in (0, 1), got ${options.alpha}`);
    }
    args.alpha = options.alpha;
  }
  if (options.robust !== undefined) args.robust = Boolean(options.robust);
  if (options.seed !== undefined) args.seed = options.seed;
  const { w, call } = await prepare(options);
  const v = await callRHelperValue(w, INTERPRET_HELPERS, "brmsts_ip_hypothesis", {
    fit: r,
    hypothesis: hs,
    args,
  }, call) as {
    hypothesis: unknown;
    group: unknown;
    estimate: unknown;
    est_error: unknown;
    ci_lower: unknown;
    ci_upper: unknown;
    evid_ratio: unknown;
    post_prob: unknown;
    star: unknown;
    draws: unknown;
  };
  const text = list(v.hypothesis).map(String);
  const groups = v.group === null || v.group === undefined ? null : list(v.group).map(String);
  const stars = list(v.star).map(String);
  const draws = list(v.draws).map((d) => Float64Array.from(f64(d)));
  const col = (x: unknown) => f64(x);
  const [est, err, lo, hi, er, pp] = [
    col(v.estimate),
    col(v.est_error),
    col(v.ci_lower),
    col(v.ci_upper),
    col(v.evid_ratio),
    col(v.post_prob),
  ];
  return text.map((h, i) => ({
    hypothesis: h,
    group: groups ? groups[i] : null,
    estimate: est[i],
    estError: err[i],
    ciLower: lo[i],
    ciUpper: hi[i],
    evidRatio: er[i],
    postProb: pp[i],
    star: stars[i] ?? "",
    draws: draws[i],
  }));
}

function list(x: unknown): unknown[] {
  if (x === null || x === undefined) return [];
  if (Array.isArray(x)) return x;
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
  return [x];
}

function f64(x: unknown): Float64Array {
  if (x instanceof Float64Array) return x;
  if (typeof x === "number") return Float64Array.of(x);
  if (x === null || x === undefined) return new Float64Array(0);
  return Float64Array.from(x as ArrayLike<number>, (v) => v === null ? NaN : Number(v));
}
