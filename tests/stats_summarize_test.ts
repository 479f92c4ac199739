// Golden comparison of summarizeDraws() against posterior::summarise_draws(), with draws generated
// by R during the test and passed bit for bit through binary files.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { InferenceData } from "../idata/mod.ts";
import { summarizeDraws } from "../stats/mod.ts";
import { close, once, readDoubles, rPath, rscript, SLOW, tempDir } from "./_rscript.ts";

const CONFIGS: [number, number][] = [
  [4, 1000],
  [4, 999],
  [1, 1000],
  [1, 7],
  [3, 3],
  [2, 4],
  [4, 5],
  [2, 2],
  [4, 1],
  [2, 1001],
];

const R_GENERATE = (dir: string, probs: number[]) => `
suppressMessages(library(posterior))
set.seed(20240611)
dir <- ${rPath(dir)}
probs <- c(${probs.join(", ")})
configs <- list(${CONFIGS.map(([c, d]) => `c(${c}, ${d})`).join(", ")})
ar1 <- function(n, phi) as.numeric(stats::filter(rnorm(n), phi, method = "recursive"))
# Draws whose two middle values have a long-double midpoint unlike (a + b) / 2 in double:
# the folded draws of the tail R-hat then tie or not depending on the exact median.
mid_pair <- function(n) {
  repeat {
    a <- -rexp(1) * 10^-runif(1, 0, 4); b <- rexp(1)
    if (mean(c(a, b)) != (a + b) / 2) break
  }
  h <- max(n %/% 2 - 1, 0)
  x <- c(a, b, a - rexp(h), b + rexp(n - 2 - h))[seq_len(n)]
  sample(x)
}
for (k in seq_along(configs)) {
  C <- configs[[k]][1]; D <- configs[[k]][2]; n <- C * D
  vars <- list(
    iid = rnorm(n),
    ar1 = unlist(lapply(1:C, function(c) ar1(D, 0.9))),
    walk = unlist(lapply(1:C, function(c) ar1(D, 0.999))),
    cauchy = rcauchy(n),
    constant = rep(3.5, n),
    with_na = replace(rnorm(n), max(1, n %/% 3), NA),
    with_inf = replace(rnorm(n), max(1, n %/% 2), Inf),
    inf_both = replace(replace(rnorm(n), 1, Inf), n, -Inf),
    poisson = as.numeric(rpois(n, 2)),
    bernoulli = as.numeric(rbinom(n, 1, 0.3)),
    shifted = rep(1:C, each = D) * 2 + rnorm(n),
    offset = 1e7 + 1e6 * rt(n, 3),
    tiny = 1e-12 * rnorm(n),
    grid = round(rnorm(n), 1) + 1 / 3,
    wide_mid = c(-rexp(n %/% 2) * 1e-9, rexp(n - n %/% 2) * 1e3),
    mid_pair = mid_pair(n)
  )
  x <- array(unlist(vars), c(D, C, length(vars)), dimnames = list(NULL, NULL, names(vars)))
  writeBin(as.double(x), file.path(dir, paste0("draws_", k, ".bin")))
  d <- as_draws_array(x)
  s <- suppressWarnings(summarise_draws(d, mean, median, sd, mad,
    ~quantile2(.x, probs = probs), rhat, ess_bulk, ess_tail, mcse_mean, mcse_sd))
  m <- as.matrix(s[, -1])
  writeBin(as.double(t(m)), file.path(dir, paste0("summary_", k, ".bin")))
  writeLines(c(paste(C, D), paste(names(vars), collapse = " "), paste(colnames(m), collapse = " ")),
    file.path(dir, paste0("meta_", k, ".txt")))
}
`;

function compareConfig(dir: string, k: number, probs?: number[]) {
  const [dims, names, cols] = readFileSync(join(dir, `meta_${k}.txt`), "utf8").trim().split("\n");
  const [C, D] = dims.split(" ").map(Number);
  const varNames = names.split(" ");
  const columns = cols.split(" ");
  const draws = readDoubles(join(dir, `draws_${k}.bin`));
  const ref = readDoubles(join(dir, `summary_${k}.bin`));
  const posterior: Record<string, { dims: string[]; data: Float64Array }> = {};
  varNames.forEach((v, i) => {
    // Views into one buffer, like variables on the worker's shared memory.
    posterior[v] = { dims: ["chain", "draw"], data: draws.subarray(i * C * D, (i + 1) * C * D) };
  });
  const idata = InferenceData.fromObject({ posterior }, { chains: C, draws: D });
  const rows = summarizeDraws(idata, probs ? { probs } : {});
  assert.equal(rows.length, varNames.length);
  const bad: string[] = [];
  rows.forEach((row, i) => {
    assert.equal(row.variable, varNames[i]);
    assert.deepEqual(Object.keys(row), ["variable", ...columns]);
    columns.forEach((col, j) => {
      const mine = (row as unknown as Record<string, number>)[col];
      const theirs = ref[i * columns.length + j];
      if (!close(mine, theirs)) {
        bad.push(`${C}x${D} ${row.variable}.${col}: ts ${mine} r ${theirs}`);
      }
    });
  });
  assert.deepEqual(bad, [], bad.join("\n"));
}

describe("summarizeDraws() against posterior::summarise_draws()", () => {
  const tmp = tempDir("brmsts-summ-");
  const tmpProbs = tempDir("brmsts-summ-probs-");
  const generate = once(() => rscript(R_GENERATE(tmp.path, [0.05, 0.95])));
  const generateProbs = once(() =>
    rscript(R_GENERATE(tmpProbs.path, [0.025, 0.25, 0.5, 0.75, 0.975, 1 / 3]))
  );
  after(() => {
    tmp.cleanup();
    tmpProbs.cleanup();
  });

  CONFIGS.forEach(([c, d], i) => {
    it(`agrees to 1e-8 on every figure for ${c} chains of ${d} draws`, SLOW, () => {
      generate();
      compareConfig(tmp.path, i + 1);
    });
  });

  it("agrees with custom quantile probabilities and names them like quantile2()", SLOW, () => {
    generateProbs();
    const probs = [0.025, 0.25, 0.5, 0.75, 0.975, 1 / 3];
    for (let k = 1; k <= 3; k++) compareConfig(tmpProbs.path, k, probs);
  });
});

describe("summarizeDraws() options", () => {
  const data = Float64Array.from({ length: 2 * 3 * 10 }, (_, i) => Math.sin(i * 1.7));
  const idata = InferenceData.fromObject({
    posterior: {
      theta: { dims: ["chain", "draw", "k"], data, shape: [2, 10, 3] },
      mu: { dims: ["chain", "draw"], data: data.subarray(0, 20) },
    },
  });

  it("names array elements like posterior, first index fastest", () => {
    const rows = summarizeDraws(idata);
    assert.deepEqual(rows.map((r) => r.variable), ["theta[1]", "theta[2]", "theta[3]", "mu"]);
  });

  it("selects whole variables or single elements by name", () => {
    assert.deepEqual(
      summarizeDraws(idata, { varNames: ["mu", "theta[2]"] }).map((r) => r.variable),
      [
        "theta[2]",
        "mu",
      ],
    );
  });

  it("rejects unknown variable names", () => {
    assert.throws(() => summarizeDraws(idata, { varNames: ["nope"] }), /unknown variables: nope/);
  });
});
