import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import process from "node:process";
import { callR, defaultWorker, shutdown } from "../worker/mod.ts";
import { Categorical, DataFrame, isNA, NA_INTEGER, setNA } from "../data/mod.ts";
import { bytesOf } from "./_codec_util.ts";

/** Runs per property (`FC_RUNS` raises it for a longer search; a failure prints its seed). */
const RUNS = Number(process.env.FC_RUNS ?? 60);

/** Doubles including R's NA (as the string "NA"), NaN, ±Inf, -0 and subnormals. */
const doubleOrNA = fc.oneof(
  { weight: 6, arbitrary: fc.double() },
  {
    weight: 1,
    arbitrary: fc.constantFrom<number | "NA">("NA", NaN, Infinity, -Infinity, -0, 5e-324),
  },
);
function f64(values: (number | "NA")[]): Float64Array {
  const out = new Float64Array(values.length);
  values.forEach((v, i) => (v === "NA" ? setNA(out, i) : (out[i] = v)));
  return out;
}
/** Lengths: mostly small, sometimes large enough to travel through shared memory. */
const len = fc.oneof(
  { weight: 4, arbitrary: fc.nat(40) },
  { weight: 1, arbitrary: fc.integer({ min: 600, max: 5000 }) },
);
const text = fc.string({ unit: "binary", maxLength: 12 }).filter((s) => !s.includes("\0"));
const optText = fc.option(text, { nil: null });
const date = fc.date({
  min: new Date("1900-01-01"),
  max: new Date("2200-01-01"),
  noInvalidDate: true,
});
const day = date.map((d) => new Date(Math.floor(d.getTime() / 86400000) * 86400000));
const categorical = fc.uniqueArray(text, { minLength: 1, maxLength: 8 }).chain((levels) =>
  fc.record({
    levels: fc.constant(levels),
    ordered: fc.boolean(),
    codes: fc.array(fc.integer({ min: -1, max: levels.length - 1 }), { maxLength: 60 }),
  })
).map(({ levels, ordered, codes }) => new Categorical(levels, Int32Array.from(codes), ordered));

function sameCategorical(a: Categorical, b: Categorical): void {
  assert.ok(b instanceof Categorical);
  assert.deepEqual([...b.levels], [...a.levels]);
  assert.deepEqual(Array.from(b.codes), Array.from(a.codes));
  assert.equal(b.ordered, a.ordered);
}

/** R gives length-1 plain vectors back as scalars (NA → null). */
function scalarOf(x: ArrayLike<unknown>): unknown {
  if (x instanceof Float64Array) return isNA(x, 0) ? null : x[0];
  if (x instanceof Int32Array) return x[0] === NA_INTEGER ? null : x[0];
  return x[0];
}

async function roundTrip(x: unknown): Promise<unknown> {
  return await callR("identity", [x]);
}

describe("codec: property-based round trips JS → R → JS", () => {
  before(() => defaultWorker().setConsoleOutput("silent"));
  after(() => shutdown());

  it("Float64Array with NA, NaN, ±Inf, -0 comes back bit-exact", async () => {
    await fc.assert(
      fc.asyncProperty(
        len.chain((n) => fc.array(doubleOrNA, { minLength: n, maxLength: n })),
        async (v) => {
          const x = f64(v);
          const back = await roundTrip(x);
          if (x.length === 1) return assert.ok(Object.is(back, scalarOf(x)));
          assert.ok(back instanceof Float64Array);
          assert.deepEqual(bytesOf(back), bytesOf(x));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("Int32Array (NA included) comes back equal", async () => {
    const int = fc.oneof(
      fc.integer({ min: -2147483648, max: 2147483647 }),
      fc.constant(NA_INTEGER),
    );
    await fc.assert(
      fc.asyncProperty(
        len.chain((n) => fc.array(int, { minLength: n, maxLength: n })),
        async (v) => {
          const x = Int32Array.from(v);
          const back = await roundTrip(x);
          if (x.length === 1) return assert.equal(back, scalarOf(x));
          assert.ok(back instanceof Int32Array);
          assert.deepEqual(Array.from(back), v);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("UTF-8 strings and booleans (with NA) come back equal", async () => {
    await fc.assert(
      fc.asyncProperty(
        len.chain((n) => fc.array(optText, { minLength: n, maxLength: n })),
        async (x) => {
          const back = await roundTrip(x);
          if (x.length === 1) return assert.equal(back, x[0]);
          if (x.length === 0) return assert.deepEqual(back, []); // an empty JS array is list()
          assert.deepEqual(back, x);
        },
      ),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.boolean(), { nil: null }), { minLength: 2, maxLength: 3000 }),
        async (x) => {
          assert.deepEqual(await roundTrip(x), x);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("factors (unused levels, ordered, NA) come back as equal Categoricals", async () => {
    await fc.assert(
      fc.asyncProperty(
        categorical,
        async (c) => sameCategorical(c, await roundTrip(c) as Categorical),
      ),
      { numRuns: RUNS },
    );
  });

  it("dates and date-times come back equal", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.oneof(day, date), { nil: null }), { minLength: 2, maxLength: 50 }),
        async (x) => {
          assert.deepEqual(await roundTrip(x), x);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("data frames of every column type come back with equal values and types", async () => {
    const column = (n: number) =>
      fc.oneof(
        fc.array(doubleOrNA, { minLength: n, maxLength: n }).map(f64),
        fc.array(fc.oneof(fc.integer(), fc.constant(NA_INTEGER)), { minLength: n, maxLength: n })
          .map((v) => Int32Array.from(v)),
        fc.array(optText, { minLength: n, maxLength: n }),
        fc.array(fc.option(fc.boolean(), { nil: null }), { minLength: n, maxLength: n }),
        fc.array(fc.option(day, { nil: null }), { minLength: n, maxLength: n }),
        fc.array(fc.option(date, { nil: null }), { minLength: n, maxLength: n }),
        fc.uniqueArray(text, { minLength: 1, maxLength: 6 }).chain((levels) =>
          fc.tuple(
            fc.constant(levels),
            fc.boolean(),
            fc.array(fc.integer({ min: -1, max: levels.length - 1 }), {
              minLength: n,
              maxLength: n,
            }),
          )
        ).map(([levels, ordered, codes]) =>
          new Categorical(levels, Int32Array.from(codes), ordered)
        ),
      );
    const frame = len.chain((n) =>
      fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 0, maxLength: 6 })
        .chain((names) =>
          fc.tuple(fc.constant(n), fc.constant(names), fc.tuple(...names.map(() => column(n))))
        )
    ).map(([n, names, cols]) =>
      new DataFrame(Object.fromEntries(names.map((k, i) => [k, cols[i]])), { nrow: n })
    );
    await fc.assert(
      fc.asyncProperty(frame, async (df) => {
        const back = await roundTrip(df) as DataFrame;
        assert.ok(back instanceof DataFrame);
        assert.deepEqual(back.names, df.names);
        assert.equal(back.nrow, df.nrow);
        for (const name of df.names) {
          assert.equal(back.columnType(name), df.columnType(name), name);
          const a = df.column(name), b = back.column(name);
          if (a instanceof Float64Array) assert.deepEqual(bytesOf(b as Float64Array), bytesOf(a));
          else if (a instanceof Categorical) sameCategorical(a, b as Categorical);
          else {assert.deepEqual(
              Array.from(b as ArrayLike<unknown>),
              Array.from(a as ArrayLike<unknown>),
            );}
        }
      }),
      { numRuns: RUNS },
    );
  });
});
