/**
 * Interpreting a fit (issue 16): hypothesis(), datagrid(), predictions(), comparisons() and
 * slopes() on the epilepsy model (same Stan code as the other tests: no new compile), each
 * against the same quantity computed by R from brms's own functions in the same worker.
 * Chunk sizes smaller than the data make every result cross chunk boundaries; per-row draws
 * are compared value by value, so a row/draw (C/F order) slip fails.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { epilepsyFit } from "./brm_shared.ts";
import { callR, defaultWorker, evalR, rCode, shutdown } from "../worker/mod.ts";
import type { Categorical, DataFrame, NdArray } from "../data/mod.ts";
import type { FitResult } from "../brms/mod.ts";
import {
  comparisons,
  datagrid,
  FactorSlopeError,
  hypothesis,
  InterpretError,
  type InterpretResult,
  predictions,
  slopes,
  UnknownLevelError,
  UnknownVariableError,
} from "../interpret/mod.ts";

const R_HELPERS = `
ip_t_hyp <- function(fit, h, ...) {
  x <- brms::hypothesis(fit, h, ...)
  t <- x$hypothesis
  list(hypothesis = as.list(as.character(t$Hypothesis)),
       group = if (is.null(t$Group)) NULL else as.list(as.character(t$Group)),
       cols = lapply(t[c("Estimate", "Est.Error", "CI.Lower", "CI.Upper", "Evid.Ratio",
                         "Post.Prob")], as.double),
       star = as.list(as.character(t$Star)),
       samples = lapply(unname(as.list(x$samples)), as.double))
}
ip_t_fn <- function(type) switch(type, response = brms::posterior_epred,
  link = brms::posterior_linpred, prediction = brms::posterior_predict)
ip_t_draws <- function(fit, nd, type = "response", ...) {
  m <- ip_t_fn(type)(fit, newdata = nd, ...)
  array(as.double(m), dim(m))
}
# Per-column median and type-7 quantiles: a 3 x ncol matrix.
ip_t_sum <- function(m, prob = 0.95) {
  a <- (1 - prob) / 2
  apply(m, 2, function(x) c(median(x), quantile(x, c(a, 1 - a), names = FALSE)))
}
# Per-draw means of the columns of each group, then summaries (a 3 x groups matrix) and draws.
ip_t_avg <- function(m, g, prob = 0.95) {
  g <- factor(g)
  avg <- sapply(levels(g), function(l) rowMeans(m[, g == l, drop = FALSE]))
  list(sum = ip_t_sum(avg, prob), draws = array(as.double(avg), dim(avg)))
}
ip_t_set <- function(d, v, value) {
  if (is.factor(d[[v]])) d[[v]] <- factor(rep(value, nrow(d)), levels = levels(d[[v]]))
  else d[[v]] <- value
  d
}
ip_t_contrast <- function(lo, hi, how) switch(how, difference = hi - lo, ratio = hi / lo,
  lnratio = log(hi / lo))
ip_t_pp <- function(fit, nd, seed) {
  set.seed(seed)
  m <- brms::posterior_predict(fit, newdata = nd)
  array(as.double(m), dim(m))
}
ip_t_emmeans <- function(fit) {
  e <- emmeans::emmeans(fit, ~ Trt, epred = TRUE)
  s <- as.data.frame(summary(e))
  list(levels = as.list(as.character(s$Trt)), emmean = as.double(s$emmean))
}
`;

function near(got: number, want: number, what: string, tol = 1e-10): void {
  if (Number.isNaN(want) && Number.isNaN(got)) return;
  const ok = got === want || Math.abs(got - want) <= tol * Math.max(1, Math.abs(want));
  assert.ok(ok, `${what}: ${got} != ${want}`);
}

function nearAll(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) near(got[i], want[i], `${what}[${i}]`);
}

/** Column j of a draws x columns R matrix. */
function col(m: NdArray, j: number): Float64Array {
  const [D, n] = m.shape;
  const out = new Float64Array(D);
  const d = m.data as Float64Array;
  for (let i = 0; i < D; i++) out[i] = m.order === "F" ? d[j * D + i] : d[i * n + j];
  return out;
}

/** Asserts rows equal R's summaries (3 x rows) and, when given, R's draws column by column. */
function sameAsR(res: InterpretResult, sum: NdArray, draws: NdArray | null, what: string): void {
  assert.equal(res.rows.length, sum.shape[1], `${what}: rows`);
  res.rows.forEach((r, j) => {
    const s = col(sum, j);
    near(r.estimate, s[0], `${what} row ${j} estimate`);
    near(r.lower, s[1], `${what} row ${j} lower`);
    near(r.upper, s[2], `${what} row ${j} upper`);
    if (draws) nearAll(r.draws, col(draws, j), `${what} row ${j} draws`);
  });
}

describe("interpreting a fit: hypothesis, datagrid, predictions, comparisons, slopes", () => {
  let ep: FitResult;
  let data: DataFrame;

  before(async () => {
    defaultWorker().setConsoleOutput("silent");
    ({ fit: ep, data } = await epilepsyFit());
    await evalR(R_HELPERS);
  });
  after(() => shutdown());

  it("hypothesis() equals brms::hypothesis() in every column and draw (one- and two-sided)", async () => {
    const hs = ["zAge < 0", "zBase + zBase:Trt1 = 0", "Trt1 > -0.5"];
    const got = await hypothesis(ep, hs, { alpha: 0.1 });
    const ref = await callR("ip_t_hyp", { fit: ep.r, h: hs, alpha: 0.1 }) as {
      hypothesis: string[];
      cols: Record<string, Float64Array>;
      star: string[];
      samples: Float64Array[];
    };
    assert.equal(got.length, 3);
    got.forEach((g, i) => {
      assert.equal(g.hypothesis, ref.hypothesis[i]);
      assert.equal(g.group, null);
      near(g.estimate, ref.cols["Estimate"][i], `estimate ${i}`);
      near(g.estError, ref.cols["Est.Error"][i], `estError ${i}`);
      near(g.ciLower, ref.cols["CI.Lower"][i], `ciLower ${i}`);
      near(g.ciUpper, ref.cols["CI.Upper"][i], `ciUpper ${i}`);
      near(g.evidRatio, ref.cols["Evid.Ratio"][i], `evidRatio ${i}`);
      near(g.postProb, ref.cols["Post.Prob"][i], `postProb ${i}`);
      assert.equal(g.star, ref.star[i]);
      nearAll(g.draws, ref.samples[i], `draws ${i}`);
    });
    // One-sided: an evidence ratio and a posterior probability; two-sided without prior draws:
    // NA in brms, NaN here.
    assert.ok(got[0].postProb >= 0 && got[0].postProb <= 1);
    assert.ok(Number.isNaN(got[1].evidRatio));
  });

  it("hypothesis() on group-level parameters: class sd and scope ranef equal brms", async () => {
    const sd = await hypothesis(ep, "Intercept > 0.3", { class: "sd", group: "patient" });
    const sdRef = await callR("ip_t_hyp", {
      fit: ep.r,
      h: "Intercept > 0.3",
      class: "sd",
      group: "patient",
    }) as { cols: Record<string, number>; samples: Float64Array[] | Float64Array };
    near(sd[0].estimate, sdRef.cols["Estimate"], "sd estimate");
    near(sd[0].postProb, sdRef.cols["Post.Prob"], "sd postProb");
    near(sd[0].evidRatio, sdRef.cols["Evid.Ratio"], "sd evidRatio");
    const re = await hypothesis(ep, "Intercept > 0", { scope: "ranef", group: "patient" });
    const reRef = await callR("ip_t_hyp", {
      fit: ep.r,
      h: "Intercept > 0",
      scope: "ranef",
      group: "patient",
    }) as {
      group: string[];
      cols: Record<string, Float64Array>;
      star: string[];
      samples: Float64Array[];
    };
    assert.equal(re.length, 59);
    re.forEach((g, i) => {
      assert.equal(g.group, reRef.group[i]);
      near(g.estimate, reRef.cols["Estimate"][i], `ranef estimate ${i}`);
      near(g.ciLower, reRef.cols["CI.Lower"][i], `ranef ciLower ${i}`);
      near(g.postProb, reRef.cols["Post.Prob"][i], `ranef postProb ${i}`);
      assert.equal(g.star, reRef.star[i]);
      nearAll(g.draws, reRef.samples[i], `ranef draws ${i}`);
    });
  });

  it("datagrid() crosses the named values and holds the others at mean / most frequent level", async () => {
    const grid = await datagrid(ep, { Trt: "all", zAge: [-1, 0, 1] });
    assert.equal(grid.nrow, 6);
    assert.deepEqual((grid.column("Trt") as Categorical).values(), ["0", "0", "0", "1", "1", "1"]);
    assert.deepEqual([...grid.column("zAge") as Float64Array], [-1, 0, 1, -1, 0, 1]);
    const ref = await evalR(
      "d <- brms::epilepsy; list(zBase = mean(d$zBase), " +
        "patient = { u <- unique(d$patient); as.character(u[which.max(tabulate(match(d$patient, u)))]) })",
    ) as { zBase: number; patient: string };
    for (const v of grid.column("zBase") as Float64Array) near(v, ref.zBase, "zBase mean");
    const p = grid.column("patient") as Categorical;
    assert.ok(p.values().every((v) => v === ref.patient));
    assert.equal(p.levels.length, 59, "the factor keeps every level");
  });

  it("predictions() on a grid equal medians and quantiles of posterior_epred(fit, newdata = grid)", async () => {
    const grid = await datagrid(ep, { Trt: "all", zAge: [-1, 0, 1] });
    for (const type of ["response", "link"] as const) {
      const res = await predictions(ep, { grid, type, reFormula: null, chunkSize: 4, prob: 0.9 });
      const m = await callR("ip_t_draws", {
        fit: ep.r,
        nd: grid,
        type,
        re_formula: rCode("NA"),
      }) as NdArray;
      const s = await callR("ip_t_sum", [m, 0.9]) as NdArray;
      sameAsR(res, s, m, `predictions ${type}`);
      assert.deepEqual(res.rows.map((r) => r.row), [0, 1, 2, 3, 4, 5]);
    }
  });

  it("predictions() with by equal R's per-draw average of posterior_epred per group", async () => {
    const res = await predictions(ep, { by: "Trt", chunkSize: 50 });
    const m = await callR("ip_t_draws", { fit: ep.r, nd: data }) as NdArray;
    const ref = await callR("ip_t_avg", [m, (data.column("Trt") as Categorical).values()]) as {
      sum: NdArray;
      draws: NdArray;
    };
    assert.deepEqual(res.rows.map((r) => r.by.Trt), ["0", "1"]);
    sameAsR(res, ref.sum, ref.draws, "predictions by Trt");
  });

  it("type prediction with a seed repeats itself and equals set.seed() + posterior_predict()", async () => {
    const grid = await datagrid(ep, { Trt: "all", zAge: [-1, 1] });
    const a = await predictions(ep, { grid, type: "prediction", seed: 7 });
    const b = await predictions(ep, { grid, type: "prediction", seed: 7 });
    const m = await callR("ip_t_pp", [ep.r, grid, 7]) as NdArray;
    assert.equal(a.rows.length, 4);
    a.rows.forEach((r, j) => {
      nearAll(r.draws, b.rows[j].draws, `repeat row ${j}`);
      nearAll(r.draws, col(m, j), `posterior_predict row ${j}`);
    });
  });

  it("emmeans(fit, ~ Trt, epred = TRUE) medians equal predictions on datagrid(Trt: all) by Trt", async () => {
    // Same definition on both sides: the posterior median of posterior_epred without group-level
    // effects (re_formula = NA) at each level of Trt with zAge and zBase at their means.
    const grid = await datagrid(ep, { Trt: "all" });
    const res = await predictions(ep, { grid, by: "Trt", reFormula: null });
    const em = await callR("ip_t_emmeans", [ep.r]) as { levels: string[]; emmean: Float64Array };
    assert.deepEqual(res.rows.map((r) => r.by.Trt), em.levels);
    res.rows.forEach((r, i) => near(r.estimate, em.emmean[i], `emmean ${em.levels[i]}`));
  });

  it("comparisons() of a factor per row equal hi - lo, hi / lo, log(hi / lo) from two posterior_epred calls", async () => {
    const grid = await datagrid(ep, { zAge: [-1, 0.5, 2] });
    const lo = await callR("ip_t_draws", {
      fit: ep.r,
      nd: await callR("ip_t_set", [grid, "Trt", "0"], { convert: "handle" }),
    }) as NdArray;
    const hi = await callR("ip_t_draws", {
      fit: ep.r,
      nd: await callR("ip_t_set", [grid, "Trt", "1"], { convert: "handle" }),
    }) as NdArray;
    for (const how of ["difference", "ratio", "lnratio"] as const) {
      const res = await comparisons(ep, {
        newdata: grid,
        variables: { Trt: ["0", "1"] },
        comparison: how,
        chunkSize: 2,
      });
      const d = await callR("ip_t_contrast", [lo, hi, how]) as NdArray;
      const s = await callR("ip_t_sum", [d]) as NdArray;
      sameAsR(res, s, d, `comparison ${how}`);
      assert.equal(res.rows[0].term, "Trt");
      assert.equal(res.rows[0].contrast, "1 - 0");
    }
  });

  it("average comparisons of Trt and of zAge + 1 (centred) equal R's averaged contrasts", async () => {
    const nd = data;
    const trt = (data.column("Trt") as Categorical).values();
    const set = (v: string, value: unknown) =>
      callR("ip_t_set", [nd, v, value], { convert: "handle" });
    const draws = async (d: unknown) => await callR("ip_t_draws", { fit: ep.r, nd: d }) as NdArray;
    const lo = await draws(await set("Trt", "0"));
    const hi = await draws(await set("Trt", "1"));
    for (const how of ["difference", "ratio", "lnratio"] as const) {
      const res = await comparisons(ep, {
        variables: { Trt: ["0", "1"] },
        comparison: how,
        average: true,
        chunkSize: 37,
      });
      const d = await callR("ip_t_contrast", [lo, hi, how]) as NdArray;
      const ref = await callR("ip_t_avg", [d, trt.map(() => "all")]) as {
        sum: NdArray;
        draws: NdArray;
      };
      sameAsR(res, ref.sum, ref.draws, `avg comparison ${how}`);
    }
    // zAge + 1: marginaleffects's centred step, x - 1/2 against x + 1/2, averaged by Trt.
    const zAge = data.column("zAge") as Float64Array;
    const zlo = await draws(await set("zAge", Float64Array.from(zAge, (x) => x - 0.5)));
    const zhi = await draws(await set("zAge", Float64Array.from(zAge, (x) => x + 0.5)));
    const res = await comparisons(ep, { variables: { zAge: 1 }, by: "Trt", chunkSize: 100 });
    const d = await callR("ip_t_contrast", [zlo, zhi, "difference"]) as NdArray;
    const ref = await callR("ip_t_avg", [d, trt]) as { sum: NdArray; draws: NdArray };
    sameAsR(res, ref.sum, ref.draws, "avg comparison zAge +1 by Trt");
    assert.equal(res.rows[0].contrast, "+1");
  });

  it("comparisons() with sd, iqr and minmax use the model data's mean ∓ sd/2, quartiles and range", async () => {
    const grid = await datagrid(ep, { Trt: "all" });
    const stats = await evalR(
      "x <- brms::epilepsy$zBase; list(sd = c(mean(x) - sd(x) / 2, mean(x) + sd(x) / 2), " +
        "iqr = as.double(quantile(x, c(0.25, 0.75))), minmax = range(x))",
    ) as Record<string, Float64Array>;
    for (const spec of ["sd", "iqr", "minmax"] as const) {
      const res = await comparisons(ep, { grid, variables: { zBase: spec } });
      const [a, b] = stats[spec];
      const lo = await callR("ip_t_draws", {
        fit: ep.r,
        nd: await callR("ip_t_set", [grid, "zBase", a], { convert: "handle" }),
      }) as NdArray;
      const hi = await callR("ip_t_draws", {
        fit: ep.r,
        nd: await callR("ip_t_set", [grid, "zBase", b], { convert: "handle" }),
      }) as NdArray;
      const d = await callR("ip_t_contrast", [lo, hi, "difference"]) as NdArray;
      sameAsR(res, await callR("ip_t_sum", [d]) as NdArray, d, `zBase ${spec}`);
    }
  });

  it("slopes() are forward differences with eps = 1e-4 × range, averaged per draw by group", async () => {
    const zAge = data.column("zAge") as Float64Array;
    let min = Infinity, max = -Infinity;
    for (const x of zAge) min = Math.min(min, x), max = Math.max(max, x);
    const eps = 1e-4 * (max - min);
    const trt = (data.column("Trt") as Categorical).values();
    const y0 = await callR("ip_t_draws", { fit: ep.r, nd: data }) as NdArray;
    const y1 = await callR("ip_t_draws", {
      fit: ep.r,
      nd: await callR("ip_t_set", [data, "zAge", Float64Array.from(zAge, (x) => x + eps)], {
        convert: "handle",
      }),
    }) as NdArray;
    await evalR(`ip_t_slope <- function(y0, y1, x, eps, kind) {
      dydx <- (y1 - y0) / eps
      X <- matrix(x, nrow(y0), ncol(y0), byrow = TRUE)
      switch(kind, dydx = dydx, eyex = dydx * (X / y0), eydx = dydx / y0, dyex = dydx * X)
    }`);
    for (const kind of ["dydx", "eyex", "eydx", "dyex"] as const) {
      const res = await slopes(ep, { variables: "zAge", slope: kind, by: "Trt", chunkSize: 64 });
      const d = await callR("ip_t_slope", [y0, y1, zAge, eps, kind]) as NdArray;
      const ref = await callR("ip_t_avg", [d, trt]) as { sum: NdArray; draws: NdArray };
      sameAsR(res, ref.sum, ref.draws, `slope ${kind}`);
    }
  });

  it("bad input: unknown variables and levels, slopes of a factor, bad options are typed errors", async () => {
    await assert.rejects(datagrid(ep, { age: 30 }), (e: unknown) => {
      assert.ok(e instanceof UnknownVariableError);
      assert.equal(e.variable, "age");
      assert.ok(e.available.includes("zAge") && e.available.includes("Trt"));
      assert.match(e.message, /"zAge"/);
      return true;
    });
    await assert.rejects(datagrid(ep, { Trt: "2" }), (e: unknown) => {
      assert.ok(e instanceof UnknownLevelError);
      assert.deepEqual(e.levels, ["0", "1"]);
      return true;
    });
    await assert.rejects(slopes(ep, { variables: "Trt" }), FactorSlopeError);
    await assert.rejects(slopes(ep, { variables: "age" }), UnknownVariableError);
    await assert.rejects(
      comparisons(ep, { variables: { Trt: ["0", "3"] } }),
      UnknownLevelError,
    );
    await assert.rejects(
      comparisons(ep, { variables: { zAge: 1 }, comparison: "quotient" as never }),
      InterpretError,
    );
    await assert.rejects(predictions(ep, { by: "nope" }), UnknownVariableError);
    await assert.rejects(predictions(ep, { prob: 2 }), InterpretError);
  });
});
