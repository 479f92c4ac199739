/**
 * Model comparison: loo, waic, looCompare and addCriterion against R's loo package called on
 * the same fits in the same worker.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { GAUSSIAN_PRIORS, groupData, MV_MODEL, mvData, normal, rng } from "./brm_shared.ts";
import { callR, defaultWorker, evalR, named, RObject, shutdown } from "../worker/mod.ts";
import { brm, type FitResult } from "../brms/mod.ts";
import { addCriterion, type CriterionResult, loo, looCompare, waic } from "../brms/postfit/mod.ts";

const DATA = groupData(45, 11);
const rand = rng(99);
/** The same data with a noise predictor: `y ~ x` has the same Stan code as `y ~ g`. */
const NOISE = { ...DATA, x: DATA.y.map(() => normal(rand)) };

const R_HELPERS = `
pf_t_ic <- function(x) list(estimates = as.double(x$estimates), rows = rownames(x$estimates),
  pointwise = as.double(x$pointwise), cols = colnames(x$pointwise),
  pareto_k = x$diagnostics$pareto_k, n_eff = x$diagnostics$n_eff)
pf_t_loo <- function(fit, ...) pf_t_ic(brms::loo(fit, ...))
pf_t_waic <- function(fit, ...) pf_t_ic(brms::waic(fit, ...))
pf_t_compare <- function(a, b) {
  m <- loo::loo_compare(list(good = brms::loo(a), noise = brms::loo(b)))
  list(rows = rownames(m), cols = colnames(m), values = as.double(m))
}
pf_t_stored <- function(fit, crit) pf_t_ic(fit$criteria[[crit]])
`;

interface RIc {
  estimates: Float64Array;
  rows: string[];
  pointwise: Float64Array;
  cols: string[];
  pareto_k: Float64Array | null;
  n_eff: Float64Array | null;
}

function sameBits(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${what}[${i}]: ${got[i]} != ${want[i]}`);
  }
}

/** Asserts a criterion equals R's object: estimates, pointwise columns, diagnostics. */
function sameIc(got: CriterionResult, want: RIc, what: string): void {
  const rows = [want.rows].flat();
  assert.deepEqual(Object.keys(got.estimates), rows, `${what}: estimates`);
  rows.forEach((r, i) => {
    assert.ok(Object.is(got.estimates[r].estimate, want.estimates[i]), `${what}: ${r}`);
    assert.ok(Object.is(got.estimates[r].se, want.estimates[rows.length + i]), `${what}: se(${r})`);
  });
  const cols = [want.cols].flat();
  assert.deepEqual(Object.keys(got.pointwise), cols, `${what}: pointwise columns`);
  const n = got.nobs;
  cols.forEach((c, j) => {
    sameBits(got.pointwise[c], want.pointwise.subarray(j * n, (j + 1) * n), `${what}: ${c}`);
  });
  if (want.pareto_k === null) assert.equal(got.paretoK, null);
  else sameBits(got.paretoK!, want.pareto_k, `${what}: pareto_k`);
  if (want.n_eff !== null) sameBits(got.nEff!, want.n_eff, `${what}: n_eff`);
}

describe("model comparison", () => {
  let fit: FitResult;
  let noise: FitResult;
  let mv: FitResult;

  before(async () => {
    defaultWorker().setConsoleOutput("silent");
    const common = { priors: GAUSSIAN_PRIORS, chains: 2, iter: 300, seed: 1, progress: false };
    fit = await brm({ formula: "y ~ g", data: DATA, ...common });
    noise = await brm({ formula: "y ~ x", data: NOISE, ...common });
    assert.equal(noise.compiled, false, "y ~ x reuses the compiled y ~ g model");
    mv = await brm({
      ...MV_MODEL,
      data: mvData(40),
      chains: 2,
      iter: 300,
      seed: 6,
      progress: false,
    });
    await evalR(R_HELPERS);
  });

  after(() => shutdown());

  it("loo(): estimates, pointwise values and Pareto k equal R's loo(fit)", async () => {
    const l = await loo(fit);
    assert.equal(l.criterion, "loo");
    assert.ok(l.classes.includes("psis_loo"));
    assert.deepEqual([l.ndraws, l.nobs], [300, 45]);
    sameIc(l, await callR("pf_t_loo", [fit.r]) as RIc, "loo");
    assert.equal(l.elpd, l.estimates.elpd_loo);
    assert.equal(l.p, l.estimates.p_loo);
    assert.equal(l.ic, l.estimates.looic);
    assert.ok(Math.abs(l.ic.estimate + 2 * l.elpd.estimate) < 1e-9);
    assert.deepEqual(l.obsId, DATA.obs_id);
    assert.ok(l.r instanceof RObject && l.r.inherits("psis_loo"));
    assert.ok(l.paretoK!.every((k) => k < 0.7), "well-behaved Pareto k");
  });

  it("waic() equals R's waic(fit); loo of one response of a multivariate model", async () => {
    const w = await waic(fit);
    assert.equal(w.criterion, "waic");
    sameIc(w, await callR("pf_t_waic", [fit.r]) as RIc, "waic");
    assert.equal(w.paretoK, null);
    assert.equal(w.ic, w.estimates.waic);
    const y1 = await loo(mv, { resp: "y1" });
    sameIc(y1, await callR("pf_t_loo", [mv.r, named({ resp: "y1" })]) as RIc, "loo(resp = y1)");
    const both = await loo(mv);
    sameIc(both, await callR("pf_t_loo", [mv.r]) as RIc, "loo(mv)");
    assert.ok(both.elpd.estimate < y1.elpd.estimate);
  });

  it("looCompare() equals loo::loo_compare(), from fits and from loo results", async () => {
    const want = await callR("pf_t_compare", [fit.r, noise.r]) as {
      rows: string[];
      cols: string[];
      values: Float64Array;
    };
    const check = (rows: Awaited<ReturnType<typeof looCompare>>) => {
      assert.deepEqual(rows.map((r) => r.model), want.rows);
      assert.deepEqual(Object.keys(rows[0]).slice(1), want.cols);
      want.cols.forEach((c, j) => {
        rows.forEach((r, i) => assert.ok(Object.is(r[c], want.values[j * 2 + i]), `${c}[${i}]`));
      });
    };
    const fromFits = await looCompare({ good: fit, noise });
    check(fromFits);
    assert.equal(fromFits[0].model, "good");
    assert.ok(fromFits[1].elpd_diff < -50, `elpd_diff ${fromFits[1].elpd_diff}`);
    check(await looCompare({ noise: await loo(noise), good: await loo(fit) }));
    check(await looCompare({ good: await loo(fit), noise: noise.r }));
    const arr = await looCompare([noise, fit]);
    assert.deepEqual(arr.map((r) => r.model), ["model2", "model1"]);
    const byWaic = await looCompare({ good: fit, noise }, { criterion: "waic" });
    assert.ok("elpd_waic" in byWaic[0]);
    await assert.rejects(looCompare({ only: fit }), /at least two models/);
  });

  it("addCriterion() stores brms's criteria in the fit, which looCompare reuses", async () => {
    const a = await addCriterion(fit, ["loo", "waic"]);
    assert.ok(a.r instanceof RObject && a.r !== fit.r);
    assert.equal(a.idata, fit.idata);
    assert.deepEqual(Object.keys(a.criteria).sort(), ["loo", "waic"]);
    const l = a.criteria.loo as CriterionResult;
    sameIc(l, await callR("pf_t_stored", [a.r, "loo"]) as RIc, "stored loo");
    sameIc(
      a.criteria.waic as CriterionResult,
      await callR("pf_t_stored", [a.r, "waic"]) as RIc,
      "waic",
    );
    sameIc(l, await callR("pf_t_loo", [fit.r]) as RIc, "stored = fresh loo");
    assert.deepEqual(l.obsId, DATA.obs_id);
    const stored = await callR("base::names", [
      await callR("base::getElement", [a.r, "criteria"], {
        convert: "handle",
      }),
    ]);
    assert.deepEqual(stored, ["loo", "waic"]);
    const b = await addCriterion(noise.r, "loo");
    assert.deepEqual(Object.keys(b), ["r", "criteria"]);
    const rows = await looCompare({ good: a, noise: b });
    assert.equal(rows[0].model, "good");
    assert.ok(Object.is(rows[0].elpd_loo, l.elpd.estimate));
    const r2 = await addCriterion(fit, "bayes_R2");
    assert.ok(r2.criteria.bayes_R2 !== undefined);
  });
});
