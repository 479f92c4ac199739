import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as api from "../mod.ts";
import { BrmstsError } from "../errors.ts";
import { RNotFoundError } from "../ffi/errors.ts";
import * as cluster from "../cluster/mod.ts";
import * as score from "../score/mod.ts";
import * as explore from "../explore/mod.ts";
import { CliInputError } from "../cli/errors.ts";
import { readFileSync } from "node:fs";

describe("one error base class", () => {
  it("makes every error class brmsts exports a BrmstsError", () => {
    const classes = Object.entries(api).filter(([name, v]) =>
      typeof v === "function" && name.endsWith("Error") && v !== BrmstsError
    ) as [string, new (...a: never[]) => Error][];
    assert.ok(classes.length >= 14, `only ${classes.length} error classes exported`);
    for (const [name, cls] of classes) {
      assert.ok(cls.prototype instanceof BrmstsError, `${name} does not extend BrmstsError`);
    }
    assert.ok(RNotFoundError.prototype instanceof BrmstsError, "RNotFoundError (ffi/)");
  });

  it("names each error after its class and keeps the cause", () => {
    const cause = new Error("low level");
    const e = new api.RAbortError("aborted", { workerRestarted: false, cause });
    assert.equal(e.name, "RAbortError");
    assert.equal(e.cause, cause);
    assert.ok(e instanceof BrmstsError && e instanceof Error);
    const s = new api.SpecError("bad spec");
    assert.equal(s.name, "SpecError");
    assert.equal(s instanceof TypeError, false, "SpecError no longer extends TypeError");
  });

  /** Every error class the package exports (root, cluster/, score/, explore/, ffi/'s RNotFoundError). */
  const exported = () =>
    ([
      ...Object.entries(api),
      ...Object.entries(cluster),
      ...Object.entries(score),
      ...Object.entries(explore),
      ["RNotFoundError", RNotFoundError],
      ["CliInputError", CliInputError],
    ] as [string, unknown][])
      .filter(([name, v]) => typeof v === "function" && name.endsWith("Error")) as [
        string,
        { code?: unknown; prototype: object },
      ][];

  it("gives every exported error class a code listed in docs/errors.md, and lists no other", () => {
    const doc = readFileSync(new URL("../docs/errors.md", import.meta.url), "utf8");
    const rows = [...doc.matchAll(/^\| `([A-Z_]+)` +\| `(\w+)`/gm)].map((m) => [m[1], m[2]]);
    const documented = new Map(rows.map(([code, cls]) => [cls + ":" + code, true]));
    const classes = new Set<string>();
    for (const [name, cls] of exported()) {
      assert.equal(typeof cls.code, "string", `${name} has no static code`);
      assert.match(cls.code as string, /^[A-Z][A-Z_]*$/, `${name}.code`);
      assert.ok(
        documented.has(`${name}:${cls.code}`),
        `${name} (${cls.code}) not in docs/errors.md`,
      );
      classes.add(name);
    }
    for (const [code, cls] of rows) {
      assert.ok(classes.has(cls), `docs/errors.md lists ${code} of ${cls}, which is not exported`);
    }
  });

  it("sets the instance's code from its class, or the more specific kind", () => {
    assert.equal(new api.SpecError("x").code, "FORMULA_SPEC");
    assert.equal(new api.RError("x").code, "R_ERROR");
    assert.equal(new BrmstsError("x").code, "BRMSTS_ERROR");
    assert.equal(new api.BrmstsInputError("x", { code: "DATA_FORMAT" }).code, "DATA_FORMAT");
    const job = new cluster.ClusterJobError("x", {
      job: "j",
      kind: "bad-input",
      errorName: "RError",
      attempts: 1,
    });
    assert.equal(job.code, "CLUSTER_JOB_BAD_INPUT");
    assert.equal(new api.RAbortError("x", { workerRestarted: false }).code, "ABORTED");
  });

  it("keeps bad input one family: the input errors and the Type/RangeErrors", () => {
    const t = new api.BrmstsTypeError("x");
    const r = new api.BrmstsRangeError("y");
    for (const e of [t, r]) {
      assert.ok(e instanceof BrmstsError && e instanceof api.BrmstsInputError);
      assert.equal(e instanceof api.SpecError, false);
    }
    assert.ok(t instanceof TypeError && r instanceof RangeError);
    assert.deepEqual([t.name, t.code, r.name, r.code], [
      "TypeError",
      "INPUT_TYPE",
      "RangeError",
      "INPUT_RANGE",
    ]);
    for (
      const cls of [
        api.SpecError,
        api.PlotInputError,
        api.InterpretError,
        cluster.ClusterInputError,
      ]
    ) {
      assert.ok(new cls("x") instanceof api.BrmstsInputError, cls.name);
    }
    assert.equal(new api.RError("x") instanceof api.BrmstsInputError, false);
    assert.equal(new Error("x") instanceof BrmstsError, false);
    assert.equal(new TypeError("x") instanceof BrmstsError, false);
  });

  it("throws coded input errors from the library's own checks", () => {
    const bad = [
      () => new api.DataFrame({ a: [1, 2], b: [1] }),
      () => api.InferenceData.fromObject({ posterior: { mu: new Float64Array(4) } }).group("prior"),
      () => api.bf(42 as unknown as string),
    ];
    for (const f of bad) {
      try {
        f();
        assert.fail("no error");
      } catch (e) {
        if ((e as Error).message === "no error") throw e;
        assert.ok(e instanceof api.BrmstsInputError, String(e));
        assert.match((e as { code: string }).code, /^[A-Z_]+$/);
      }
    }
  });
});
