/**
 * A prior string Stan cannot parse (`prior("normal(0, ", "b")`) is a SpecError naming the prior,
 * from Stan's parser (rstan::stanc) before any compile; valid priors still fit (cached model).
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { GAUSSIAN_PRIORS, groupData } from "./brm_shared.ts";
import { defaultWorker, shutdown } from "../worker/mod.ts";
import { prior, SpecError } from "../formula/mod.ts";
import { brm } from "../brms/mod.ts";

const DATA = groupData(30, 5);

describe("prior strings checked by Stan's parser before compiling", () => {
  after(() => shutdown());

  it("rejects a malformed prior with a SpecError naming it, before any compile", async () => {
    defaultWorker().setConsoleOutput("silent");
    await assert.rejects(
      brm({
        formula: "y ~ g",
        data: DATA,
        priors: [prior("normal(0, ", "b"), prior("exponential(1)", "sigma")],
        chains: 1,
        iter: 100,
        cache: false,
      }),
      (e: unknown) =>
        e instanceof SpecError &&
        e.message.startsWith('prior "normal(0, " (class "b") is not valid Stan') &&
        e.message.includes("normal_lpdf(b | 0, )") && !e.message.includes("exponential(1)"),
    );
  });

  it("still fits with valid priors", async () => {
    const fit = await brm({
      formula: "y ~ g",
      data: DATA,
      priors: GAUSSIAN_PRIORS,
      chains: 1,
      iter: 100,
      seed: 1,
      refresh: 0,
    });
    assert.equal(fit.idata.get("posterior", "b_Intercept").shape[1], 50);
  });
});
