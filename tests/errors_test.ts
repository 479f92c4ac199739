import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as api from "../mod.ts";
import { BrmstsError } from "../errors.ts";
import { RNotFoundError } from "../ffi/errors.ts";

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
});
