// The single-quantity diagnostics, R's elementary routines (qnorm, median), hdi and the
// sampler counts, each against R computed during the test.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { InferenceData } from "../idata/mod.ts";
import {
  autocovariance,
  divergences,
  essBasic,
  essBulk,
  essMean,
  essQuantile,
  essSd,
  essTail,
  hdi,
  mcseMean,
  mcseSd,
  rhat,
  rhatBasic,
  treeDepthHits,
} from "../stats/mod.ts";
import { sortedMedian } from "../stats/_basic.ts";
import { qnorm } from "../stats/_qnorm.ts";
import { close, once, readDoubles, rPath, rscript, SLOW, tempDir } from "./_rscript.ts";

const tmp = tempDir("brmsts-diag-");
const f = (name: string) => readDoubles(join(tmp.path, name));

const SERIES: [number, number][] = [[4, 1000], [4, 999], [1, 1001], [2, 4], [3, 7]];
const FUNS = [
  "rhat",
  "rhat_basic",
  "rhat_basic_nosplit",
  "ess_bulk",
  "ess_tail",
  "ess_basic",
  "ess_basic_nosplit",
  "ess_mean",
  "ess_sd",
  "ess_median",
  "mcse_mean",
  "mcse_sd",
];

const generate = once(() =>
  rscript(`
suppressMessages(library(posterior))
set.seed(3)
dir <- ${rPath(tmp.path)}
out <- function(name, x) writeBin(as.double(x), file.path(dir, name))
p <- c(runif(20000), 10^-runif(2000, 1, 15), 1 - 10^-runif(2000, 1, 15), 0.5, 0.075, 0.925)
out("p.bin", p); out("qnorm.bin", qnorm(p))
pairs <- matrix(rnorm(40000) * 10^sample(-5:5, 40000, TRUE), 2)
out("pairs.bin", pairs); out("medians.bin", apply(pairs, 2, median))
ar1 <- function(n, phi) as.numeric(stats::filter(rnorm(n), phi, method = "recursive"))
configs <- list(${SERIES.map(([c, d]) => `c(${c}, ${d})`).join(", ")})
for (k in seq_along(configs)) {
  C <- configs[[k]][1]; D <- configs[[k]][2]
  xs <- list(iid = matrix(rnorm(C * D), D, C),
             ar = sapply(1:C, function(c) ar1(D, 0.95)),
             stuck = sapply(1:C, function(c) rep(c, D) + c(0, rep(1e-3, D - 1))))
  res <- c()
  for (x in xs) {
    out(paste0("x_", k, "_", length(res) / ${FUNS.length}, ".bin"), x)
    res <- c(res, rhat(x), rhat_basic(x), rhat_basic(x, split = FALSE), ess_bulk(x), ess_tail(x),
      ess_basic(x), ess_basic(x, split = FALSE), ess_mean(x), ess_sd(x), ess_median(x),
      mcse_mean(x), mcse_sd(x))
  }
  out(paste0("res_", k, ".bin"), suppressWarnings(res))
  out(paste0("acov_", k, ".bin"), posterior:::autocovariance(xs$ar[, 1]))
}
u <- runif(4001)
h <- rbind(coda::HPDinterval(coda::as.mcmc(u), 0.9), coda::HPDinterval(coda::as.mcmc(u), 0.95))
arviz <- function(x, prob) {
  s <- sort(x); n <- length(s); g <- floor(prob * n); w <- s[(g + 1):n] - s[1:(n - g)]
  i <- which.min(w); c(s[i], s[i + g])
}
out("u.bin", u); out("coda.bin", t(h)); out("arviz.bin", c(arviz(u, 0.9), arviz(u, 0.95)))
div <- rbinom(4 * 250, 1, 0.01); td <- sample(5:10, 4 * 250, TRUE)
out("div.bin", div); out("td.bin", td)
out("counts.bin", c(sum(div), colSums(matrix(div, 250)), sum(td >= 10), colSums(matrix(td >= 10, 250))))
`)
);

after(() => tmp.cleanup());

describe("diagnostics of one quantity against posterior", () => {
  it("computes qnorm like R's AS 241 to 1e-15", SLOW, () => {
    generate();
    const p = f("p.bin");
    const q = f("qnorm.bin");
    const bad: string[] = [];
    p.forEach((v, i) => {
      if (!close(qnorm(v), q[i], 1e-15)) bad.push(`qnorm(${v}): ${qnorm(v)} vs ${q[i]}`);
    });
    assert.deepEqual(bad.slice(0, 5), []);
  });

  it("computes medians of even counts bit for bit like R", SLOW, () => {
    generate();
    const pairs = f("pairs.bin");
    const med = f("medians.bin");
    let differ = 0;
    for (let i = 0; i < med.length; i++) {
      const s = Float64Array.from(pairs.subarray(2 * i, 2 * i + 2)).sort();
      if (!Object.is(sortedMedian(s), med[i])) differ++;
    }
    assert.equal(differ, 0);
  });

  SERIES.forEach(([C, D], idx) => {
    it(`agrees to 1e-8 on rhat, ess_*, mcse_* for ${C} chains of ${D} draws`, SLOW, () => {
      generate();
      const res = f(`res_${idx + 1}.bin`);
      const bad: string[] = [];
      for (let s = 0; s < 3; s++) {
        const m = f(`x_${idx + 1}_${s}.bin`); // column-major draws x chains = chain-major series
        const mine = [
          rhat(m, C),
          rhatBasic(m, C),
          rhatBasic(m, C, false),
          essBulk(m, C),
          essTail(m, C),
          essBasic(m, C),
          essBasic(m, C, false),
          essMean(m, C),
          essSd(m, C),
          essQuantile(m, C, 0.5),
          mcseMean(m, C),
          mcseSd(m, C),
        ];
        mine.forEach((v, j) => {
          const r = res[s * FUNS.length + j];
          if (!close(v, r)) bad.push(`series ${s} ${FUNS[j]}: ts ${v} r ${r}`);
        });
      }
      assert.deepEqual(bad, [], bad.join("\n"));
    });

    it(`computes posterior's autocovariance for a chain of ${D} draws`, SLOW, () => {
      generate();
      const ref = f(`acov_${idx + 1}.bin`);
      const x = f(`x_${idx + 1}_1.bin`).subarray(0, D);
      const mine = autocovariance(x);
      const scale = Math.abs(ref[0]);
      ref.forEach((r, k) => assert.ok(Math.abs(mine[k] - r) <= 1e-12 * scale, `lag ${k}`));
    });
  });
});

describe("hdi() and sampler counts", () => {
  it("matches coda::HPDinterval with method coda and ArviZ's rule by default", SLOW, () => {
    generate();
    const u = f("u.bin");
    const coda = f("coda.bin");
    const arviz = f("arviz.bin");
    assert.deepEqual(hdi(u, 0.9, { method: "coda" }), [coda[0], coda[1]]);
    assert.deepEqual(hdi(u, 0.95, { method: "coda" }), [coda[2], coda[3]]);
    assert.deepEqual(hdi(u, 0.9), [arviz[0], arviz[1]]);
    assert.deepEqual(hdi(u, 0.95), [arviz[2], arviz[3]]);
  });

  it("gives NaN bounds when a draw is missing", () => {
    assert.deepEqual(hdi([1, NaN, 3], 0.5), [NaN, NaN]);
  });

  it("counts divergences and tree-depth hits like R, in total and per chain", SLOW, () => {
    generate();
    const div = Uint8Array.from(f("div.bin"));
    const td = Int32Array.from(f("td.bin"));
    const counts = Array.from(f("counts.bin"));
    for (const names of [["diverging", "tree_depth"], ["divergent__", "treedepth__"]]) {
      const idata = InferenceData.fromObject({
        sample_stats: {
          [names[0]]: { dims: ["chain", "draw"], data: div },
          [names[1]]: { dims: ["chain", "draw"], data: td },
        },
      }, { chains: 4 });
      const d = divergences(idata);
      const t = treeDepthHits(idata, 10);
      assert.deepEqual([d.total, ...d.perChain, t.total, ...t.perChain], counts);
    }
  });
});
