/**
 * Progress parsing of brm() without R: rstan's lines, chunks that split lines, streams that
 * interleave, phases; and the mapping of brm()'s options to brms's arguments.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseProgressLine, type ProgressEvent } from "../brms/mod.ts";
import { ProgressTracker } from "../brms/fit/progress.ts";
import { brmArgs } from "../brms/fit/options.ts";
import { RCode, rCode } from "../worker/mod.ts";
import { DataFrame } from "../data/mod.ts";
import { prior } from "../formula/mod.ts";

describe("brm() progress", () => {
  it("parses rstan's iteration and elapsed-time lines", () => {
    assert.deepEqual(parseProgressLine("Chain 1: Iteration:  200 / 1000 [ 20%]  (Warmup)"), {
      chain: 1,
      iteration: 200,
      iterations: 1000,
      percent: 20,
      stage: "warmup",
    });
    assert.deepEqual(parseProgressLine("Chain 12: Iteration: 1001 / 2000 [ 50%]  (Sampling)"), {
      chain: 12,
      iteration: 1001,
      iterations: 2000,
      percent: 50,
      stage: "sampling",
    });
    assert.equal(parseProgressLine("Chain 3:                0.09 seconds (Total)")?.stage, "done");
    assert.equal(parseProgressLine("Chain 1: Gradient evaluation took 1e-05 seconds"), null);
    assert.equal(parseProgressLine("SAMPLING FOR MODEL 'x' NOW (CHAIN 1)."), null);
  });

  it("buffers split chunks per stream and tracks every chain", () => {
    const events: ProgressEvent[] = [];
    const t = new ProgressTracker({ chains: 2, bar: false, onProgress: (e) => events.push(e) });
    t.phase("sample");
    t.feed("raw", "Chain ");
    t.feed("stdout", "Chain 1: Iteration:   1 / 10 [ 10%]  (Warmup)\nChain 1: Iter");
    t.feed("raw", "2: Iteration:   5 / 10 [ 50%]  (Sampling)\n");
    t.feed("stdout", "ation:  10 / 10 [100%]  (Sampling)\n");
    t.feed("raw", "Chain 2:                0.1 seconds (Total)\n");
    t.finish();
    const s = events.filter((e) => e.kind === "sampling");
    assert.deepEqual(
      s.map((e) => e.kind === "sampling" && [e.chain, e.iteration, e.stage, e.overallPercent]),
      [
        [1, 1, "warmup", 5],
        [2, 5, "sampling", 30],
        [1, 10, "sampling", 75],
        [2, 10, "done", 100],
      ],
    );
    assert.ok(t.log.includes("Chain 1: Iteration:  10 / 10 [100%]  (Sampling)"));
  });

  it("reports phases with elapsed times", () => {
    const events: ProgressEvent[] = [];
    const t = new ProgressTracker({ chains: 1, bar: false, onProgress: (e) => events.push(e) });
    t.phase("prepare");
    t.phase("compile");
    t.phase("sample");
    t.finish();
    const p = events.filter((e) => e.kind === "phase");
    assert.deepEqual(p.map((e) => e.kind === "phase" && e.phase), ["prepare", "compile", "sample"]);
    assert.ok(p.every((e) => e.kind === "phase" && e.elapsedMs >= 0 && e.phaseMs >= 0));
  });
});

describe("brm() arguments", () => {
  it("maps camelCase options to brms's names and passes others through", () => {
    const args = brmArgs({
      formula: "count ~ Trt",
      data: rCode("brms::epilepsy"),
      family: "poisson",
      priors: [{ prior: "normal(0, 1)", class: "b" }, prior("exponential(1)", "sd")],
      samplePrior: "yes",
      savePars: { all: true },
      control: { adaptDelta: 0.95, max_treedepth: 12 },
      threads: 2,
      chains: 2,
      refresh: 0,
      max_treedepth_extra: 1,
      stanModelArgs: { verbose: false },
      returnIdata: false,
      onProgress: () => {},
    });
    assert.deepEqual(Object.keys(args), [
      "formula",
      "data",
      "family",
      "prior",
      "sample_prior",
      "save_pars",
      "control",
      "threads",
      "chains",
      "refresh",
      "max_treedepth_extra",
      "stan_model_args",
    ]);
    assert.equal(String(args.formula), "brms::bf(count ~ Trt)");
    assert.equal(
      String(args.prior),
      'brms::set_prior("normal(0, 1)", class = "b") + brms::set_prior("exponential(1)", class = "sd")',
    );
    assert.equal(String(args.save_pars), "brms::save_pars(all = TRUE)");
    assert.equal(String(args.threads), "brms::threading(2)");
    assert.deepEqual(args.control, { adapt_delta: 0.95, max_treedepth: 12 });
    assert.ok(args.family instanceof RCode);
  });

  it("turns JS data into a DataFrame and keeps R data as is", () => {
    const r = rCode("brms::kidney");
    assert.equal(brmArgs({ formula: "y ~ 1", data: r }).data, r);
    const d = brmArgs({ formula: "y ~ 1", data: [{ y: 1 }, { y: 2 }] }).data;
    assert.ok(d instanceof DataFrame && d.nrow === 2);
    assert.throws(() => brmArgs({ formula: "y ~ 1" }), /'data' is required/);
    assert.throws(
      () => brmArgs({ formula: "y ~ 1", data: {}, priors: [], prior: [] }),
      /not both/,
    );
  });
});
