/**
 * Soak: many mixed calls on one worker, printing the main process's and the worker's RSS and
 * open fds at the start (after a warm-up) and at the end, and the calls' outcomes.
 *
 * Run: `deno run -A tools/soak.ts [calls]` or `bun tools/soak.ts [calls]` (default 10,000).
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";
import { DataFrame } from "../data/mod.ts";
import { named, RAbortError, RError, type RObject, RWorker } from "../worker/mod.ts";

const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 10_000);

function rssMB(pid: number | "self"): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}
function fds(pid: number | "self"): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
function gc(): void {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (typeof g.gc === "function") g.gc();
  else if (g.Bun) g.Bun.gc(true);
}

const w = new RWorker();
w.setConsoleOutput("silent");
/** How many times each kind ran. */
const counts: Record<string, number> = {};
const count = (k: string) => (counts[k] = (counts[k] ?? 0) + 1, 1);

/** One call of kind `i % 10`, checked against its known answer. */
async function one(i: number): Promise<number> {
  const k = i % 10;
  switch (k) {
    case 0: {
      if (await w.eval(`${i} + 1`) !== i + 1) throw new Error("eval");
      return count("eval");
    }
    case 1: {
      const x = Float64Array.from({ length: 100 }, (_, j) => j + i);
      const s = await w.call("sum", [x]) as number;
      if (s !== 4950 + 100 * i) throw new Error("sum");
      return count("callR vector");
    }
    case 2: {
      const df = new DataFrame({ a: Float64Array.from([i, 2, 3]), s: ["x", "y", `${i}`] });
      const back = await w.call("identity", [df]) as DataFrame;
      if ((back.column("s") as string[])[2] !== `${i}`) throw new Error("frame");
      return count("frame round trip");
    }
    case 3: {
      const e = await w.eval(`stop("soak ${i}")`).catch((e) => e);
      if (!(e instanceof RError) || !e.message.includes(`soak ${i}`)) throw new Error("error");
      return count("R error");
    }
    case 4: {
      const h = await w.eval("new.env()", { convert: "handle" }) as RObject;
      await w.call("assign", ["v", i, named({ envir: h })]);
      if (await w.call("get", ["v", named({ envir: h })]) !== i) throw new Error("handle");
      h.dispose();
      count("handle (3 calls)");
      return 3;
    }
    case 5: {
      const r = await w.evalResult(`warning("w${i}"); ${i}`);
      if (r.value !== i || !r.warnings[0]?.includes(`w${i}`)) throw new Error("warning");
      return count("warning");
    }
    case 6: {
      if (i % 100 === 6) {
        // A large result through shared memory (8 MB).
        const x = await w.eval("as.numeric(seq_len(1e6))") as Float64Array;
        if (x.length !== 1e6 || x[999_999] !== 1e6) throw new Error("big");
        return count("large result");
      }
      if (await w.call("nchar", ["é".repeat(20_000 + i % 7)]) !== 20_000 + i % 7) {
        throw new Error("long string");
      }
      return count("long string argument");
    }
    case 7: {
      if (i % 200 === 7) {
        const ac = new AbortController();
        setTimeout(() => ac.abort(), 20);
        const e = await w.eval("repeat {}", { signal: ac.signal }).catch((e) => e);
        if (!(e instanceof RAbortError)) throw new Error("abort");
        return count("abort");
      }
      if (await w.eval("paste(letters[1:3], collapse = '')") !== "abc") throw new Error("paste");
      return count("eval string");
    }
    case 8: {
      const m = await w.call("matrix", [Float64Array.from([1, 2, 3, 4, 5, 6]), named({ nrow: 2 })]);
      void m;
      return count("matrix");
    }
    default: {
      const p = [w.eval("1"), w.eval("2"), w.eval("3")];
      const v = await Promise.all(p);
      if (v.join() !== "1,2,3") throw new Error("concurrent");
      count("3 concurrent");
      return 3;
    }
  }
}

for (let i = 0; i < 200; i++) await one(i); // warm-up: every kind, trap compiled
for (const k of Object.keys(counts)) delete counts[k];
gc();
await new Promise((r) => setTimeout(r, 200));
const pid = w.info!.pid;
const start = { mainRss: rssMB("self"), mainFds: fds("self"), rss: rssMB(pid), fds: fds(pid) };
const t0 = performance.now();
let failures = 0, calls = 0;
for (let i = 0; calls < N; i++) {
  try {
    calls += await one(i);
  } catch (e) {
    calls++;
    failures++;
    if (failures <= 5) console.error(`call ${i}: ${e}`);
  }
}
const secs = (performance.now() - t0) / 1000;
gc();
await new Promise((r) => setTimeout(r, 200));
await w.eval("1"); // piggybacks the releases GC queued
const endPid = w.info!.pid;
const end = {
  mainRss: rssMB("self"),
  mainFds: fds("self"),
  rss: rssMB(endPid),
  fds: fds(endPid),
};
// deno-lint-ignore no-explicit-any
const runtime = (globalThis as any).Bun ? "bun" : "deno";
const f = (x: number) => x.toFixed(1);
console.log(`soak (${runtime}): ${calls} calls in ${secs.toFixed(1)} s, ${failures} failed`);
console.log(`  kinds: ${JSON.stringify(counts)}`);
console.log(`  worker restarts during the run: ${endPid === pid ? 0 : "yes (pid changed)"}`);
console.log(
  `  main   RSS ${f(start.mainRss)} -> ${
    f(end.mainRss)
  } MB, fds ${start.mainFds} -> ${end.mainFds}`,
);
console.log(`  worker RSS ${f(start.rss)} -> ${f(end.rss)} MB, fds ${start.fds} -> ${end.fds}`);
await w.shutdown();
if (failures) process.exitCode = 1;
