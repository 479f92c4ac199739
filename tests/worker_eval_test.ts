import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { isNA } from "../data/mod.ts";
import {
  callR,
  callRResult,
  defaultWorker,
  evalR,
  evalRResult,
  named,
  rCode,
  RError,
  RParseError,
  RWorker,
  shutdown,
} from "../worker/mod.ts";

describe("evaluating R in the worker", () => {
  before(() => defaultWorker().setConsoleOutput("silent"));
  after(() => shutdown());

  it("round-trips arithmetic", async () => {
    assert.equal(await evalR("1 + 1"), 2);
    assert.equal(await evalR("6 * 7L"), 42);
    const v = await evalR("c(1.5, -2, 3e10)");
    assert.ok(v instanceof Float64Array);
    assert.deepEqual(Array.from(v), [1.5, -2, 3e10]);
    assert.equal(await evalR("sqrt(2)"), Math.SQRT2);
  });

  it("converts strings, booleans, NA and NULL", async () => {
    assert.equal(await evalR('"héllo wörld ✓"'), "héllo wörld ✓");
    assert.deepEqual(await evalR("c(TRUE, NA, FALSE)"), [true, null, false]);
    assert.equal(await evalR("NULL"), null);
    const special = await evalR("c(1, NA, NaN, Inf, -Inf)") as Float64Array;
    assert.deepEqual(Array.from(special, (x, i) => isNA(special, i) ? "NA" : x), [
      1,
      "NA",
      NaN,
      Infinity,
      -Infinity,
    ]);
    assert.ok(Object.is(await evalR("-0"), -0));
  });

  it("turns named lists into objects and unnamed lists into arrays", async () => {
    assert.deepEqual(await evalR("list(a = 1, b = list(c = 'x', d = TRUE))"), {
      a: 1,
      b: { c: "x", d: true },
    });
    assert.deepEqual(await evalR("list(1, 'a')"), [1, "a"]);
  });

  it("sends JS values to R and computes on them", async () => {
    assert.equal(await callR("sum", [[1, 2, 3.5]]), 6.5);
    assert.equal(await callR("base::paste", ["a", "b", named({ sep: "-" })]), "a-b");
    assert.equal(await callR("nchar", ["naïve"]), 5);
    assert.deepEqual(await callR("rev", [[true, false, null]]), [null, false, true]);
    assert.equal(await callR("length", [{ x: 1, y: [1, 2] }]), 2);
    assert.equal(await callR("stats::median", { x: [5, 1, 3] }), 3);
  });

  it("evaluates rCode arguments inside the worker", async () => {
    assert.equal(await callR("nrow", [rCode("datasets::mtcars")]), 32);
  });

  it("raises RError with R's message, call and traceback, and keeps working", async () => {
    await evalR("f <- function(x) g(x); g <- function(x) stop('boom: ', x)");
    const err = await evalR("f(3)").catch((e) => e);
    assert.ok(err instanceof RError);
    assert.equal(err.message, "boom: 3");
    assert.equal(err.rCall, "g(x)");
    assert.deepEqual(err.rTraceback, ["f(3)", "g(x)", 'stop("boom: ", x)']);
    assert.equal(await evalR("2 + 2"), 4);
  });

  it("traps errors, warnings and messages the same before and after the worker compiles its trap", async () => {
    // A fresh worker runs its first calls with the interpreted trap and byte-compiles it once
    // it has been idle for 50 ms.
    const w = new RWorker();
    w.setConsoleOutput("silent");
    try {
      const probe = async () => {
        const err = await w.eval("h <- function() stop('late boom'); h()").catch((e) => e);
        assert.ok(err instanceof RError);
        assert.equal(err.message, "late boom");
        assert.deepEqual(err.rTraceback, ["h()", 'stop("late boom")']);
        const res = await w.evalResult("warning('w1'); message('m1'); 5");
        assert.deepEqual(res, { value: 5, warnings: ["w1"], messages: ["m1"] });
        assert.equal(await w.eval("6"), 6); // no state left over from the calls before
        const clean = await w.evalResult("7");
        assert.deepEqual(clean, { value: 7, warnings: [], messages: [] });
      };
      await probe();
      await new Promise((r) => setTimeout(r, 400));
      await probe();
    } finally {
      await w.shutdown();
    }
  });

  it("refuses R source with a NUL character without harming the worker", async () => {
    const pid = (await defaultWorker().status()).pid;
    await assert.rejects(evalR("'a\0b'"), (e: Error) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, /NUL/);
      return true;
    });
    assert.equal(await evalR("1 + 2"), 3);
    assert.equal((await defaultWorker().status()).pid, pid);
  });

  it("reports errors of called functions with the call", async () => {
    const err = await callR("base::log", [-1, named({ base: "a" })]).catch((e) => e);
    assert.ok(err instanceof RError);
    assert.match(err.message, /non-numeric argument/);
  });

  it("raises RParseError for syntax errors", async () => {
    const err = await evalR("1 +* 2").catch((e) => e);
    assert.ok(err instanceof RParseError);
    assert.match(err.message, /unexpected/);
    assert.equal(await evalR("1"), 1);
  });

  it("returns warnings and messages with the result", async () => {
    const res = await evalRResult('warning("careful"); message("note"); 7');
    assert.equal(res.value, 7);
    assert.deepEqual(res.warnings, ["careful"]);
    assert.deepEqual(res.messages, ["note"]);
    const r2 = await callRResult("as.integer", ["x"]);
    assert.equal(r2.value, null);
    assert.deepEqual(r2.warnings, ["NAs introduced by coercion"]);
  });

  it("keeps warnings raised before an error", async () => {
    const err = await evalR('warning("first"); stop("second")').catch((e) => e);
    assert.ok(err instanceof RError);
    assert.deepEqual(err.warnings, ["first"]);
  });

  it("turns infinite recursion into an RError instead of a crash", async () => {
    const pid = await evalR("Sys.getpid()");
    const err = await evalR("f <- function(n) f(n + 1); f(1)").catch((e) => e);
    assert.ok(err instanceof RError, String(err));
    assert.match(err.message, /nested too deeply|stack/i);
    assert.equal(await evalR("Sys.getpid()"), pid);
  });

  it("resolves 100 concurrent calls each with its own value", async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => callR("identity", [i * 3 + 0.5])),
    );
    assert.deepEqual(results, Array.from({ length: 100 }, (_, i) => i * 3 + 0.5));
  });

  it("refuses bad input before anything reaches R", async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await assert.rejects(callR("identity", [cyclic]), TypeError);
    await assert.rejects(callR("identity", [() => 1]), TypeError);
    await assert.rejects(callR("identity", ["a\0b"]), TypeError);
    await assert.rejects(callR("not a name!", []), TypeError);
    assert.equal(await evalR("3"), 3);
  });

  it("loads brms in the worker", async () => {
    await evalR("suppressPackageStartupMessages(library(brms))");
    assert.equal(await evalR('as.character(packageVersion("brms"))'), "2.18.0");
    assert.equal(await evalR('"package:brms" %in% search()'), true);
  });
});
