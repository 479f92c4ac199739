import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { defaultWorker, evalR, type LogEntry, onLog, shutdown } from "../worker/mod.ts";

describe("console output of the worker", () => {
  before(() => defaultWorker().setConsoleOutput("silent"));
  after(() => shutdown());

  it("captures print, cat and message through the console callback", async () => {
    const seen: LogEntry[] = [];
    const off = onLog((e) => seen.push(e));
    await evalR('print(1:3); cat("plain text\\n"); message("to stderr")');
    off();
    const out = seen.filter((e) => e.stream === "stdout").map((e) => e.text).join("");
    const err = seen.filter((e) => e.stream === "stderr").map((e) => e.text).join("");
    assert.equal(out, "[1] 1 2 3\nplain text\n");
    assert.equal(err, "to stderr\n");
  });

  it("routes a call's output to its own onLog", async () => {
    const mine: string[] = [];
    await evalR('cat("for me\\n")', { onLog: (e) => mine.push(e.text) });
    assert.deepEqual(mine, ["for me\n"]);
  });

  it("forwards output written to the worker's raw stdout by child processes", async () => {
    const raw: string[] = [];
    const off = onLog((e) => e.stream === "raw" && raw.push(e.text));
    await evalR('invisible(system("echo from-a-child-process"))');
    // The raw stream is forwarded by the watcher thread: it may trail the result slightly.
    for (let i = 0; i < 40 && !raw.join("").includes("from-a-child"); i++) {
      await evalR("Sys.sleep(0.05)");
    }
    off();
    assert.match(raw.join(""), /from-a-child-process\n/);
  });

  it("lets forked R children (mclapply) print: their output arrives raw, the worker lives", async () => {
    const raw: string[] = [];
    const off = onLog((e) => e.stream === "raw" && raw.push(e.text));
    const pid = (await defaultWorker().status()).pid;
    const v = await evalR(`unlist(parallel::mclapply(1:4, function(i) {
      print(paste0("child-print-", i)); message("child-message-", i); warning("w"); i * 2
    }, mc.cores = 2))`);
    assert.deepEqual(Array.from(v as Int32Array | Float64Array), [2, 4, 6, 8]);
    for (let i = 0; i < 40 && !/child-message-4/.test(raw.join("")); i++) {
      await evalR("Sys.sleep(0.05)");
    }
    off();
    const text = raw.join("");
    for (let i = 1; i <= 4; i++) {
      assert.match(text, new RegExp(`child-print-${i}`));
      assert.match(text, new RegExp(`child-message-${i}`));
    }
    assert.equal((await defaultWorker().status()).pid, pid, "the same worker");
    assert.equal(await evalR("1 + 1"), 2);
  });

  it("never lets console output corrupt the protocol", async () => {
    const v = await evalR('for (i in 1:200) cat("{\\"kind\\":\\"result\\",\\"id\\":1}\\n"); 99');
    assert.equal(v, 99);
  });
});
