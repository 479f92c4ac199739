// The numbers behind the plots equal bayesplot's on the same draws: R generates the draws (passed
// bit for bit through binary files) and computes bayesplot's data (mcmc_intervals_data,
// mcmc_rank_hist, mcmc_dens / mcmc_hist layers, ppc_stat_data, ppc_intervals_data,
// ppc_bars_data, ppc_dens_overlay layers) in the same run.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { InferenceData } from "../idata/mod.ts";
import {
  intervalsData,
  plotParetoK,
  plotPosterior,
  plotRank,
  plotTrace,
  ppCheck,
} from "../plot/mod.ts";
import { close, once, readDoubles, rPath, rscript, SLOW, tempDir } from "./_rscript.ts";

const C = 4, D = 150, P = 3, N = 40, S = 60;

const R_CODE = (dir: string) => `
suppressMessages({ library(bayesplot); library(ggplot2); library(jsonlite) })
set.seed(14)
dir <- ${rPath(dir)}
C <- ${C}; D <- ${D}; P <- ${P}; N <- ${N}; S <- ${S}
arr <- array(rnorm(D * C * P), dim = c(D, C, P),
  dimnames = list(NULL, paste0("chain:", 1:C), c("alpha", "beta", "gamma")))
arr[, , "beta"] <- arr[, , "beta"] * 3 + 10 + rep(0:(C - 1), each = D) * 2
arr[, , "gamma"] <- round(arr[, , "gamma"], 1)   # ties: average ranks
# (chain, draw) C order per parameter
for (p in 1:P) writeBin(as.double(arr[, , p]), file.path(dir, paste0("p", p, ".bin")))
y <- rgamma(N, 3, 1); yrep <- matrix(rgamma(S * N, 3, 1), S, N)
yi <- rpois(N, 3); yrepi <- matrix(rpois(S * N, 3), S, N)
writeBin(as.double(y), file.path(dir, "y.bin")); writeBin(as.double(t(yrep)), file.path(dir, "yrep.bin"))
writeBin(as.double(yi), file.path(dir, "yi.bin")); writeBin(as.double(t(yrepi)), file.path(dir, "yrepi.bin"))
out <- list()
iv <- function(...) { d <- mcmc_intervals_data(arr, ...); lapply(d[c("ll", "l", "m", "h", "hh")], as.numeric) }
out$iv_default <- iv()
out$iv_wide <- iv(prob = 0.8, prob_outer = 0.95, point_est = "mean")
rk <- ggplot_build(mcmc_rank_hist(arr))
ld <- rk$data[[1]]; lay <- rk$layout$layout
ld <- merge(ld, lay[, c("PANEL", "parameter", "chain")], by = "PANEL")
ld <- ld[order(ld$parameter, ld$chain, ld$xmin), ]
out$rank <- list(parameter = as.character(ld$parameter), chain = as.character(ld$chain),
  xmin = ld$xmin, xmax = ld$xmax, count = ld$count)
dn <- layer_data(mcmc_dens(arr, pars = "beta"))
out$dens <- list(x = dn$x, y = dn$density)
hs <- suppressMessages(layer_data(mcmc_hist(arr, pars = "alpha")))
out$hist <- list(xmin = hs$xmin, xmax = hs$xmax, count = hs$count)
out$stat_mean <- ppc_stat_data(y, yrep, stat = "mean")
out$stat_sd <- as.numeric(apply(yrep, 1, sd)); out$stat_sd_y <- sd(y)
out$stat_mean <- list(value = out$stat_mean$value[out$stat_mean$variable != "y"],
  y = out$stat_mean$value[out$stat_mean$variable == "y"])
pi <- ppc_intervals_data(y, yrep)
out$ppi <- lapply(pi[c("ll", "l", "m", "h", "hh", "y_obs")], as.numeric)
pb <- ppc_bars_data(yi, yrepi)
out$bars <- lapply(pb[c("x", "y_obs", "l", "m", "h")], as.numeric)
pd <- ggplot_build(ppc_dens_overlay(y, yrep[c(1, 30, 60), ]))
l1 <- pd$data[[1]]; l2 <- pd$data[[2]]
out$ppdens <- list(group = l1$group, x = l1$x, y = l1$density, yx = l2$x, yy = l2$density)
out$ecdf <- list(x = sort(y), f = ecdf(y)(sort(y)))
writeLines(toJSON(out, digits = NA), file.path(dir, "ref.json"))
`;

const tmp = tempDir("brmsts-plot-");
after(() => tmp.cleanup());
// deno-lint-ignore no-explicit-any
const ref = once((): any => {
  rscript(R_CODE(tmp.path));
  return JSON.parse(readFileSync(join(tmp.path, "ref.json"), "utf8"));
});
const idata = once(() => {
  const post: Record<string, Float64Array> = {};
  ["alpha", "beta", "gamma"].forEach((n, p) =>
    post[n] = readDoubles(join(tmp.path, `p${p + 1}.bin`))
  );
  const obs = (f: string) => ({ dims: ["obs_id"], data: readDoubles(join(tmp.path, f)) });
  const rep = (f: string) => ({
    dims: ["chain", "draw", "obs_id"],
    data: readDoubles(join(tmp.path, f)),
    shape: [1, S, N],
  });
  return {
    mcmc: InferenceData.fromObject({ posterior: post }, { chains: C }),
    ppc: InferenceData.fromObject({
      observed_data: { y: obs("y.bin") },
      posterior_predictive: { y: rep("yrep.bin") },
    }),
    bars: InferenceData.fromObject({
      observed_data: { y: obs("yi.bin") },
      posterior_predictive: { y: rep("yrepi.bin") },
    }),
  };
});

function allClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    assert.ok(close(Number(a[i]), Number(b[i]), tol), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

describe("plot data equals bayesplot's on the same draws", SLOW, () => {
  it("plotPosterior intervals equal mcmc_intervals_data to 1e-10 (defaults and prob 0.8 / 0.95 with the mean)", () => {
    ref();
    const d = plotPosterior(idata().mcmc, { kind: "intervals" }).data.intervals as Record<
      string,
      number
    >[];
    for (const k of ["ll", "l", "m", "h", "hh"]) {
      allClose(d.map((r) => r[k]), ref().iv_default[k], 1e-10, k);
    }
    const w = intervalsData(idata().mcmc, { prob: 0.8, probOuter: 0.95, pointEst: "mean" });
    for (const k of ["ll", "l", "m", "h", "hh"]) {
      allClose(w.map((r) => r[k] as number), ref().iv_wide[k], 1e-10, `wide ${k}`);
    }
    assert.deepEqual(d.map((r) => r.parameter), ["alpha", "beta", "gamma"]);
  });

  it("plotRank counts equal mcmc_rank_hist's histogram per parameter and chain (ties ranked by average)", () => {
    const rows = plotRank(idata().mcmc).data.rank as Record<string, number | string>[];
    const r = ref().rank;
    assert.equal(rows.length, r.count.length);
    rows.forEach((row, i) => {
      assert.equal(row.parameter, r.parameter[i]);
      assert.equal(String(row.chain), r.chain[i]);
      assert.ok(close(row.start as number, r.xmin[i], 1e-12), `xmin ${i}`);
      assert.ok(close(row.end as number, r.xmax[i], 1e-12), `xmax ${i}`);
      assert.equal(row.count, r.count[i], `count ${i} (${row.parameter}, chain ${row.chain})`);
    });
    // each chain's counts sum to its draws
    assert.equal(
      rows.filter((x) => x.parameter === "gamma" && x.chain === 2).reduce(
        (a, x) => a + (x.count as number),
        0,
      ),
      D,
    );
  });

  it("plotPosterior density equals mcmc_dens (stats::density, nrd0, n = 1024, over the draws' range) to 1e-10", () => {
    const rows = plotPosterior(idata().mcmc, { varNames: ["beta"] }).data.density as Record<
      string,
      number
    >[];
    allClose(rows.map((r) => r.x), ref().dens.x, 1e-12, "x");
    const y = ref().dens.y as number[];
    const max = Math.max(...y);
    rows.forEach((r, i) =>
      assert.ok(Math.abs(r.density - y[i]) <= 1e-10 * max, `density[${i}] ${r.density} vs ${y[i]}`)
    );
  });

  it("plotPosterior histogram equals mcmc_hist's 30 ggplot2 bins", () => {
    const rows = plotPosterior(idata().mcmc, { varNames: ["alpha"], kind: "histogram" }).data
      .histogram as Record<string, number>[];
    allClose(rows.map((r) => r.start), ref().hist.xmin, 1e-10, "xmin");
    allClose(rows.map((r) => r.end), ref().hist.xmax, 1e-10, "xmax");
    assert.deepEqual(rows.map((r) => r.count), ref().hist.count);
  });

  it("ppCheck stat equals ppc_stat_data (mean) and R's sd of every draw", () => {
    const m = ppCheck(idata().ppc, { type: "stat" }).data;
    allClose(
      (m.stat as Record<string, number>[]).map((r) => r.value),
      ref().stat_mean.value,
      1e-12,
      "mean",
    );
    assert.ok(close((m.statY[0] as { value: number }).value, ref().stat_mean.y[0], 1e-12));
    const s = ppCheck(idata().ppc, { type: "stat", stat: "sd" }).data;
    allClose((s.stat as Record<string, number>[]).map((r) => r.value), ref().stat_sd, 1e-12, "sd");
    assert.ok(close((s.statY[0] as { value: number }).value, ref().stat_sd_y[0], 1e-12));
  });

  it("ppCheck intervals equal ppc_intervals_data to 1e-10", () => {
    const rows = ppCheck(idata().ppc, { type: "intervals" }).data.intervals as Record<
      string,
      number
    >[];
    for (const k of ["ll", "l", "m", "h", "hh", "y_obs"]) {
      allClose(rows.map((r) => r[k]), ref().ppi[k], 1e-10, k);
    }
  });

  it("ppCheck bars equal ppc_bars_data (counts of y, quantiles of the draws' counts)", () => {
    const rows = ppCheck(idata().bars, { type: "bars" }).data.bars as Record<
      string,
      number | null
    >[];
    const b = ref().bars;
    allClose(rows.map((r) => r.x as number), b.x, 0, "x");
    allClose(
      rows.map((r) => r.y_obs ?? NaN),
      b.y_obs.map((v: number | string) => v === "NA" || v === null ? NaN : v),
      0,
      "y_obs",
    );
    for (const k of ["l", "m", "h"]) allClose(rows.map((r) => r[k] as number), b[k], 1e-12, k);
  });

  it("ppCheck dens_overlay equals ppc_dens_overlay's layers (n = 1024 over the range of y and the draws)", () => {
    const rows = ppCheck(idata().ppc, { draws: [0, 29, 59] }).data.density as Record<
      string,
      number | string
    >[];
    const r = ref().ppdens;
    const reps = rows.filter((x) => x.is === "yrep");
    assert.equal(reps.length, r.x.length);
    const max = Math.max(...r.y);
    reps.forEach((x, i) => {
      assert.ok(close(x.x as number, r.x[i], 1e-12), `x ${i}`);
      assert.ok(Math.abs((x.density as number) - r.y[i]) <= 1e-10 * max, `yrep density ${i}`);
    });
    const ys = rows.filter((x) => x.is === "y");
    ys.forEach((x, i) =>
      assert.ok(Math.abs((x.density as number) - r.yy[i]) <= 1e-10 * max, `y density ${i}`)
    );
  });

  it("ppCheck ecdf_overlay steps equal R's ecdf() of y, padded with 0 and 1 at the common range", () => {
    const rows = ppCheck(idata().ppc, { type: "ecdf_overlay", draws: [3] }).data.ecdf as Record<
      string,
      number | string
    >[];
    const ys = rows.filter((r) => r.is === "y");
    assert.equal(ys.length, N + 2);
    assert.equal(ys[0].ecdf, 0);
    assert.equal(ys[N + 1].ecdf, 1);
    allClose(ys.slice(1, -1).map((r) => r.x as number), ref().ecdf.x, 1e-13, "x");
    allClose(ys.slice(1, -1).map((r) => r.ecdf as number), ref().ecdf.f, 1e-15, "ecdf");
  });

  it("plotTrace keeps draws in chain and iteration order (a C/F-order slip changes the rows)", () => {
    const rows = plotTrace(idata().mcmc, { varNames: ["beta"] }).data.trace as Record<
      string,
      number
    >[];
    const raw = readDoubles(join(tmp.path, "p2.bin"));
    assert.equal(rows.length, C * D);
    rows.forEach((r, i) => {
      assert.equal(r.chain, Math.floor(i / D) + 1);
      assert.equal(r.iteration, (i % D) + 1);
      assert.equal(r.value, raw[i]);
    });
    // chain means differ by 2 in R's construction: the rows must keep the chains apart
    const m = (c: number) => rows.filter((r) => r.chain === c).reduce((a, r) => a + r.value, 0) / D;
    assert.ok(m(4) - m(1) > 4);
  });

  it("plotParetoK marks points above 0.7 and draws the 0.5 / 0.7 / 1 thresholds", () => {
    const p = plotParetoK(new Float64Array([0.1, 0.55, 0.8, 1.2]));
    assert.deepEqual((p.data.paretoK as Record<string, unknown>[]).map((r) => r.level), [
      "good",
      "ok",
      "bad",
      "very bad",
    ]);
    const layers = (p.spec as { layer: { data: { values: { t: number }[] } }[] }).layer;
    assert.deepEqual(layers[0].data.values.map((v) => v.t), [0.5, 0.7, 1]);
  });
});
