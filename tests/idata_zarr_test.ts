// Zarr export: Python's xarray and zarr (Debian's python3-xarray, python3-zarr) read the store
// written by toZarr() and every value is bit-for-bit the TypeScript source; fromZarr() reads it
// back, including stores written by xarray itself.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Dataset, fromZarr, InferenceData, toZarr } from "../idata/mod.ts";
import { setNA } from "../data/mod.ts";
import type { TypedArray } from "../idata/mod.ts";
import { once, SLOW, tempDir } from "./_rscript.ts";
import { decompress } from "../idata/_zarr_codec.ts";

/** A Python 3 with xarray and zarr: Debian's /usr/bin/python3 first, then python3 on PATH. */
function python(): string {
  for (const p of ["/usr/bin/python3", "python3"]) {
    try {
      execFileSync(p, ["-c", "import xarray, zarr"], { stdio: "ignore" });
      return p;
    } catch { /* try the next one */ }
  }
  throw new Error(
    "python3 with xarray and zarr is needed: apt-get install python3-xarray python3-zarr",
  );
}

const READER = `
import json, sys
import numpy as np, xarray as xr, zarr
store, out = sys.argv[1], sys.argv[2]
report = {"groups": {}, "consolidated": {}}
root = zarr.open_consolidated(store, mode="r")
report["zarr_groups"] = sorted(k for k, _ in root.groups())
report["root_attrs"] = dict(root.attrs)
# ArviZ's InferenceData.from_zarr: zarr.open, then xarray.open_zarr per group and at the root.
for g, _ in zarr.open(store, mode="r").groups():
    ds = xr.open_zarr(store, group=g, consolidated=True).load()
    plain = xr.open_zarr(store, group=g, consolidated=False).load()
    assert ds.identical(plain), g
    info = {"attrs": ds.attrs, "vars": {}, "coords": {}}
    for name, da in ds.data_vars.items():
        arr = np.ascontiguousarray(da.values)
        arr.tofile(f"{out}/{g}__{name}.bin")
        info["vars"][name] = {"dims": list(da.dims), "shape": list(arr.shape), "dtype": str(arr.dtype),
                              "attrs": {k: v for k, v in da.attrs.items()}}
    for name, c in ds.coords.items():
        info["coords"][name] = {"values": c.values.tolist(), "dtype": str(c.values.dtype)}
    report["groups"][g] = info
report["root_xr_attrs"] = dict(xr.open_zarr(store).attrs)
json.dump(report, open(f"{out}/report.json", "w"))
`;

function sharedF64(n: number, offset: number): Float64Array {
  // A view with a byte offset into a larger shared buffer, like the worker's shared memory.
  const sab = new SharedArrayBuffer(8 * (n + offset + 3));
  return new Float64Array(sab, 8 * offset, n);
}

function sample(): InferenceData {
  const C = 3, D = 7, N = 5, K = 2;
  const mu = sharedF64(C * D, 5);
  mu.forEach((_, i) => mu[i] = Math.sin(i) * 1e3 + 1 / 3);
  setNA(mu, 4);
  mu[5] = NaN;
  mu[6] = -Infinity;
  mu[7] = -0;
  const theta = Float64Array.from({ length: C * D * K }, (_, i) => Math.cos(i) / 7);
  const ll = sharedF64(C * D * N, 11);
  ll.forEach((_, i) => ll[i] = -Math.abs(Math.sin(i * 1.3)) - 0.5);
  const count = Int32Array.from({ length: C * D }, (_, i) => i * 37 - 100);
  const div = Uint8Array.from({ length: C * D }, (_, i) => (i % 5 === 0 ? 1 : 0));
  return InferenceData.fromObject({
    posterior: {
      mu: { dims: ["chain", "draw"], data: mu },
      "r_patient[1,Intercept]": { dims: ["chain", "draw"], data: theta.subarray(0, C * D) },
      theta: { dims: ["chain", "draw", "school"], data: theta },
      lp__: { dims: ["chain", "draw"], data: new Float32Array(C * D).fill(-1.5) },
    },
    log_likelihood: { y: { dims: ["chain", "draw", "obs_id"], data: ll } },
    sample_stats: {
      diverging: { dims: ["chain", "draw"], data: div, attrs: { dtype: "bool" } },
      treedepth__: { dims: ["chain", "draw"], data: count },
    },
    observed_data: { y: { dims: ["obs_id"], data: Float64Array.from([1.5, 2, 3, 4, 5]) } },
  }, {
    chains: C,
    coords: { school: ["Choate", "Déerfield ✓"], obs_id: ["a", "b", "c", "dd", "e"] },
    groupAttrs: { inference_library: "brms" },
    attrs: { created_at: "2024-06-11T00:00:00", note: "root" },
  });
}

function bytes(a: TypedArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

describe("toZarr() read by Python's xarray and zarr", () => {
  const tmp = tempDir("brmsts-zarr-");
  const store = join(tmp.path, "fit.zarr");
  const out = join(tmp.path, "py");
  const idata = sample();
  let report: {
    zarr_groups: string[];
    root_attrs: Record<string, unknown>;
    root_xr_attrs: Record<string, unknown>;
    groups: Record<string, {
      attrs: Record<string, unknown>;
      vars: Record<string, { dims: string[]; shape: number[]; dtype: string; attrs: object }>;
      coords: Record<string, { values: (number | string)[]; dtype: string }>;
    }>;
  };
  const setup = once(() => {
    toZarr(idata, store);
    execFileSync("mkdir", ["-p", out]);
    writeFileSync(join(tmp.path, "read.py"), READER);
    execFileSync(python(), [join(tmp.path, "read.py"), store, out], { stdio: "pipe" });
    report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
  });
  after(() => tmp.cleanup());

  it("writes one zarr group per InferenceData group with consolidated metadata", SLOW, () => {
    setup();
    assert.deepEqual(report.zarr_groups, [...idata.groups()].sort());
    assert.ok(existsSync(join(store, ".zmetadata")));
    assert.deepEqual(report.root_attrs, idata.attrs);
    assert.deepEqual(report.root_xr_attrs, idata.attrs);
    assert.equal(report.groups.posterior.attrs.inference_library, "brms");
  });

  it("gives xarray every variable bit for bit, with its dims, shape and dtype", SLOW, () => {
    setup();
    const dtypes: Record<string, string> = {
      Float64Array: "float64",
      Float32Array: "float32",
      Int32Array: "int32",
      Uint8Array: "uint8",
    };
    for (const g of idata.groups()) {
      for (const [name, v] of idata.group(g).vars) {
        const py = report.groups[g].vars[name];
        assert.ok(py, `${g}/${name} missing`);
        assert.deepEqual(py.dims, v.dims);
        assert.deepEqual(py.shape, v.shape);
        const want = v.attrs?.dtype === "bool" ? "bool" : dtypes[v.data.constructor.name];
        assert.equal(py.dtype, want, `${g}/${name}`);
        const got = new Uint8Array(readFileSync(join(out, `${g}__${name}.bin`)));
        assert.deepEqual(got, bytes(v.data), `${g}/${name} bytes`);
      }
    }
  });

  it("keeps R's NA payload, NaN, -Inf and -0 apart", SLOW, () => {
    setup();
    const got = new Float64Array(
      new Uint8Array(readFileSync(join(out, "posterior__mu.bin"))).buffer,
    );
    const words = new Uint32Array(got.buffer);
    assert.equal(words[8], 1954); // low word of R's NA_real_ at index 4 (little-endian)
    assert.ok(Number.isNaN(got[5]));
    assert.equal(got[6], -Infinity);
    assert.ok(Object.is(got[7], -0));
  });

  it("gives xarray the coordinates, numeric and string", SLOW, () => {
    setup();
    for (const g of idata.groups()) {
      for (const [d, labels] of idata.group(g).coords) {
        assert.deepEqual(report.groups[g].coords[d].values, [...labels], `${g}/${d}`);
      }
    }
    assert.equal(report.groups.posterior.coords.chain.dtype, "int64");
    assert.match(report.groups.posterior.coords.school.dtype, /^<U|^object/);
  });

  it("reads its own store back with fromZarr()", SLOW, () => {
    setup();
    const back = fromZarr(store);
    assert.deepEqual(back.groups(), idata.groups());
    assert.deepEqual(back.attrs, idata.attrs);
    for (const g of idata.groups()) {
      const a = idata.group(g);
      const b = back.group(g);
      assert.deepEqual(b.varNames(), a.varNames());
      assert.deepEqual([...b.coords], [...a.coords]);
      assert.deepEqual(b.attrs, a.attrs);
      for (const [name, v] of a.vars) {
        const w = b.get(name);
        assert.deepEqual(w.dims, v.dims);
        assert.deepEqual(w.shape, v.shape);
        assert.equal(w.data.constructor, v.data.constructor);
        assert.deepEqual(bytes(w.data), bytes(v.data));
        assert.deepEqual(w.attrs ?? {}, v.attrs ?? {});
      }
    }
  });

  it("round-trips zlib and gzip compressed chunks", SLOW, () => {
    setup();
    for (const compressor of ["zlib", "gzip"] as const) {
      const dir = join(tmp.path, `${compressor}.zarr`);
      toZarr(idata, dir, { compressor });
      const back = fromZarr(dir);
      const v = idata.get("log_likelihood", "y");
      assert.deepEqual(bytes(back.get("log_likelihood", "y").data), bytes(v.data));
    }
  });

  it("refuses to overwrite a non-empty directory unless asked", SLOW, () => {
    setup();
    assert.throws(() => toZarr(idata, store), /not empty/);
    toZarr(idata, store, { overwrite: true });
  });

  it(
    "reads stores written by xarray with its default Blosc compression, int64, bool, object strings and chunks",
    SLOW,
    () => {
      setup();
      const dir = join(tmp.path, "xr.zarr");
      const script = `
import numpy as np, xarray as xr, zarr, sys
ds = xr.Dataset({
  "a": (("chain", "draw"), np.arange(12, dtype=np.int64).reshape(3, 4)),
  "b": (("chain", "draw"), np.array([[True, False, True, False]] * 3)),
  "c": (("chain", "draw", "k"), np.arange(24, dtype=np.float64).reshape(3, 4, 2) / 3),
}, coords={"k": np.array(["x", "yy"], dtype=object), "chain": [0, 1, 2], "draw": [0, 1, 2, 3]})
xr.Dataset(attrs={"who": "xarray"}).to_zarr(sys.argv[1], mode="w")
ds.to_zarr(sys.argv[1], group="posterior", mode="a", encoding={"c": {"chunks": (2, 3, 1)}})
zarr.consolidate_metadata(sys.argv[1])
`;
      writeFileSync(join(tmp.path, "w.py"), script);
      execFileSync(python(), [join(tmp.path, "w.py"), dir], { stdio: "pipe" });
      const back = fromZarr(dir);
      const post = back.group("posterior");
      assert.deepEqual(Array.from(post.get("a").data), Array.from({ length: 12 }, (_, i) => i));
      assert.deepEqual(Array.from(post.get("b").data), [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
      assert.equal(post.get("b").attrs?.dtype, "bool");
      assert.deepEqual(
        Array.from(post.get("c").data),
        Array.from({ length: 24 }, (_, i) => i / 3),
      );
      assert.deepEqual(post.coords.get("k"), ["x", "yy"]);
      assert.equal(back.attrs.who, "xarray");
    },
  );

  it(
    "decompresses Blosc chunks written by numcodecs (lz4, lz4hc, zlib, shuffle, small blocks)",
    SLOW,
    () => {
      setup();
      const dir = join(tmp.path, "blosc");
      execFileSync("mkdir", ["-p", dir]);
      const script = `
import numpy as np, os, sys
from numcodecs import Blosc
rng = np.random.default_rng(1)
cases = {
  "f8_lz4": (rng.standard_normal(100000), Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE)),
  "f8_noshuffle": (rng.standard_normal(3001), Blosc(cname="lz4", shuffle=Blosc.NOSHUFFLE)),
  "i4_lz4hc": (np.arange(50001, dtype=np.int32) % 17, Blosc(cname="lz4hc", clevel=9)),
  "u1_zeros": (np.zeros(70000, dtype=np.uint8), Blosc(cname="lz4")),
  "f8_zlib": (rng.standard_normal(20000).round(2), Blosc(cname="zlib", clevel=5)),
  "f8_tiny": (np.array([1.5, 2.5, 3.5]), Blosc(cname="lz4")),
  "f8_blocks": (rng.standard_normal(90001), Blosc(cname="lz4", blocksize=4096)),
}
for name, (arr, codec) in cases.items():
    open(os.path.join(sys.argv[1], name + ".blosc"), "wb").write(codec.encode(arr))
    open(os.path.join(sys.argv[1], name + ".raw"), "wb").write(arr.tobytes())
`;
      writeFileSync(join(tmp.path, "b.py"), script);
      execFileSync(python(), [join(tmp.path, "b.py"), dir], { stdio: "pipe" });
      for (
        const name of [
          "f8_lz4",
          "f8_noshuffle",
          "i4_lz4hc",
          "u1_zeros",
          "f8_zlib",
          "f8_tiny",
          "f8_blocks",
        ]
      ) {
        const got = decompress(new Uint8Array(readFileSync(join(dir, `${name}.blosc`))), {
          id: "blosc",
        });
        assert.deepEqual(got, new Uint8Array(readFileSync(join(dir, `${name}.raw`))), name);
      }
    },
  );

  it("rejects names that cannot be zarr keys", SLOW, () => {
    setup();
    const bad = new InferenceData({
      posterior: new Dataset({ "a/b": { dims: ["draw"], shape: [1], data: new Float64Array(1) } }),
    });
    assert.throws(() => toZarr(bad, join(tmp.path, "bad.zarr")), /cannot be stored/);
  });
});
