/**
 * Shared by the `brm_*` tests: one cache directory under the repository (so Deno and Bun runs
 * share compiled models), the models they compile (three in all: a gaussian `y ~ g`, the
 * epilepsy model of the example, a bivariate gaussian), and their data.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import { bf, mvbind, prior, setRescor } from "../formula/mod.ts";
import { brm, type FitResult, getData } from "../brms/mod.ts";
import type { DataFrame } from "../data/mod.ts";

/** The repository root. */
export const ROOT = resolve(new URL("..", import.meta.url).pathname);

/**
 * The compiled-model cache shared by every brm test: `$BRMSTS_CACHE_DIR` when set (tools/test.sh
 * sets it, so Deno and Bun runs share compiled models), else `.cache/test-models` (gitignored).
 */
export const TEST_CACHE = process.env.BRMSTS_CACHE_DIR ?? join(ROOT, ".cache", "test-models");
mkdirSync(TEST_CACHE, { recursive: true });
process.env.BRMSTS_CACHE_DIR = TEST_CACHE;

export { normal, rng } from "./random.ts";
import { normal, rng } from "./random.ts";

/** Group means of the gaussian model's data. */
export const GROUP_MEANS: Record<string, number> = { a: 0, b: 100, c: 200 };

/**
 * Data for `y ~ g`: groups a, b, c with means 0, 100, 200 (sd 1), rows in random order, and an
 * `obs_id` column (`"r<k>"`).
 */
export function groupData(n: number, seed: number): { y: number[]; g: string[]; obs_id: string[] } {
  const rand = rng(seed);
  const g: string[] = [], y: number[] = [], obs_id: string[] = [];
  for (let i = 0; i < n; i++) {
    const grp = ["a", "b", "c"][Math.floor(rand() * 3)];
    g.push(grp);
    y.push(GROUP_MEANS[grp] + normal(rand));
    obs_id.push(`r${1000 + i}`);
  }
  // Every group at least once, so that the design matrix keeps its columns.
  g[0] = "a", g[1] = "b", g[2] = "c";
  for (let i = 0; i < 3; i++) y[i] = GROUP_MEANS[g[i]] + normal(rand);
  return { y, g, obs_id };
}

/** Priors of the gaussian model: fixed, so its Stan code does not depend on the data. */
export const GAUSSIAN_PRIORS = [
  { prior: "normal(0, 300)", class: "b" },
  { prior: "normal(0, 300)", class: "Intercept" },
  { prior: "exponential(1)", class: "sigma" },
];

/** The same priors as R code, for Rscript. */
/** A small, quick cluster job (the grouped gaussian model, 1 chain × 200 iterations). */
export const smallJob = (seed: number, extra: Record<string, unknown> = {}) => ({
  formula: "y ~ g",
  data: groupData(30, seed),
  priors: GAUSSIAN_PRIORS,
  chains: 1,
  iter: 200,
  seed,
  ...extra,
});

export const GAUSSIAN_PRIORS_R = 'c(brms::set_prior("normal(0, 300)", class = "b"), ' +
  'brms::set_prior("normal(0, 300)", class = "Intercept"), ' +
  'brms::set_prior("exponential(1)", class = "sigma"))';

/** The epilepsy model of `examples/epilepsy.ts` (same Stan code, so the cache is shared). */
export const EPILEPSY = {
  formula: "count ~ zAge + zBase * Trt + (1 | patient)",
  family: "poisson",
  priors: [
    { prior: "normal(0, 1)", class: "b" },
    { prior: "exponential(1)", class: "sd", group: "patient" },
    { prior: "student_t(3, 0, 2.5)", class: "Intercept" },
  ],
} as const;

/**
 * The epilepsy fit the interpret tests share (EPILEPSY on brms's `epilepsy` data, 2 chains × 300
 * iterations, seed 5): the same call everywhere, so the compiled model is compiled once.
 */
export async function epilepsyFit(): Promise<{ fit: FitResult; data: DataFrame }> {
  const data = await getData("epilepsy") as DataFrame;
  const fit = await brm({
    ...EPILEPSY,
    priors: [...EPILEPSY.priors],
    data,
    seed: 5,
    chains: 2,
    iter: 300,
    progress: false,
  });
  return { fit, data };
}

/** Data of the bivariate model `y1 ~ x`, `y2 ~ x` (deterministic). */
export function mvData(n: number): { y1: number[]; y2: number[]; x: number[] } {
  const rand = rng(7);
  const x: number[] = [], y1: number[] = [], y2: number[] = [];
  for (let i = 0; i < n; i++) {
    const xi = Math.round(normal(rand) * 1000) / 1000;
    x.push(xi);
    y1.push(Math.round((1 + 2 * xi + normal(rand)) * 1000) / 1000);
    y2.push(Math.round((-1 + 0.5 * xi + normal(rand)) * 1000) / 1000);
  }
  return { y1, y2, x };
}

/** The bivariate model of the post-fit tests: `mvbind(y1, y2) ~ x` without residual correlation. */
export const MV_MODEL = {
  formula: bf(`${mvbind("y1", "y2")} ~ x`).add(setRescor(false)),
  priors: [
    prior("normal(0, 5)", "b", { resp: "y1" }),
    prior("normal(0, 5)", "b", { resp: "y2" }),
  ],
};

/** The bivariate model `mvbind(y1, y2) ~ x` with residual correlation (`set_rescor(TRUE)`). */
export const MV_RESCOR_MODEL = {
  formula: bf(`${mvbind("y1", "y2")} ~ x`).add(setRescor(true)),
  priors: MV_MODEL.priors,
};

/** Arithmetic mean of a typed array slice. */
export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}
