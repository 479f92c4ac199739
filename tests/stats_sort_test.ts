// The bucket argsort and the top-k selection give R's stable order (by value, ties by index)
// for any doubles, including ties, infinities, signed zeros and wild magnitudes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { argsort, SortWorkspace, topStable } from "../stats/_sort.ts";

function stableOrder(x: Float64Array): number[] {
  return Array.from(x.keys()).sort((a, b) => (x[a] < x[b] ? -1 : x[a] > x[b] ? 1 : a - b));
}

const doubles = fc.oneof(
  fc.double({ noNaN: true }),
  fc.integer({ min: -3, max: 3 }).map((v) => v * 1.5),
  fc.double({ min: -1, max: 1, noNaN: true }).map((v) => v * 1e-300),
  fc.constantFrom(Infinity, -Infinity, 0, -0, 1e308, -1e308),
);

describe("argsort() and topStable()", () => {
  const ws = new SortWorkspace();

  it("orders any doubles stably, like R's order()", () => {
    fc.assert(
      fc.property(fc.array(doubles, { maxLength: 600 }), (values) => {
        const x = Float64Array.from(values);
        const got = Array.from(argsort(x, x.length, ws));
        const want = stableOrder(x);
        // -0 and 0 are equal to R: compare the values in order, and the order of exact ties.
        assert.deepEqual(got.map((i) => x[i] + 0), want.map((i) => x[i] + 0));
        for (let q = 1; q < got.length; q++) {
          if (Object.is(x[got[q]], x[got[q - 1]])) assert.ok(got[q] > got[q - 1]);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("orders long skewed and heavily tied series like the comparator sort", () => {
    const gens: (() => number)[] = [
      () => Math.exp(Math.tan(Math.PI * (Math.random() - 0.5))),
      () => Math.floor(Math.random() * 5),
      () => 1 + 1e-13 * Math.random(),
      () => Math.random() < 0.5 ? -1e-9 * Math.random() : 1e6 * Math.random(),
    ];
    for (const g of gens) {
      const x = Float64Array.from({ length: 20000 }, g);
      assert.deepEqual(Array.from(argsort(x, x.length, ws)), stableOrder(x));
    }
  });

  it("selects the k largest in the same stable order", () => {
    fc.assert(
      fc.property(
        fc.array(doubles, { minLength: 30, maxLength: 3000 }),
        fc.integer({ min: 1, max: 200 }),
        (values, k0) => {
          const x = Float64Array.from(values);
          const k = Math.min(k0, x.length);
          const want = Array.from(argsort(x, x.length, ws)).slice(x.length - k);
          assert.deepEqual(Array.from(topStable(x, x.length, k, ws)), want);
        },
      ),
      { numRuns: 300 },
    );
  });
});
