/**
 * The worker's C heap policy (`CallOptions.heap`): under "reuse", memory R frees stays in the
 * worker's heap for the next call; a "release" call or any call without a policy gives it back
 * to the OS. Measured as the worker's anonymous resident memory (RssAnon).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { RWorker } from "../worker/mod.ts";
import { procKiB } from "./_codec_util.ts";

const MiB = 1048576;
const SIZE_MB = 200;

describe("the worker's heap policy", () => {
  const w = new RWorker();
  let pid = 0;
  let base = 0;
  const heap = () => procKiB(pid, "RssAnon");
  /** Allocates SIZE_MB of doubles in R, touches them, drops them and runs R's gc(). */
  const churn = (opts: { heap?: "reuse" | "release" } = {}) =>
    w.call("brmsts_test_churn", [SIZE_MB], opts);

  before(async () => {
    w.setConsoleOutput("silent");
    pid = (await w.status()).pid;
    await w.eval(`brmsts_test_churn <- function(mb) {
      x <- numeric(mb * 131072); x[] <- 1; s <- sum(x); rm(x); invisible(gc()); s
    }`);
    await churn(); // R's own first-time growth is not what is measured
    base = heap();
  });
  after(() => w.shutdown());

  it("returns freed memory to the OS by default", async () => {
    assert.equal(await churn(), SIZE_MB * 131072);
    assert.ok(heap() < base + 50 * MiB, `RssAnon grew by ${(heap() - base) / MiB} MiB`);
  });

  it("keeps freed memory under reuse and reuses it on the next call instead of growing", async () => {
    assert.equal(await churn({ heap: "reuse" }), SIZE_MB * 131072);
    const kept = heap() - base;
    assert.ok(kept > (SIZE_MB - 20) * MiB, `kept ${kept / MiB} MiB, want about ${SIZE_MB}`);
    await churn({ heap: "reuse" });
    await churn({ heap: "reuse" });
    const again = heap() - base;
    assert.ok(again < kept + 50 * MiB, `grew from ${kept / MiB} to ${again / MiB} MiB`);
  });

  it("gives the kept memory back at the next call without a policy", async () => {
    await churn({ heap: "reuse" });
    assert.ok(heap() - base > (SIZE_MB - 20) * MiB);
    assert.equal(await w.eval("1 + 1"), 2);
    assert.ok(heap() < base + 50 * MiB, `RssAnon still ${(heap() - base) / MiB} MiB up`);
  });

  it("gives it back after a 'release' call, the last of a chunked loop", async () => {
    await churn({ heap: "reuse" });
    await churn({ heap: "release" });
    assert.ok(heap() < base + 50 * MiB, `RssAnon still ${(heap() - base) / MiB} MiB up`);
    // Default behaviour again: nothing kept.
    await churn();
    assert.ok(heap() < base + 50 * MiB);
  });
});
