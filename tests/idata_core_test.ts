// InferenceData and Dataset: construction from typed arrays without copies, selection (views
// when contiguous), extend and merge.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Dataset, InferenceData } from "../idata/mod.ts";
import type { Variable } from "../idata/mod.ts";
import { resolveSelector, type Selector, selectVariable } from "../idata/_select.ts";

function seq(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => i);
}

describe("InferenceData.fromObject()", () => {
  it("takes the shape from the dims and the chain and draw counts", () => {
    const data = seq(4000);
    const idata = InferenceData.fromObject({
      posterior: { mu: { dims: ["chain", "draw"], data } },
    }, { chains: 4 });
    const mu = idata.get("posterior", "mu");
    assert.deepEqual(mu.shape, [4, 1000]);
    assert.equal(mu.data, data);
    assert.deepEqual(idata.group("posterior").coords.get("chain"), [0, 1, 2, 3]);
    assert.equal(idata.group("posterior").coords.get("draw")?.length, 1000);
  });

  it("treats a bare typed array as (chain, draw) and one chain when the count is unknown", () => {
    const idata = InferenceData.fromObject({ posterior: { mu: seq(10) } });
    assert.deepEqual(idata.get("posterior", "mu").dims, ["chain", "draw"]);
    assert.deepEqual(idata.get("posterior", "mu").shape, [1, 10]);
  });

  it("infers one unknown dimension from the data and shares lengths between variables", () => {
    const idata = InferenceData.fromObject({
      posterior: {
        theta: { dims: ["chain", "draw", "school"], data: seq(2 * 5 * 3), shape: [2, 5, 3] },
        mu: { dims: ["chain", "draw"], data: seq(10) },
      },
      log_likelihood: { y: { dims: ["chain", "draw", "obs_id"], data: seq(2 * 5 * 4) } },
    }, { chains: 2, coords: { obs_id: ["a", "b", "c", "d"] } });
    assert.deepEqual(idata.get("posterior", "mu").shape, [2, 5]);
    assert.deepEqual(idata.get("log_likelihood", "y").shape, [2, 5, 4]);
    assert.deepEqual(idata.group("log_likelihood").coords.get("obs_id"), ["a", "b", "c", "d"]);
    assert.deepEqual(idata.group("posterior").coords.get("school"), [0, 1, 2]);
  });

  it("keeps views on shared memory with their byte offset, never copying", () => {
    const sab = new SharedArrayBuffer(8 * 100);
    const block = new Float64Array(sab, 8 * 10, 40);
    const ints = new Int32Array(new SharedArrayBuffer(4 * 50), 4 * 2, 40);
    const idata = InferenceData.fromObject({
      posterior: { a: block.subarray(0, 20), b: block.subarray(20, 40) },
      sample_stats: { treedepth__: { dims: ["chain", "draw"], data: ints.subarray(0, 20) } },
    }, { chains: 2 });
    const b = idata.get("posterior", "b").data;
    assert.equal(b.buffer, sab);
    assert.equal(b.byteOffset, 8 * 30);
    block[25] = 42;
    assert.equal(idata.get("posterior", "b").data[5], 42);
    assert.equal(idata.get("sample_stats", "treedepth__").data.buffer, ints.buffer);
  });

  it("rejects data that do not fit the dimensions", () => {
    assert.throws(
      () => InferenceData.fromObject({ posterior: { mu: seq(10) } }, { chains: 3 }),
      /do not fit/,
    );
    assert.throws(
      () =>
        InferenceData.fromObject({
          posterior: { x: { dims: ["chain", "draw", "k"], data: seq(12) } },
        }, { chains: 2 }),
      /cannot infer/,
    );
    assert.throws(
      () =>
        InferenceData.fromObject({
          posterior: {
            a: { dims: ["draw"], data: seq(3), shape: [3] },
            b: { dims: ["draw"], data: seq(4), shape: [4] },
          },
        }),
      /dimension "draw"/,
    );
    assert.throws(
      () =>
        InferenceData.fromObject({ posterior: { mu: seq(4) } }, { coords: { draw: [1, 2, 3] } }),
      /do not fit/,
    );
  });

  it("names missing groups and variables in its errors", () => {
    const idata = InferenceData.fromObject({ posterior: { mu: seq(4) } });
    assert.deepEqual(idata.groups(), ["posterior"]);
    assert.throws(() => idata.group("prior"), /no group "prior" \(have: posterior\)/);
    assert.throws(() => idata.get("posterior", "sigma"), /no variable "sigma" \(have: mu\)/);
  });
});

describe("InferenceData.sel()", () => {
  const C = 4, D = 6, N = 3;
  const idata = InferenceData.fromObject({
    posterior: { mu: { dims: ["chain", "draw"], data: seq(C * D) } },
    log_likelihood: { y: { dims: ["chain", "draw", "obs_id"], data: seq(C * D * N) } },
    observed_data: { y: { dims: ["obs_id"], data: seq(N) } },
  }, { chains: C });

  it("returns views, not copies, for a range of chains", () => {
    const s = idata.sel({ chain: { start: 1, end: 3 } });
    const mu = s.get("posterior", "mu");
    assert.deepEqual(mu.shape, [2, D]);
    assert.equal(mu.data.buffer, idata.get("posterior", "mu").data.buffer);
    assert.equal(mu.data.byteOffset, 8 * D);
    assert.deepEqual(Array.from(mu.data), Array.from(seq(2 * D), (v) => v + D));
    assert.deepEqual(s.group("posterior").coords.get("chain"), [1, 2]);
    assert.equal(
      s.get("log_likelihood", "y").data.buffer,
      idata.get("log_likelihood", "y").data.buffer,
    );
  });

  it("returns a view for a draw range within one chain and copies across chains", () => {
    const one = idata.sel({ chain: 2, draw: { start: 1, end: 4 } }).get("posterior", "mu");
    assert.equal(one.data.buffer, idata.get("posterior", "mu").data.buffer);
    assert.deepEqual(Array.from(one.data), [13, 14, 15]);
    const burn = idata.sel({ draw: { start: 4 } }).get("posterior", "mu");
    assert.notEqual(burn.data.buffer, idata.get("posterior", "mu").data.buffer);
    assert.deepEqual(Array.from(burn.data), [4, 5, 10, 11, 16, 17, 22, 23]);
    assert.deepEqual(burn.shape, [C, 2]);
  });

  it("selects lists, steps and negative positions and leaves other groups alone", () => {
    const s = idata.sel({ chain: [3, 0], draw: { start: -2, step: 1 } });
    assert.deepEqual(Array.from(s.get("posterior", "mu").data), [22, 23, 4, 5]);
    assert.deepEqual(s.group("posterior").coords.get("chain"), [3, 0]);
    assert.equal(s.group("observed_data"), idata.group("observed_data"));
    assert.throws(() => idata.sel({ chain: 4 }), /out of range/);
  });

  it("agrees with a naive gather for any selection (property)", () => {
    const sel = fc.oneof(
      fc.integer({ min: -3, max: 5 }),
      fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }),
      fc.record({
        start: fc.option(fc.integer({ min: -6, max: 6 }), { nil: undefined }),
        end: fc.option(fc.integer({ min: -6, max: 8 }), { nil: undefined }),
        step: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
        fc.array(sel, { minLength: 4, maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        (shape, sels, use) => {
          const dims = shape.map((_, i) => `d${i}`);
          const v: Variable = { dims, shape, data: seq(shape.reduce((a, b) => a * b, 1)) };
          const picks = new Map<string, number[]>();
          dims.forEach((d, i) => {
            if (!use[i]) return;
            try {
              picks.set(d, resolveSelector(sels[i] as Selector, shape[i], d));
            } catch { /* out of range: not selected */ }
          });
          const got = selectVariable(v, picks);
          const idx = dims.map((d, i) => picks.get(d) ?? [...Array(shape[i]).keys()]);
          const want: number[] = [];
          const rec = (k: number, off: number) => {
            if (k === dims.length) return void want.push(v.data[off]);
            const stride = shape.slice(k + 1).reduce((a, b) => a * b, 1);
            for (const i of idx[k]) rec(k + 1, off + i * stride);
          };
          rec(0, 0);
          assert.deepEqual(got.shape, idx.map((x) => x.length));
          assert.deepEqual(Array.from(got.data), want);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("extend() and merge()", () => {
  const base = () => InferenceData.fromObject({ posterior: { mu: seq(4) } }, { attrs: { a: 1 } });
  const other = InferenceData.fromObject({
    posterior: { mu: Float64Array.from([9, 9, 9, 9]) },
    sample_stats: { lp__: seq(4) },
  }, { attrs: { a: 2, b: 3 } });

  it("adds the other object's groups and keeps its own on a left join", () => {
    const idata = base().extend(other);
    assert.deepEqual(idata.groups(), ["posterior", "sample_stats"]);
    assert.equal(idata.get("posterior", "mu").data[0], 0);
    assert.deepEqual(idata.attrs, { a: 1, b: 3 });
  });

  it("takes the other object's groups on a right join", () => {
    assert.equal(base().extend(other, { join: "right" }).get("posterior", "mu").data[0], 9);
  });

  it("adds variables to a group, refusing silent overwrites", () => {
    const idata = base();
    const sigma: Variable = { dims: ["chain", "draw"], shape: [1, 4], data: seq(4) };
    idata.merge("posterior", { sigma });
    assert.deepEqual(idata.group("posterior").varNames(), ["mu", "sigma"]);
    assert.throws(() => idata.merge("posterior", { sigma }), /exists already/);
    idata.merge("posterior", { sigma: { ...sigma, data: seq(4).fill(7) } }, { overwrite: true });
    assert.equal(idata.get("posterior", "sigma").data[0], 7);
    idata.merge("prior", { sigma });
    assert.deepEqual(idata.groups(), ["posterior", "prior"]);
    const bad: Variable = { dims: ["chain", "draw"], shape: [2, 2], data: seq(4) };
    assert.throws(() => idata.merge("posterior", { bad }), /length/);
  });

  it("merges datasets with their coordinates and attributes", () => {
    const a = new Dataset({ x: { dims: ["obs_id"], shape: [2], data: seq(2) } }, {
      obs_id: ["u", "v"],
    }, { p: 1 });
    const b = a.merge(
      new Dataset({ z: { dims: ["k"], shape: [3], data: seq(3) } }, undefined, { q: 2 }),
    );
    assert.deepEqual(b.varNames(), ["x", "z"]);
    assert.deepEqual(b.sizes, { obs_id: 2, k: 3 });
    assert.deepEqual(b.coords.get("obs_id"), ["u", "v"]);
    assert.deepEqual(b.attrs, { p: 1, q: 2 });
    assert.equal(b.get("x").data, a.get("x").data);
  });

  it("reports chains and draws of a group", () => {
    const idata = InferenceData.fromObject({ posterior: { mu: seq(12) } }, { chains: 3 });
    assert.deepEqual(idata.chainsAndDraws(), { chains: 3, draws: 4 });
  });
});
