import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { callR, defaultWorker, evalR, shutdown } from "../worker/mod.ts";
import {
  asInteger,
  Categorical,
  DataFrame,
  doubles,
  isNA,
  NA_INTEGER,
  NdArray,
  setNA,
} from "../data/mod.ts";
import { bytesOf } from "./_codec_util.ts";

/** R's NA_real_, NaN, ±Inf, -0 and ordinary values, as exact bits. */
function specials(): Float64Array {
  const x = new Float64Array([1.5, NaN, 0, Infinity, -Infinity, -0, 5e-324, -1e308]);
  setNA(x, 2);
  return x;
}

describe("codec: type mapping", () => {
  before(() => defaultWorker().setConsoleOutput("silent"));
  after(() => shutdown());

  it("keeps NA_real_, NaN, ±Inf and -0 distinct and bit-exact both ways", async () => {
    const x = specials();
    const back = await callR("identity", [x]) as Float64Array;
    assert.ok(back instanceof Float64Array);
    assert.deepEqual(bytesOf(back), bytesOf(x));
    assert.deepEqual(await callR("is.na", [x]), [
      false,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
    assert.deepEqual(await callR("is.nan", [x]), [
      false,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    assert.equal(
      await callR("identical", [x, await evalR("c(1.5, NaN, NA, Inf, -Inf, -0, 5e-324, -1e308)")]),
      true,
    );
    await evalR("inv6 <- function(x) 1 / x[6]");
    assert.equal(await callR("inv6", [x]), -Infinity);
    const fromR = await evalR("c(NA, NaN, -0, 1)") as Float64Array;
    assert.ok(isNA(fromR, 0) && !isNA(fromR, 1) && Number.isNaN(fromR[1]));
    assert.ok(Object.is(fromR[2], -0));
    // NA from R arithmetic keeps R's own bits too.
    const sum = await evalR("NA_real_ + 1") as number | null;
    assert.equal(sum, null);
  });

  it("maps integers to Int32Array (NA = -2147483648) and asInteger() to R integer", async () => {
    const x = new Int32Array([1, -5, NA_INTEGER, 2147483647]);
    const back = await callR("identity", [x]) as Int32Array;
    assert.ok(back instanceof Int32Array);
    assert.deepEqual(Array.from(back), Array.from(x));
    assert.deepEqual(await callR("is.na", [x]), [false, false, true, false]);
    assert.equal(await callR("typeof", [asInteger([1, 2, null])]), "integer");
    assert.equal(await callR("typeof", [[1, 2, 3]]), "double");
    assert.equal(await callR("typeof", [new Int16Array([1, 2])]), "integer");
    assert.throws(() => asInteger([1.5]), RangeError);
    assert.throws(() => asInteger([2 ** 31]), RangeError);
    const big = new Int32Array(1_000_003).map((_, i) => i % 1000 - 500);
    let expected = 0;
    for (const v of big) expected += v;
    assert.equal(await callR("sum", [big]), expected);
  });

  it("maps logicals to boolean | null", async () => {
    assert.deepEqual(await callR("identity", [[true, null, false]]), [true, null, false]);
    assert.deepEqual(await evalR("c(TRUE, NA)"), [true, null]);
    assert.equal(await evalR("NA"), null);
    assert.deepEqual(await callR("which", [[false, true, null, true]]), new Int32Array([2, 4]));
  });

  it("round-trips UTF-8 strings and refuses embedded NUL before sending", async () => {
    const s = ["", "plain", "naïve ✓", "日本語", "emoji 🎉", null, "a\u00a0b"];
    assert.deepEqual(await callR("identity", [s]), s);
    assert.deepEqual(await callR("nchar", [["naïve", "🎉"]]), new Int32Array([5, 1]));
    const many = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? null : `v${i % 300}é`));
    assert.deepEqual(await callR("identity", [many]), many);
    const unique = Array.from({ length: 3000 }, (_, i) => `u${i}✓`);
    assert.deepEqual(await callR("identity", [unique]), unique);
    await assert.rejects(callR("identity", [["a\0b"]]), /NUL/);
    assert.equal(await evalR("1 + 1"), 2); // still healthy
  });

  it("keeps a leading U+FEFF in strings both ways, short vectors and long ones", async () => {
    // A TextDecoder drops a leading BOM by default: each string must keep it as data.
    const short = ["\ufeff", "\ufeffa", "b\ufeff", null];
    assert.deepEqual(await callR("identity", [short]), short);
    assert.deepEqual(await callR("nchar", [short.slice(0, 3)]), new Int32Array([1, 2, 2]));
    const long = Array.from({ length: 600 }, (_, i) => (i % 5 ? `\ufeff${i}` : null));
    assert.deepEqual(await callR("identity", [long]), long);
    // R made the strings itself: the code point arrives.
    assert.deepEqual(
      await evalR('rep(c("\\ufeff", "\\ufeffx"), 300)'),
      Array.from({ length: 600 }, (_, i) => (i % 2 ? "\ufeffx" : "\ufeff")),
    );
    assert.equal(await evalR('"\\ufeffz"'), "\ufeffz");
  });

  it("maps factors to Categorical (unused levels, ordered, NA kept)", async () => {
    const f = await evalR("factor(c('b', NA, 'a'), levels = c('a', 'b', 'unused'))") as Categorical;
    assert.ok(f instanceof Categorical);
    assert.deepEqual(f.levels, ["a", "b", "unused"]);
    assert.deepEqual(Array.from(f.codes), [1, -1, 0]);
    assert.equal(f.ordered, false);
    const o = Categorical.from(["lo", "hi", null], { levels: ["lo", "mid", "hi"], ordered: true });
    assert.deepEqual(await callR("levels", [o]), ["lo", "mid", "hi"]);
    assert.equal(await callR("is.ordered", [o]), true);
    assert.deepEqual(await callR("as.integer", [o]), new Int32Array([1, 3, NA_INTEGER]));
    const back = await callR("identity", [o]) as Categorical;
    assert.deepEqual(back.values(), ["lo", "hi", null]);
    assert.equal(back.ordered, true);
    assert.deepEqual(back.levels, ["lo", "mid", "hi"]);
  });

  it("maps Date and POSIXct to JS Date", async () => {
    const d = await evalR("as.Date(c('2024-02-29', NA, '1969-12-31'))") as (Date | null)[];
    assert.deepEqual(d, [new Date("2024-02-29"), null, new Date("1969-12-31")]);
    const t = await evalR("as.POSIXct('2024-01-02 03:04:05.25', tz = 'UTC')") as Date;
    assert.equal(t.getTime(), Date.UTC(2024, 0, 2, 3, 4, 5, 250));
    assert.deepEqual(await callR("class", [new Date("2020-05-01")]), "Date");
    assert.deepEqual(await callR("class", [new Date(Date.UTC(2020, 4, 1, 12))]), [
      "POSIXct",
      "POSIXt",
    ]);
    assert.equal(await callR("format", [new Date("2020-05-01")]), "2020-05-01");
    const ms = [new Date(1234567890123), null];
    assert.deepEqual(await callR("identity", [ms]), ms);
  });

  it("maps NULL, named lists to objects and unnamed lists to arrays", async () => {
    assert.equal(await evalR("NULL"), null);
    assert.equal(await callR("is.null", [null]), true);
    assert.deepEqual(await evalR("list(a = 1, b = list(c = 'x'))"), { a: 1, b: { c: "x" } });
    assert.deepEqual(await evalR("list(1, 'a', NULL)"), [1, "a", null]);
    assert.deepEqual(await callR("names", [{ x: 1, "y z": "a" }]), ["x", "y z"]);
    assert.deepEqual(await evalR("c(a = 1, b = NA)"), { a: 1, b: null });
    assert.equal(await callR("length", [[]]), 0);
  });

  it("reads matrix(1:6, nrow = 2) as rows [1,3,5] and [2,4,6] (C order)", async () => {
    const m = await evalR("matrix(1:6, nrow = 2)") as NdArray<Int32Array>;
    assert.ok(m instanceof NdArray);
    assert.deepEqual(m.shape, [2, 3]);
    assert.equal(m.order, "C");
    assert.deepEqual(Array.from(m.row(0)), [1, 3, 5]);
    assert.deepEqual(Array.from(m.row(1)), [2, 4, 6]);
    const named = await evalR(
      "matrix(c(1.5, NA, 3, 4), 2, dimnames = list(c('r1', 'r2'), c('a', 'b')))",
    ) as NdArray<Float64Array>;
    assert.deepEqual(named.dimnames, [["r1", "r2"], ["a", "b"]]);
    assert.ok(isNA(named.data, named.offset(1, 0)));
    assert.equal(named.get(0, 1), 3);
  });

  it("transposes n-d arrays inside the copy, both directions", async () => {
    // a[i, j, k] = 100 i + 10 j + k (1-based in R).
    const a = await evalR(
      "a <- array(0, c(3, 4, 5)); for (i in 1:3) for (j in 1:4) for (k in 1:5) a[i, j, k] <- 100 * i + 10 * j + k; a",
    ) as NdArray<Float64Array>;
    assert.deepEqual(a.shape, [3, 4, 5]);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) {
        for (let k = 0; k < 5; k++) {
          assert.equal(a.get(i, j, k), 100 * (i + 1) + 10 * (j + 1) + k + 1);
        }
      }
    }
    assert.equal(await callR("identical", [a, await evalR("a")]), true);
    await evalR("row_of <- function(m, i) m[i, ]");
    const c = new NdArray(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    assert.deepEqual(await callR("row_of", [c, 2]), new Float64Array([4, 5, 6]));
    const f = new NdArray(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3], { order: "F" });
    assert.deepEqual(await callR("row_of", [f, 2]), new Float64Array([2, 4, 6]));
    const s = new NdArray(["a", "b", null, "d"], [2, 2]);
    assert.deepEqual(await callR("row_of", [s, 1]), ["a", "b"]);
    const sBig = new NdArray(Array.from({ length: 600 }, (_, i) => `s${i}`), [2, 300]);
    assert.deepEqual((await callR("row_of", [sBig, 2]) as string[]).slice(0, 3), [
      "s300",
      "s301",
      "s302",
    ]);
    const lg = new NdArray([true, false, null, true], [2, 2]);
    assert.deepEqual(await callR("row_of", [lg, 2]), [null, true]);
    const big = await evalR("matrix(as.numeric(1:600000), 600)") as NdArray<Float64Array>;
    assert.equal(big.get(599, 999), 600000);
    assert.equal(big.get(1, 2), 1 + 1 + 2 * 600);
    const rowSums = await evalR("rowSums(matrix(as.numeric(1:600000), 600))") as Float64Array;
    let s0 = 0;
    for (const v of big.row(0)) s0 += v;
    assert.equal(s0, rowSums[0]);
  });

  it("computes in R on sent data and in JS on received data (known answers)", async () => {
    const n = 200_000;
    const df = new DataFrame({
      a: new Float64Array(n).map((_, i) => i), // mean (n - 1) / 2
      b: new Float64Array(n).fill(2.5),
      c: new Int32Array(n).map((_, i) => (i % 2 ? 1 : -1)), // mean 0
    });
    const cm = await callR("colMeans", [df]) as Record<string, number>;
    assert.deepEqual(cm, { a: (n - 1) / 2, b: 2.5, c: 0 });
    const x = await evalR("set.seed(1); x <- rnorm(3e5); x") as Float64Array;
    const [sumR, maxR, idx] = await evalR("c(sum(x), max(x), which.max(x))") as Float64Array;
    let s = 0, mx = -Infinity, at = -1;
    for (let i = 0; i < x.length; i++) {
      s += x[i];
      if (x[i] > mx) (mx = x[i], at = i + 1);
    }
    assert.ok(Math.abs(s - sumR) < 1e-7);
    assert.equal(mx, maxR);
    assert.equal(at, idx);
    const frame = await evalR("data.frame(i = 1:5, d = (1:5) / 2)") as DataFrame;
    assert.deepEqual(Array.from(frame.column("i") as Int32Array), [1, 2, 3, 4, 5]);
    assert.deepEqual(Array.from(frame.column("d") as Float64Array), [0.5, 1, 1.5, 2, 2.5]);
  });

  it("rejects bad input in the main process before anything crosses", async () => {
    const cyc: Record<string, unknown> = { a: 1 };
    cyc.self = cyc;
    await assert.rejects(
      callR("identity", [cyc]),
      (e) => e instanceof TypeError && /cyclic/.test(e.message),
    );
    await assert.rejects(callR("identity", [() => 1]), TypeError);
    await assert.rejects(callR("identity", [Symbol("s")]), TypeError);
    await assert.rejects(callR("identity", [new Map()]), TypeError);
    await assert.rejects(callR("identity", [2n ** 40n]), RangeError);
    await assert.rejects(callR("identity", [new BigInt64Array([2n ** 60n])]), RangeError);
    assert.throws(() => new DataFrame({ a: [1, 2], b: [1] }), /ragged/);
    assert.throws(() => new DataFrame({ a: [1, "x"] }), /mixed/);
    assert.throws(() => new DataFrame({ a: [{}] }), TypeError);
    assert.throws(() => new NdArray(new Float64Array(5), [2, 3]), RangeError);
    assert.throws(() => new Categorical(["a", "a"], new Int32Array(0)), TypeError);
    await assert.rejects(
      callR("identity", [new Categorical(["a"], new Int32Array([4]))]),
      RangeError,
    );
    assert.deepEqual(await callR("identity", [doubles([1, null])]), doubles([1, null]));
    assert.equal(await evalR("1 + 1"), 2);
  });
});
