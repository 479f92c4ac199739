/**
 * Jobs are data, not code (issue 27): checkFormula/checkPrior unit cases, and hostile jobs sent
 * to a real worker on a real nats-server. For each probe (R code in a custom family's helper;
 * system(), file.remove(), Sys.setenv(), eval(parse()) in a formula term; a prior that tries
 * to leave its quotes; rCode() values in options): the job fails at once with kind "policy"
 * naming the function or option, is not retried, the file the probe would create does not
 * appear (the one it would delete is still there), and the worker serves the next job. A
 * control shows the formula probe is live: local brm() without the policy runs its system().
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GAUSSIAN_PRIORS, smallJob } from "./brm_shared.ts";
import { type NatsServer, startNats } from "./nats_shared.ts";
import { brm, makeStancode } from "../brms/mod.ts";
import { defaultWorker, rCode, shutdown } from "../worker/mod.ts";
import {
  bf,
  checkFormula,
  checkFormulaValue,
  checkPrior,
  customFamily,
  FormulaPolicyError,
  lf,
} from "../formula/mod.ts";
import {
  type Cluster,
  ClusterJobError,
  type ClusterWorker,
  connectCluster,
  startWorker,
} from "../cluster/mod.ts";
import { checkJobOptions } from "../cluster/_policy.ts";
import { JobPolicyError } from "../cluster/errors.ts";

const COLS = { columns: ["y", "x", "z", "g", "n", "time", "w"] };

describe("checkFormula", () => {
  it("allows arithmetic, math, conversions, brms terms and addition terms", () => {
    for (
      const f of [
        "y ~ x",
        "y ~ log(x) + sqrt(abs(z)) + exp(-x) + I(x^2) + x:z + x * z",
        'y ~ s(z, k = 5, bs = "cr") + t2(x, z) + gp(x, k = 10) + (1 | p | g) + (x || g)',
        "y ~ poly(x, 2, raw = TRUE) + scale(z) + factor(g) + as.numeric(x > 1)",
        'y ~ factor(g, levels = c("a", "b")) + mo(n) + me(x, z) + cs(x) + offset(log(n))',
        "y ~ x + ar(time, gr = g, p = 1) + (1 | gr(g, by = x)) + (1 | mm(g, x))",
        "y | trials(n) ~ x",
        "y | se(z, sigma = TRUE) + weights(w) ~ 0 + Intercept + x",
        "y | cens(w) + trunc(lb = 0) ~ x",
        "y ~ .",
        "y ~ `x`",
        "y ~ x # a comment",
        "mvbind(y, z) ~ x",
      ]
    ) assert.equal(checkFormula(f, COLS), f);
    // non-linear and distributional parameters named on the left of their formulas
    checkFormulaValue(bf("y ~ a * exp(b * x)", "a ~ 1 + (1 | g)", "b ~ 1", { nl: true }), COLS);
    checkFormulaValue(bf("y ~ x").add(lf("sigma ~ x")), COLS);
  });

  it("refuses other functions, namespaces, $, @, indexing, strings, keywords, unknown names", () => {
    const refused: [string, string][] = [
      ['y ~ I(system("touch /tmp/x"))', "system"],
      ['y ~ I(nchar(system("id")))', "nchar"],
      ['y ~ file.remove("a")', "file.remove"],
      ['y ~ I(Sys.setenv(A = "b"))', "Sys.setenv"],
      ['y ~ I(eval(parse(text = "1")))', "eval"],
      ['y ~ do.call("system", list("id"))', "do.call"],
      ["y ~ base::log(x)", "::"],
      ["y ~ base:::log(x)", ":::"],
      ["y ~ x$y", "$"],
      ["y ~ x@y", "@"],
      ["y ~ x[1]", "["],
      ['y ~ `system`("id")', "system"],
      ["y ~ `weird name`", "weird name"],
      ["y ~ notAColumn", "notAColumn"],
      ['y ~ x + "a"', '"a"'],
      ["y ~ (function(a) a)(x)", "function"],
      ["y ~ I(x)(1)", "("],
      ["y ~ x %o% z", "%o%"],
      ["y ~ (x = 2)", "="],
      ["y ~ x |> log()", "|>"],
    ];
    for (const [f, offender] of refused) {
      assert.throws(() => checkFormula(f, COLS), (e: unknown) => {
        assert.ok(e instanceof FormulaPolicyError, `${f}: ${e}`);
        assert.equal(e.offender, offender, f);
        assert.equal(e.code, "FORMULA_POLICY");
        return true;
      });
    }
    // without columns, names are not checked but calls still are
    assert.equal(checkFormula("y ~ anything"), "y ~ anything");
    assert.throws(() => checkFormula("y ~ anything(x)"), FormulaPolicyError);
    // extending the allow-list
    assert.equal(checkFormula("y ~ mySafe(x)", { allow: ["mySafe"] }), "y ~ mySafe(x)");
  });

  it("checks priors: Stan distributions, numbers and arithmetic only", () => {
    for (const p of ["normal(0, 1)", "", "student_t(3, 0, 2.5)", "horseshoe(df = 3)", "lkj(2)"]) {
      assert.equal(checkPrior(p), p);
    }
    for (
      const p of [
        'normal(0, 1)"); system("touch /tmp/x"); ("',
        'horseshoe(system("id"))',
        "horseshoe(scale_global = system(1))",
        "normal(0, 1); x",
        "normal(x[1], 1)",
        "normal(0, base::pi)",
      ]
    ) assert.throws(() => checkPrior(p), FormulaPolicyError, p);
  });

  it("allow-lists job options", () => {
    checkJobOptions({ formula: "y ~ g", priors: GAUSSIAN_PRIORS, chains: 1, iter: 200, seed: 1 });
    const refused: [Record<string, unknown>, string][] = [
      [{ formula: "y ~ g", file: "/tmp/fit" }, "file"],
      [{ formula: "y ~ g", stanvars: { kind: "stanvars", vars: [] } }, "stanvars"],
      [{ formula: "y ~ g", data2: { a: 1 } }, "data2"],
      [{ formula: "y ~ g", cacheDir: "/tmp" }, "cacheDir"],
      [{ formula: "y ~ g", seed: { code: "system('id')" } }, "seed"],
      [{ formula: "y ~ g", init: [{ code: "x" }] }, "init"],
      [{ formula: "y ~ g", backend: "cmdstanr" }, "backend"],
      [{ formula: { code: "y ~ g" } }, "formula"],
    ];
    for (const [o, offender] of refused) {
      assert.throws(() => checkJobOptions(o), (e: unknown) => {
        assert.ok(e instanceof JobPolicyError, String(e));
        assert.equal(e.offender, offender);
        return true;
      });
    }
  });
});

describe("a worker refuses hostile jobs", () => {
  let nats: NatsServer;
  let cluster: Cluster;
  let worker: ClusterWorker;
  let dir: string;
  const logs: Record<string, unknown>[] = [];
  const good = smallJob;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "brmsts-policy-"));
    nats = await startNats();
    worker = await startWorker({
      servers: nats.url,
      ackWaitMs: 20_000,
      shareModels: false,
      onLog: (e) => logs.push(e),
    });
    cluster = await connectCluster({ servers: nats.url });
    await worker.ready;
  });
  after(async () => {
    await cluster?.close();
    await worker?.stop();
    await shutdown();
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const refusedAsPolicy = async (opts: Record<string, unknown>, offender: RegExp) => {
    const h = await cluster.submit({ ...good(1), ...opts } as never);
    await assert.rejects(h.result(), (e: unknown) => {
      assert.ok(e instanceof ClusterJobError, String(e));
      assert.equal(e.kind, "policy");
      assert.equal(e.errorName, "JobPolicyError");
      assert.equal(e.attempts, 1);
      assert.match(e.message, offender);
      return true;
    });
  };

  it("refuses R code in a custom family's helper", async () => {
    const mark = join(dir, "family");
    const fam = customFamily("evil", {
      dpars: ["mu"],
      links: ["identity"],
      logLik: `{ system("touch ${mark}"); function(i, prep) 0 }`,
    });
    await refusedAsPolicy({ family: fam }, /customfamily/);
    assert.equal(existsSync(mark), false);
  });

  it("refuses system(), file.remove(), Sys.setenv(), eval(parse()) in formula terms", async () => {
    const victim = join(dir, "victim");
    writeFileSync(victim, "keep");
    const probes: [string, RegExp][] = [
      [`y ~ g + I(nchar(system("touch ${join(dir, "system")}")))`, /'nchar'/],
      [`y ~ g + I(system("touch ${join(dir, "system2")}"))`, /'system'/],
      [`y ~ g + I(file.remove("${victim}"))`, /'file.remove'/],
      [`y ~ g + I(Sys.setenv(BRMSTS_PWNED = "1"))`, /'Sys.setenv'/],
      [`y ~ g + I(eval(parse(text = "system('touch ${join(dir, "eval")}')")))`, /'eval'/],
    ];
    for (const [formula, offender] of probes) await refusedAsPolicy({ formula }, offender);
    await refusedAsPolicy(
      { formula: bf("y ~ g", `sigma ~ I(system("touch ${dir}/bf"))`) },
      /system/,
    );
    for (const f of ["system", "system2", "eval", "bf"]) {
      assert.equal(existsSync(join(dir, f)), false);
    }
    assert.equal(existsSync(victim), true);
  });

  it("refuses a prior that tries to leave its quotes", async () => {
    const mark = join(dir, "prior");
    const prior = `normal(0, 1)"); system("touch ${mark}"); ("`;
    await refusedAsPolicy({ priors: [{ prior, class: "b" }] }, /string/);
    assert.equal(existsSync(mark), false);
  });

  it("refuses rCode() values in any option", async () => {
    const mark = join(dir, "rcode");
    const code = rCode(`system("touch ${mark}")`);
    await refusedAsPolicy({ seed: code }, /'seed'/);
    await refusedAsPolicy({ control: { adaptDelta: code } }, /control/);
    await refusedAsPolicy({ init: [code] }, /'init'/);
    await refusedAsPolicy({ formula: code }, /'formula'/);
    await refusedAsPolicy({ stanvars: code }, /'stanvars'/);
    assert.equal(existsSync(mark), false);
  });

  it("is alive afterwards and serves the next job", async () => {
    const res = await (await cluster.submit(good(2))).result();
    assert.equal(res.draws.numRows, 100);
    assert.ok(logs.every((e) => e.event !== "slot-error"), JSON.stringify(logs));
  });

  it("control: without the policy, local brm() runs the formula's system() (the probe is live)", async () => {
    const mark = join(dir, "control");
    const formula = `y ~ g + I(nchar(system("touch ${mark}")))`;
    defaultWorker().setConsoleOutput("silent");
    await assert.rejects(
      brm({ ...good(3, { formula }), formulaPolicy: true, progress: false }),
      FormulaPolicyError,
    );
    assert.equal(existsSync(mark), false, "the opt-in policy refuses it before R");
    // makeStancode builds the model frame as brm() does (without compiling a model).
    const { data, priors } = good(3);
    await makeStancode({ formula, data, priors }).catch(() => {});
    assert.equal(existsSync(mark), true, "R's semantics: the term ran system()");
  });
});
