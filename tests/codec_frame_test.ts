import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dictionary, Int32, Table, tableFromArrays, Utf8, vectorFromArray } from "apache-arrow";
import { callR, defaultWorker, evalR, shutdown } from "../worker/mod.ts";
import {
  asInteger,
  Categorical,
  DataFrame,
  doubles,
  isNA,
  NA_INTEGER,
  setNA,
  toDataFrame,
} from "../data/mod.ts";
import { dataFrameToArrow, fromArrow } from "../data/arrow.ts";
import { bytesOf } from "./_codec_util.ts";

function sample(): DataFrame {
  return new DataFrame({
    num: doubles([1.5, null, NaN]),
    int: asInteger([1, null, 3]),
    fac: Categorical.from(["b", null, "a"], { levels: ["a", "b", "unused"] }),
    ord: Categorical.from(["lo", "hi", "lo"], { levels: ["lo", "hi"], ordered: true }),
    str: ["x", null, "ü"],
    lgl: [true, null, false],
    day: [new Date("2024-01-01"), null, new Date("2024-03-01")],
    time: [new Date(Date.UTC(2024, 0, 1, 12, 30)), new Date(0), null],
  }, { rowNames: ["r1", "r2", "r3"] });
}

function assertSameFrame(a: DataFrame, b: DataFrame): void {
  assert.deepEqual(a.names, b.names);
  assert.equal(a.nrow, b.nrow);
  assert.deepEqual(a.rowNames, b.rowNames);
  for (const n of a.names) {
    assert.equal(a.columnType(n), b.columnType(n), `type of ${n}`);
    const x = a.column(n), y = b.column(n);
    if (x instanceof Float64Array) assert.deepEqual(bytesOf(x), bytesOf(y as Float64Array), n);
    else if (x instanceof Categorical) {
      const c = y as Categorical;
      assert.deepEqual([...x.levels], [...c.levels], n);
      assert.deepEqual(Array.from(x.codes), Array.from(c.codes), n);
      assert.equal(x.ordered, c.ordered, n);
    } else {assert.deepEqual(
        Array.from(x as ArrayLike<unknown>),
        Array.from(y as ArrayLike<unknown>),
        n,
      );}
  }
}

describe("codec: data frames", () => {
  before(() => defaultWorker().setConsoleOutput("silent"));
  after(() => shutdown());

  it("offers column(), nrow, toRecords() and row names", () => {
    const df = sample();
    assert.equal(df.nrow, 3);
    assert.equal(df.ncol, 8);
    assert.ok(df.column("num") instanceof Float64Array);
    assert.ok(isNA(df.column("num") as Float64Array, 1));
    assert.throws(() => df.column("nope"), RangeError);
    const rec = df.toRecords();
    assert.deepEqual(rec[1], {
      num: null,
      int: null,
      fac: null,
      ord: "hi",
      str: null,
      lgl: null,
      day: null,
      time: new Date(0),
    });
    assert.ok(Number.isNaN(rec[2].num));
    assert.equal(rec[0].fac, "b");
  });

  it("arrives in R as a real data.frame (factors, row names, column types)", async () => {
    const df = sample();
    assert.equal(await callR("is.data.frame", [df]), true);
    assert.deepEqual(await callR("rownames", [df]), ["r1", "r2", "r3"]);
    await evalR("col_classes <- function(d) vapply(d, function(x) class(x)[1], '')");
    assert.deepEqual(await callR("col_classes", [df]), {
      num: "numeric",
      int: "integer",
      fac: "factor",
      ord: "ordered",
      str: "character",
      lgl: "logical",
      day: "Date",
      time: "POSIXct",
    });
    await evalR("lv <- function(d) levels(d$fac)");
    assert.deepEqual(await callR("lv", [df]), ["a", "b", "unused"]);
    assert.deepEqual(await callR("dim", [df]), new Int32Array([3, 8]));
    assert.equal(await callR("nrow", [new DataFrame({ a: new Float64Array(0) })]), 0);
    assert.deepEqual(await callR("dim", [new DataFrame({}, { nrow: 4 })]), new Int32Array([4, 0]));
  });

  it("keeps column order, types and values through a round trip", async () => {
    const df = sample();
    const back = await callR("identity", [df]) as DataFrame;
    assert.ok(back instanceof DataFrame);
    assertSameFrame(df, back);
    const big = new DataFrame({
      z: new Float64Array(100_000).map((_, i) => i / 3),
      a: Categorical.from(Array.from({ length: 100_000 }, (_, i) => `g${i % 500}`)),
      m: Array.from({ length: 100_000 }, (_, i) => (i % 11 ? `s${i % 1234}` : null)),
      i: new Int32Array(100_000).map((_, i) => (i % 13 ? i : NA_INTEGER)),
    });
    assertSameFrame(big, await callR("identity", [big]) as DataFrame);
    const empty = new DataFrame({
      a: new Float64Array(0),
      f: Categorical.from([], { levels: ["x"] }),
    });
    assertSameFrame(empty, await callR("identity", [empty]) as DataFrame);
  });

  it("reads R frames: automatic row names, subsets, list and matrix columns", async () => {
    const iris = await evalR("datasets::iris") as DataFrame;
    assert.equal(iris.nrow, 150);
    assert.equal(iris.rowNames, null);
    assert.equal(iris.columnType("Species"), "factor");
    const sp = iris.column("Species") as Categorical;
    assert.deepEqual(sp.levels, ["setosa", "versicolor", "virginica"]);
    let sum = 0;
    for (const v of iris.column("Sepal.Length") as Float64Array) sum += v;
    assert.ok(Math.abs(sum - (await evalR("sum(iris$Sepal.Length)") as number)) < 1e-9);
    const sub = await evalR("datasets::mtcars[c(3, 5), 1:2]") as DataFrame;
    assert.deepEqual(sub.rowNames, ["Datsun 710", "Hornet Sportabout"]);
    const idx = await evalR("datasets::iris[c(10, 20), 1:2]") as DataFrame;
    assert.deepEqual(idx.rowNames, ["10", "20"]);
    const lc = await evalR("d <- data.frame(a = 1:2); d$l <- list(1, 'x'); d") as DataFrame;
    assert.equal(lc.columnType("l"), "list");
    assert.deepEqual(lc.column("l"), [1, "x"]);
    const mc = await evalR("d <- data.frame(a = 1:2); d$m <- matrix(1:4, 2); d") as DataFrame;
    assert.equal(mc.columnType("m"), "matrix");
  });

  it("toDataFrame accepts a DataFrame, columns, row objects and an Arrow table", async () => {
    const df = sample();
    assert.equal(toDataFrame(df), df);
    const cols = toDataFrame({ y: [1, 2, 3], g: ["a", "b", "a"], ok: [true, false, null] });
    assert.deepEqual(cols.names, ["y", "g", "ok"]);
    assert.equal(cols.columnType("y"), "double");
    const rows = toDataFrame([{ y: 1, g: "a" }, { y: 2, g: null }]);
    assert.deepEqual(rows.names, ["y", "g"]);
    assert.deepEqual(rows.column("g"), ["a", null]);
    const t = tableFromArrays({ x: new Float64Array([1, 2]), s: ["p", "q"] });
    const fromT = toDataFrame(t);
    assert.deepEqual(fromT.names, ["x", "s"]);
    assert.equal(fromT.columnType("s"), "factor"); // tableFromArrays dictionary-encodes strings
    assert.deepEqual(await callR("colnames", [t]), ["x", "s"]);
    assert.deepEqual(await callR("col_classes", [t]), { x: "numeric", s: "factor" });
  });

  it("refuses ragged, mixed and malformed input with clear TypeErrors", () => {
    assert.throws(() => toDataFrame({ a: [1, 2], b: ["x"] }), /ragged/);
    assert.throws(() => toDataFrame({ a: [1, "2"] }), /column "a": row 1 is a string/);
    assert.throws(() => toDataFrame([{ a: 1 }, { b: 2 }]), /row 1/);
    assert.throws(() => toDataFrame([{ a: 1 }, { a: 1, b: 2 }]), /row 1/);
    assert.throws(() => toDataFrame([{ a: [1] }]), /array/);
    assert.throws(() => toDataFrame(42 as never), TypeError);
    assert.throws(() => toDataFrame(new Map() as never), TypeError);
    assert.throws(() => new DataFrame({ a: [1] }, { rowNames: ["x", "y"] }), TypeError);
  });

  it("reads Arrow strings with a leading U+FEFF, nulls and several chunks unchanged", () => {
    const s = ["\ufeffa", null, "", "b\ufeff", "\ufeff", "naïve ✓"];
    const f = new Categorical(["\ufeffx", "y"], Int32Array.from([0, 1, -1, 0, 1, 0]));
    const t = dataFrameToArrow(new DataFrame({ s, f }));
    const back = fromArrow(t);
    assert.deepEqual(back.column("s"), s);
    assert.deepEqual([...(back.column("f") as Categorical).levels], ["\ufeffx", "y"]);
    assert.deepEqual(Array.from((back.column("f") as Categorical).codes), [0, 1, -1, 0, 1, 0]);
    // Two record batches, the second sliced (chunk offsets into shared buffers).
    const two = new Table([...t.batches, ...t.slice(1, 5).batches]);
    assert.deepEqual(fromArrow(two).column("s"), [...s, ...s.slice(1, 5)]);
    const fac = fromArrow(two).column("f") as Categorical;
    assert.deepEqual(Array.from(fac.codes), [0, 1, -1, 0, 1, 0, 1, -1, 0, 1]);
    // Chunks with different dictionaries: labels read through each chunk's own dictionary.
    const dict = () => new Dictionary(new Utf8(), new Int32());
    const mixed = vectorFromArray(["a", "b", null, "a"], dict())
      .concat(vectorFromArray(["\ufeffc", "a"], dict()));
    const m = fromArrow(new Table({ f: mixed })).column("f") as Categorical;
    assert.deepEqual([...m.levels], ["a", "b", "\ufeffc"]);
    assert.deepEqual(Array.from(m.codes), [0, 1, -1, 0, 2, 0]);
  });

  it("reads a sliced Arrow table's numbers, integers, logicals, dates and nulls", () => {
    const df = new DataFrame({
      x: Float64Array.from([1.5, 2.5, NaN, 4.5, 5.5, 6.5]),
      i: Int32Array.from([10, NA_INTEGER, 30, 40, 50, 60]),
      b: [true, false, null, true, false, true],
      d: [0, 1, 2, null, 4, 5].map((k) => (k === null ? null : new Date(Date.UTC(2020, 0, 1 + k)))),
    });
    setNA(df.column("x") as Float64Array, 4);
    const t = dataFrameToArrow(df);
    for (const [a, b] of [[2, 5], [1, 6], [0, 3]]) {
      const back = fromArrow(t.slice(a, b));
      const want = (n: string) => Array.from(df.column(n) as ArrayLike<unknown>).slice(a, b);
      assert.deepEqual(
        bytesOf(back.column("x") as Float64Array),
        bytesOf((df.column("x") as Float64Array).slice(a, b)),
      );
      assert.deepEqual(Array.from(back.column("i") as Int32Array), want("i"));
      assert.deepEqual(back.column("b"), want("b"));
      assert.deepEqual(back.column("d"), want("d"));
    }
  });

  it("converts to and from an Arrow Table keeping order, types and NA", () => {
    const df = sample();
    const t = dataFrameToArrow(df);
    assert.deepEqual(t.schema.fields.map((f) => f.name), df.names);
    assert.equal(t.getChild("num")!.get(1), null);
    assert.ok(Number.isNaN(t.getChild("num")!.get(2)));
    assert.equal(t.getChild("fac")!.get(0), "b");
    const back = fromArrow(t);
    assertSameFrame(
      new DataFrame(Object.fromEntries(df.entries()), {
        types: Object.fromEntries(df.names.map((n) => [n, df.columnType(n)])),
      }),
      back,
    );
  });
});
