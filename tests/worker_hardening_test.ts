/**
 * Issue 13 (hardening), the worker items: large request lines, deep nesting, foreign handles,
 * failing start-up scripts, 1-row NaN payloads, lone surrogates, the first SIGSEGV.
 *
 * @module
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { activeWorkerConfig, setBrmstsHome } from "../env/mod.ts";
import { writeEnvironmentConfig } from "../env/store/config.ts";
import { writeState } from "../env/store/state.ts";
import { DataFrame } from "../data/mod.ts";
import {
  rCode,
  RError,
  RHandleError,
  type RObject,
  RStartupError,
  RWorker,
  RWorkerCrashedError,
} from "../worker/mod.ts";

/** Rejects when `p` has not settled within `ms` (a hang fails the test instead of stalling). */
function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([
    p,
    new Promise<T>((_, rej) => {
      t = setTimeout(() => rej(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

/** Kills a worker that may be wedged (its channel corrupted) and waits for it to go. */
async function kill(w: RWorker): Promise<void> {
  const pid = w.info?.pid;
  if (pid) {
    try {
      process.kill(pid, "SIGKILL");
    } catch { /* gone */ }
  }
  await within(20_000, w.shutdown(), "shutdown").catch(() => {});
}

describe("request lines larger than a pipe buffer", () => {
  const w = new RWorker();
  before(() => w.setConsoleOutput("silent"));
  after(() => kill(w));

  it("counts the characters of a one-million-character string argument", async () => {
    assert.equal(await within(60_000, w.call("nchar", ["x".repeat(1e6)]), "nchar"), 1e6);
  });

  it("returns a 70 KB string argument unchanged and keeps serving calls", async () => {
    const s = "ab\u00e9".repeat(24_000);
    assert.equal(await within(60_000, w.call("identity", [s]), "identity"), s);
    assert.equal(await within(60_000, w.eval("21 * 2"), "eval"), 42);
  });

  it("evaluates a 200 KB R source", async () => {
    const src = "x <- 0\n" + "x <- x + 1\n".repeat(20_000) + "x";
    assert.equal(await within(60_000, w.eval(src), "evalR"), 20_000);
  });

  it("round-trips a 200-row frame of 430-character strings", async () => {
    const col = Array.from({ length: 200 }, (_, i) => `${i}:` + "q".repeat(430));
    const back = await within(
      60_000,
      w.call("identity", [new DataFrame({ s: col })]),
      "frame",
    ) as DataFrame;
    assert.deepEqual(back.column("s"), col);
  });

  it("sends a 100 KB request line over the raw channel intact", async () => {
    // No shared-memory detour for request lines: the channel's own write path must carry it.
    process.env.BRMSTS_LINE_SHM_MIN = String(1 << 30);
    try {
      const s = "z".repeat(100_000);
      assert.equal(await within(60_000, w.call("nchar", [s]), "raw nchar"), 100_000);
      const src = "y <- 0\n" + "y <- y + 2\n".repeat(10_000) + "y";
      assert.equal(await within(60_000, w.eval(src), "raw evalR"), 20_000);
    } finally {
      delete process.env.BRMSTS_LINE_SHM_MIN;
    }
  });

  it("delivers a one-megabyte line of R console output intact", async () => {
    let text = "";
    await within(
      60_000,
      w.eval('cat(strrep("kq", 5e5), "\\n", sep = "")', { onLog: (e) => text += e.text }),
      "cat",
    );
    assert.equal(text, "kq".repeat(5e5) + "\n");
  });

  it("returns a one-million-character string from R intact", async () => {
    const s = await within(60_000, w.eval('strrep("yz", 5e5)'), "strrep") as string;
    assert.equal(s.length, 1e6);
    assert.equal(s, "yz".repeat(5e5));
  });
});

describe("deeply nested R source", () => {
  const w = new RWorker();
  before(() => w.setConsoleOutput("silent"));
  after(() => w.shutdown());

  it("raises an R error for 51 nested brackets and keeps the worker alive", async () => {
    await w.eval("keep <- 7");
    const gen = w.generation;
    const src = "(".repeat(51) + "1" + ")".repeat(51);
    const err = await w.eval(src).catch((e) => e);
    assert.ok(err instanceof RError, String(err));
    assert.match(err.message, /context|nest|deep|overflow/i);
    assert.equal(w.generation, gen);
    assert.equal(await w.eval("keep"), 7);
  });

  it("raises an R error for a 20,000-character symbol and keeps the worker alive", async () => {
    const gen = w.generation;
    const err = await w.eval("a".repeat(20_000)).catch((e) => e);
    assert.ok(err instanceof RError, String(err));
    assert.equal(w.generation, gen);
    assert.equal(await w.eval("keep"), 7);
  });

  it("still evaluates 40 nested brackets", async () => {
    assert.equal(await w.eval("(".repeat(40) + "3" + ")".repeat(40)), 3);
  });
});

describe("handles used on another worker", () => {
  const a = new RWorker(), b = new RWorker();
  before(() => (a.setConsoleOutput("silent"), b.setConsoleOutput("silent")));
  after(() => Promise.all([a.shutdown(), b.shutdown()]));

  it("refuses a handle from worker A on worker B with an RHandleError", async () => {
    const ha = await a.eval('structure(list("A"), class = "thing")', { convert: "handle" });
    const hb = await b.eval('structure(list("B"), class = "thing")', { convert: "handle" });
    assert.equal((ha as RObject).id, (hb as RObject).id); // same id on both: the trap
    const err = await b.call("identity", [ha], { convert: "value" }).catch((e) => e);
    assert.ok(err instanceof RHandleError, String(err));
    assert.match(err.message, /another R worker/);
    assert.deepEqual(await b.call("unclass", [hb]), ["B"]);
    assert.deepEqual(await a.call("unclass", [ha]), ["A"]);
  });
});

describe("failing start-up scripts", () => {
  it("fails the first call with RStartupError naming the first script and R's message", async () => {
    const w = new RWorker({ startupScripts: ['stop("boom one")', "x <- 1"] });
    w.setConsoleOutput("silent");
    try {
      for (let i = 0; i < 2; i++) {
        const err = await within(60_000, w.eval("1"), "first call").catch((e) => e);
        assert.ok(err instanceof RStartupError, String(err));
        assert.match(err.message, /startupScripts\[0\]/);
        assert.match(err.message, /boom one/);
      }
    } finally {
      await w.shutdown();
    }
  });

  it("fails the first call (and does not hang) when a later script fails", async () => {
    const w = new RWorker({ startupScripts: ["x <- 1", "stop('boom two')"] });
    w.setConsoleOutput("silent");
    try {
      const err = await within(60_000, w.eval("1"), "first call").catch((e) => e);
      assert.ok(err instanceof RStartupError, String(err));
      assert.match(err.message, /startupScripts\[1\]/);
      assert.match(err.message, /boom two/);
    } finally {
      await w.shutdown();
    }
  });

  it("fails the first call of an environment whose config.json start-up script fails", async () => {
    const home = mkdtempSync(join(tmpdir(), "brmsts-home-"));
    setBrmstsHome(home);
    try {
      writeEnvironmentConfig({
        name: "bad",
        rHome: null,
        env: {},
        startupScripts: ["library(stats)", "stop('config boom')"],
      });
      writeState("bad");
      const w = new RWorker({}, activeWorkerConfig);
      w.setConsoleOutput("silent");
      try {
        const err = await within(60_000, w.eval("1"), "first call").catch((e) => e);
        assert.ok(err instanceof RStartupError, String(err));
        assert.match(err.message, /startupScripts\[1\].*config boom/s);
      } finally {
        await w.shutdown();
      }
    } finally {
      setBrmstsHome();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("reads an environment's config.json again at each start (a removed failing script)", async () => {
    const home = mkdtempSync(join(tmpdir(), "brmsts-home-"));
    setBrmstsHome(home);
    try {
      const cfg = (scripts: string[]) =>
        writeEnvironmentConfig({ name: "dev", rHome: null, env: {}, startupScripts: scripts });
      cfg(["stop('boom at start')"]);
      writeState("dev");
      // Both ways of building on the active environment: its configuration, and the resolver.
      for (const w of [new RWorker(activeWorkerConfig()), new RWorker({}, activeWorkerConfig)]) {
        w.setConsoleOutput("silent");
        try {
          cfg(["stop('boom at start')"]);
          const err = await within(60_000, w.eval("1"), "first call").catch((e) => e);
          assert.ok(err instanceof RStartupError, String(err));
          assert.match(err.message, /boom at start/);
          cfg(["brmsts_x <- 42"]); // the failing script removed by hand
          assert.equal(await within(60_000, w.eval("brmsts_x"), "second call"), 42);
        } finally {
          await w.shutdown();
        }
      }
      // A copy of the configuration is the caller's own: it is not read again.
      assert.deepEqual({ ...activeWorkerConfig() }.startupScripts, ["brmsts_x <- 42"]);
    } finally {
      setBrmstsHome();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("runs working start-up scripts before the first call", async () => {
    const w = new RWorker({ startupScripts: ["x <- 20", "y <- x + 1"] });
    w.setConsoleOutput("silent");
    try {
      assert.equal(await w.eval("y * 2"), 42);
    } finally {
      await w.shutdown();
    }
  });
});

describe("double and string fidelity", () => {
  const w = new RWorker();
  before(() => w.setConsoleOutput("silent"));
  after(() => w.shutdown());

  const bits = (x: Float64Array) =>
    Array.from(new Uint32Array(x.buffer, x.byteOffset, 2 * x.length));

  it("keeps NaN payloads and sign bits bit-exact in 1-row and 2-row double columns", async () => {
    for (const n of [1, 2, 3]) {
      const x = new Float64Array(n), u = new Uint32Array(x.buffer);
      const words = [
        [0x00000005, 0xfff80000], // negative NaN with a payload
        [0x000007a2, 0xfff00000], // NA_real_ with the sign bit set
        [0x00000000, 0x80000000], // -0
      ];
      for (let i = 0; i < n; i++) [u[2 * i], u[2 * i + 1]] = words[i];
      const back = await w.call("identity", [new DataFrame({ x })]) as DataFrame;
      assert.deepEqual(bits(back.column("x") as Float64Array), bits(x), `n = ${n}`);
    }
  });

  it("keeps the payload of a NaN R made in a one-element vector", async () => {
    // R computes the bits (0x7ff8dead00000001 via writeBin); a 1-row frame carries them back.
    const back = await w.eval(
      'data.frame(x = readBin(as.raw(c(1,0,0,0,0xad,0xde,0xf8,0x7f)), "double", size = 8))',
    ) as DataFrame;
    assert.deepEqual(bits(back.column("x") as Float64Array), [0x00000001, 0x7ff8dead]);
  });

  it("rejects a lone surrogate with a TypeError naming where it is", async () => {
    const err = await w.call("identity", [{ a: ["ok", "bad\ud800x"] }]).catch((e) => e);
    assert.ok(err instanceof TypeError, String(err));
    assert.match(err.message, /surrogate/);
    assert.match(err.message, /args\[0\]\.a\[1\]/);
    const e2 = await w.eval('"\udc00"').catch((e) => e);
    assert.ok(e2 instanceof TypeError, String(e2));
    const e3 = await w.call("identity", [new DataFrame({ s: ["a", "\udfff"] })]).catch((e) => e);
    assert.ok(e3 instanceof TypeError, String(e3));
    assert.match(e3.message, /surrogate/);
    const e4 = await w.call("eval", [rCode('"\ud800"')]).catch((e) => e);
    assert.ok(e4 instanceof TypeError, String(e4));
    // Proper pairs are fine.
    assert.equal(await w.call("identity", ["\ud83d\ude00"]), "\ud83d\ude00");
  });
});

describe("signals sent to the worker", () => {
  const w = new RWorker();
  before(() => w.setConsoleOutput("silent"));
  after(() => w.shutdown());

  it("dies of the first SIGSEGV sent to a fresh worker and recovers", async () => {
    const err = await within(60_000, w.eval("tools::pskill(Sys.getpid(), 11)"), "segv")
      .catch((e) => e);
    assert.ok(err instanceof RWorkerCrashedError, String(err));
    assert.equal(err.recovered, true);
    assert.equal(await w.eval("2 + 2"), 4);
  });
});
