/**
 * Summaries, priors and Stan code: structured values against brms's functions called in the
 * same worker, and summary text against R's own print.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { EPILEPSY, GAUSSIAN_PRIORS, groupData, MV_MODEL, mvData } from "./brm_shared.ts";
import { callR, defaultWorker, evalR, named, RError, shutdown } from "../worker/mod.ts";
import { type DataFrame, NdArray } from "../data/mod.ts";
import { brm, type FitResult, getData } from "../brms/mod.ts";
import {
  conditionalEffects,
  defaultPrior,
  fixef,
  getPrior,
  makeStancode,
  posteriorSummary,
  priorSummary,
  ranef,
  stancode,
  standata,
  summary,
  validateNewdata,
} from "../brms/postfit/mod.ts";
import { formatTable } from "../brms/postfit/_format.ts";

const DATA = groupData(45, 11);
const MV = mvData(40);

const R_HELPERS = `
pf_t_print <- function(fit, ...) utils::capture.output(print(summary(fit, ...)))
pf_t_table <- function(x) { x <- as.matrix(x); list(rows = rownames(x), cols = colnames(x),
  values = as.double(x)) }
pf_t_summary <- function(fit, part, ...) pf_t_table(summary(fit, ...)[[part]])
pf_t_random <- function(fit, g) pf_t_table(summary(fit)$random[[g]])
pf_t_fixef <- function(fit, ...) pf_t_table(brms::fixef(fit, ...))
pf_t_ranef <- function(fit, g, coef) pf_t_table(brms::ranef(fit)[[g]][, , coef])
pf_t_ps <- function(fit, ...) pf_t_table(brms::posterior_summary(fit, ...))
pf_t_prior <- function(p) lapply(as.list(as.data.frame(unclass(p))), as.character)
pf_t_get_prior <- function(d) pf_t_prior(brms::get_prior(y ~ g, data = d))
pf_t_stancode <- function(fit) as.character(brms::stancode(fit))
pf_t_ce <- function(fit) brms::conditional_effects(fit)$g$estimate__
`;

interface RTable {
  rows: string[];
  cols: string[];
  values: Float64Array;
}

/** Asserts a DataFrame equals an R matrix (row names, column names, values bit for bit). */
function sameTable(df: DataFrame, want: RTable, what: string): void {
  const rows = [want.rows].flat(), cols = [want.cols].flat();
  assert.deepEqual(df.rowNames, rows, `${what}: rows`);
  assert.deepEqual(df.names, cols, `${what}: columns`);
  cols.forEach((c, j) => {
    const got = df.column(c) as Float64Array;
    for (let i = 0; i < rows.length; i++) {
      const w = want.values[j * rows.length + i];
      assert.ok(Object.is(got[i], w), `${what}[${rows[i]}, ${c}]: ${got[i]} != ${w}`);
    }
  });
}

function trimLines(s: string | string[]): string[] {
  const lines = Array.isArray(s) ? s : s.replace(/\n$/, "").split("\n");
  return lines.map((l) => l.trimEnd());
}

describe("summaries, priors and Stan code", () => {
  let fit: FitResult;
  let ep: FitResult;
  let mv: FitResult;

  before(async () => {
    defaultWorker().setConsoleOutput("silent");
    const common = { chains: 2, iter: 300, progress: false };
    fit = await brm({ formula: "y ~ g", data: DATA, priors: GAUSSIAN_PRIORS, seed: 1, ...common });
    ep = await brm({
      ...EPILEPSY,
      priors: [...EPILEPSY.priors],
      data: await getData("epilepsy"),
      seed: 5,
      ...common,
    });
    mv = await brm({
      ...MV_MODEL,
      data: MV,
      seed: 6,
      ...common,
    });
    await evalR(R_HELPERS);
  });

  after(() => shutdown());

  it("summary(): structured values equal brms's summary()", async () => {
    const s = await summary(ep);
    assert.equal(s.family, "poisson");
    assert.deepEqual(s.links, ["mu = log"]);
    assert.deepEqual(s.formula, ["count ~ zAge + zBase * Trt + (1 | patient)"]);
    assert.equal(s.nobs, 236);
    assert.deepEqual(s.ngrps, { patient: 59 });
    assert.deepEqual([s.chains, s.iter, s.warmup, s.thin, s.draws], [2, 300, 150, 1, 300]);
    assert.equal(s.algorithm, "sampling");
    assert.equal(s.sampler, "sampling(NUTS)");
    const cols = ["Estimate", "Est.Error", "l-95% CI", "u-95% CI", "Rhat", "Bulk_ESS", "Tail_ESS"];
    assert.deepEqual(s.fixed.names, cols);
    sameTable(s.fixed, await callR("pf_t_summary", [ep.r, "fixed"]) as RTable, "fixed");
    assert.deepEqual(Object.keys(s.random), ["patient"]);
    sameTable(s.random.patient, await callR("pf_t_random", [ep.r, "patient"]) as RTable, "random");
    const rhat = s.fixed.column("Rhat") as Float64Array;
    assert.ok(rhat.every((x) => x > 0.9 && x < 1.2));
    assert.equal(s.specPars.nrow, 0);

    const g = await summary(fit, { prob: 0.9, robust: true });
    assert.deepEqual(g.fixed.names.slice(2, 4), ["l-90% CI", "u-90% CI"]);
    sameTable(
      g.specPars,
      await callR("pf_t_summary", [
        fit.r,
        "spec_pars",
        named({ prob: 0.9, robust: true }),
      ]) as RTable,
      "spec_pars",
    );
  });

  it("summary(): toString() prints like brms's print(summary(fit))", async () => {
    for (const [f, opts] of [[fit, {}], [ep, {}], [mv, { priors: true }]] as const) {
      const s = await summary(f, opts);
      const want = await callR("pf_t_print", [f.r, named(opts)]) as string[];
      assert.deepEqual(trimLines(String(s)), trimLines(want));
    }
    const s = await summary(mv);
    assert.equal(s.family, "MV(gaussian, gaussian)");
    assert.deepEqual(s.formula, ["y1 ~ x", "y2 ~ x"]);
    assert.deepEqual(s.specPars.rowNames, ["sigma_y1", "sigma_y2"]);
  });

  it("formats tables like print_format() (wrapping at 80 columns, NA, ties)", async () => {
    const df = await evalR(
      `data.frame(Estimate = c(0.125, -0.5, NA), Bulk_ESS = c(46.5, 47.5, NaN),
       a_very_long_column_name_number_one = 1, a_very_long_column_name_number_two = 2,
       row.names = c("x", "long_row", "z"))`,
    ) as DataFrame;
    const want = await evalR(`utils::capture.output(brms:::print_format(data.frame(
       Estimate = c(0.125, -0.5, NA), Bulk_ESS = c(46.5, 47.5, NaN),
       a_very_long_column_name_number_one = 1, a_very_long_column_name_number_two = 2,
       row.names = c("x", "long_row", "z"))))`) as string[];
    assert.deepEqual(trimLines(formatTable(df)), trimLines(want));
  });

  it("fixef, ranef and posteriorSummary equal brms's", async () => {
    sameTable(await fixef(ep), await callR("pf_t_fixef", [ep.r]) as RTable, "fixef");
    sameTable(
      await fixef(ep, { probs: [0.1, 0.9], robust: true }),
      await callR("pf_t_fixef", [ep.r, named({ probs: [0.1, 0.9], robust: true })]) as RTable,
      "fixef(probs)",
    );
    const draws = await fixef(fit, { summary: false });
    assert.ok(draws instanceof NdArray);
    assert.deepEqual(draws.shape, [300, 3]);
    assert.deepEqual(draws.dimnames?.[1], ["Intercept", "gb", "gc"]);
    const re = await ranef(ep);
    assert.deepEqual(Object.keys(re), ["patient"]);
    assert.deepEqual(Object.keys(re.patient), ["Intercept"]);
    sameTable(
      re.patient.Intercept,
      await callR("pf_t_ranef", [ep.r, "patient", "Intercept"]) as RTable,
      "ranef",
    );
    const reDraws = await ranef(ep, { summary: false });
    assert.deepEqual(reDraws.patient.shape, [300, 59, 1]);
    const ps = await posteriorSummary(fit, { variable: ["b_gb", "sigma"], probs: [0.05, 0.95] });
    sameTable(
      ps,
      await callR("pf_t_ps", [
        fit.r,
        named({ variable: ["b_gb", "sigma"], probs: [0.05, 0.95] }),
      ]) as RTable,
      "posterior_summary",
    );
  });

  it("priorSummary, getPrior and defaultPrior give brms's prior tables", async () => {
    const ps = await priorSummary(fit);
    const want = await callR("pf_t_prior", [await callR("brms::prior_summary", [fit.r])]) as Record<
      string,
      string[]
    >;
    assert.deepEqual(ps.names, Object.keys(want));
    for (const c of ps.names) assert.deepEqual([...ps.column(c) as string[]], want[c], c);
    assert.deepEqual([...ps.column("prior") as string[]].filter(Boolean), [
      "normal(0, 300)",
      "normal(0, 300)",
      "exponential(1)",
    ]);

    const data = { y: DATA.y, g: DATA.g };
    const gp = await getPrior({ formula: "y ~ g", data });
    const wantGp = await callR("pf_t_get_prior", [data]) as Record<string, string[]>;
    for (const c of gp.names) assert.deepEqual([...gp.column(c) as string[]], wantGp[c], c);
    const dp = await defaultPrior({ formula: "y ~ g", data });
    assert.deepEqual(dp.toRecords(), gp.toRecords());
    const pois = await getPrior({
      formula: "count ~ Trt",
      data: await getData("epilepsy"),
      family: "poisson",
    });
    assert.deepEqual([...pois.column("class") as string[]], ["b", "b", "Intercept"]);
    await assert.rejects(getPrior({ data } as never), /'formula' is required/);
  });

  it("stancode and standata of a fit and of a model specification", async () => {
    const code = await stancode(fit);
    assert.equal(code, await callR("pf_t_stancode", [fit.r]));
    assert.match(code, /normal_lpdf\(b \| 0, 300\)/);
    const spec = { formula: "y ~ g", data: { y: DATA.y, g: DATA.g } };
    assert.equal(await stancode(spec), await makeStancode(spec));
    const sd = await standata(fit) as { N: number; Y: NdArray; X: NdArray };
    assert.equal(sd.N, 45);
    assert.deepEqual([...sd.Y.data as Float64Array], DATA.y);
    assert.deepEqual(sd.X.shape, [45, 3]);
    const sd2 = await standata(spec) as { N: number };
    assert.equal(sd2.N, 45);
  });

  it("validateNewdata returns brms's data and names a missing predictor", async () => {
    const nd = await validateNewdata(fit, { g: ["c", "a"] }, { checkResponse: false });
    assert.equal(nd.nrow, 2);
    assert.ok(nd.has("g"));
    await assert.rejects(validateNewdata(fit, { h: [1] }, { checkResponse: false }), (e) => {
      assert.ok(e instanceof RError);
      assert.match(e.message, /can neither be found in 'data' nor in 'data2':\n?'g'/);
      return true;
    });
    await assert.rejects(validateNewdata(fit, { g: ["a"] }), /Missing variables: 'y'/);
    await assert.rejects(
      validateNewdata(ep, { zAge: [0], zBase: [0], Trt: ["0"] }, { checkResponse: false }),
      /'patient'/,
    );
  });

  it("conditionalEffects returns brms's data", async () => {
    const ce = await conditionalEffects(fit);
    assert.deepEqual(Object.keys(ce), ["g"]);
    assert.deepEqual(ce.g.effects, ["g"]);
    assert.equal(ce.g.response, "y");
    const est = ce.g.data.column("estimate__") as Float64Array;
    assert.deepEqual([...est], [...await callR("pf_t_ce", [fit.r]) as Float64Array]);
    assert.ok(Math.abs(est[1] - est[0] - 100) < 2 && Math.abs(est[2] - est[0] - 200) < 2);
    assert.equal(ce.g.points?.nrow, 45);
    const ce2 = await conditionalEffects(ep, { effects: "zBase:Trt", resolution: 10 });
    assert.deepEqual(Object.keys(ce2), ["zBase:Trt"]);
    assert.equal(ce2["zBase:Trt"].data.nrow, 20);
  });
});
