/**
 * Files and the generic call: an RDS round trip into a fresh worker with equal predictions,
 * raw RDS objects, `callR()` with positional/named arguments and handles, handles of a dead
 * worker.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GAUSSIAN_PRIORS, groupData } from "./brm_shared.ts";
import {
  callR,
  defaultWorker,
  named,
  RAbortError,
  RError,
  RHandleError,
  RObject,
  RWorker,
  shutdown,
} from "../worker/mod.ts";
import type { NdArray } from "../data/mod.ts";
import { brm, type FitResult } from "../brms/mod.ts";
import {
  logLik,
  posteriorEpred,
  posteriorPredict,
  posteriorSummary,
  readRdsFit,
  readRdsRaw,
  saveRds,
  summary,
} from "../brms/postfit/mod.ts";

const DATA = groupData(45, 11);

function sameBits(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${what}[${i}]: ${got[i]} != ${want[i]}`);
  }
}

describe("files and callR()", () => {
  let fit: FitResult;
  let dir: string;
  let fresh: RWorker;

  before(async () => {
    defaultWorker().setConsoleOutput("silent");
    dir = mkdtempSync(join(tmpdir(), "brmsts-postfit-io-"));
    fresh = new RWorker();
    fresh.setConsoleOutput("silent");
    fit = await brm({
      formula: "y ~ g",
      data: DATA,
      priors: GAUSSIAN_PRIORS,
      chains: 2,
      iter: 300,
      seed: 1,
      progress: false,
    });
  });

  after(async () => {
    await fresh.shutdown();
    await shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("RDS round trip: a fit read in a fresh worker predicts the same", async () => {
    const path = join(dir, "fit.rds");
    await saveRds(fit, path);
    assert.ok(statSync(path).size > 1000);
    const again = await readRdsFit(path, { worker: fresh, seed: 3 });
    assert.ok(again.r instanceof RObject && again.r.inherits("brmsfit"));
    assert.equal(again.compiled, false);
    assert.notEqual((await fresh.status()).pid, (await defaultWorker().status()).pid);
    assert.deepEqual(again.idata.groups(), fit.idata.groups());
    for (const v of ["b_Intercept", "b_gb", "b_gc", "sigma", "lp__"]) {
      sameBits(again.idata.get("posterior", v).data, fit.idata.get("posterior", v).data, v);
    }
    sameBits(
      again.idata.get("log_likelihood", "y").data,
      fit.idata.get("log_likelihood", "y").data,
      "idata log_likelihood",
    );
    const nd = { g: ["c", "b", "a"] };
    const here = await posteriorEpred(fit, { newdata: nd });
    const there = await posteriorEpred(again, { newdata: nd, worker: fresh });
    sameBits(
      there.idata.get("predictions", "y_mean").data,
      here.idata.get("predictions", "y_mean").data,
      "epred",
    );
    const p1 = await posteriorPredict(fit, { newdata: nd, seed: 11 });
    const p2 = await posteriorPredict(again, { newdata: nd, seed: 11, worker: fresh });
    sameBits(
      p2.idata.get("predictions", "y").data,
      p1.idata.get("predictions", "y").data,
      "predict",
    );
    const l1 = await logLik(fit), l2 = await logLik(again, { worker: fresh });
    sameBits(
      l2.idata.get("log_likelihood", "y").data,
      l1.idata.get("log_likelihood", "y").data,
      "ll",
    );
    const s1 = await summary(fit), s2 = await summary(again, { worker: fresh });
    assert.equal(String(s2), String(s1));
  });

  it("readRdsRaw gives a handle on any saved object; readRdsFit rejects non-fits", async () => {
    const path = join(dir, "obj.rds");
    await saveRds({ a: [1, 2, 3], b: "x" }, path, { compress: "xz" });
    const obj = await readRdsRaw(path);
    assert.ok(obj instanceof RObject);
    assert.deepEqual([...await callR("base::getElement", [obj, "a"]) as Float64Array], [1, 2, 3]);
    assert.equal(await callR("base::getElement", [obj, "b"]), "x");
    const h = await callR("base::identity", [obj], { convert: "handle" });
    assert.ok(h instanceof RObject);
    await assert.rejects(readRdsFit(path), (e) => {
      assert.ok(e instanceof RError);
      assert.match(e.message, /does not hold a brmsfit but an object of class 'list'/);
      return true;
    });
    await assert.rejects(readRdsRaw(join(dir, "missing.rds")), /no such file: '.*missing\.rds'/);
    const raw = await readRdsRaw(join(dir, "fit.rds"));
    assert.deepEqual(raw.classes, ["brmsfit"]);
  });

  it("callR(): any brms or R function, positional and named arguments, fits as handles", async () => {
    assert.equal(await callR("brms::ndraws", [fit]), 300);
    assert.equal(await callR("brms::nchains", [fit.r]), 2);
    assert.equal(await callR("stats::median", [[1, 5, 3]]), 3);
    assert.equal(await callR("base::paste", ["a", "b", named({ sep: "-" })]), "a-b");
    const ps = await callR(
      "brms::posterior_summary",
      [fit, named({ variable: ["sigma"] })],
    ) as NdArray;
    const mine = await posteriorSummary(fit, { variable: ["sigma"] });
    assert.deepEqual(ps.dimnames?.[1], mine.names);
    sameBits(
      ps.data as Float64Array,
      mine.names.map((c) => (mine.column(c) as Float64Array)[0]),
      "ps",
    );
    const h = await callR("brms::hypothesis", [fit, "gb > 90", named({ alpha: 0.1 })]);
    assert.ok(h instanceof RObject && h.inherits("brmshypothesis"));
    const r2 = await callR("brms::bayes_R2", [fit]) as NdArray;
    assert.deepEqual(r2.shape, [1, 4]);
    assert.ok((r2.data as Float64Array)[0] > 0.99);
    await assert.rejects(callR("not a function"), TypeError);
    await assert.rejects(callR("brms::no_such_function", [fit]), RError);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      callR("brms::ndraws", [fit], { signal: ac.signal }),
      RAbortError,
    );
  });

  it("a handle from a dead worker says so", async () => {
    const w = new RWorker();
    w.setConsoleOutput("silent");
    const dead = await readRdsFit(join(dir, "fit.rds"), { worker: w, idataGroups: ["posterior"] });
    assert.equal(dead.idata.groups().join(), "posterior");
    await w.shutdown();
    for (
      const attempt of [
        () => posteriorEpred(dead, { worker: w }),
        () => summary(dead.r),
        () => callR("brms::ndraws", [dead]),
        () => saveRds(dead, join(dir, "x.rds")),
      ]
    ) {
      await assert.rejects(attempt(), (e) => {
        assert.ok(e instanceof RHandleError, String(e));
        assert.match(e.message, /belonged to an R worker that has since exited/);
        return true;
      });
    }
  });
});
