/**
 * Random round trip: data frames of every column type (doubles from arbitrary bit patterns,
 * so every NaN payload and sign; lengths 0-5000 with 1 and 2 common; any Unicode text) sent to
 * R and back through `identity`, compared bit for bit. Prints how many frames matched.
 *
 * Run: `deno run -A tools/roundtrip.ts [frames]` or `bun tools/roundtrip.ts [frames]`
 * (default 2,000).
 *
 * @module
 */
import process from "node:process";
import fc from "fast-check";
import { Categorical, DataFrame, NA_INTEGER } from "../data/mod.ts";
import { RWorker } from "../worker/mod.ts";

const RUNS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 2000);

const w = new RWorker();
w.setConsoleOutput("silent");

/** A double from any 64-bit pattern (half the time), else an ordinary or special value. */
const doubleBits = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })),
  fc.double().map((d) => {
    const u = new Uint32Array(new Float64Array([d]).buffer);
    return [u[0], u[1]] as [number, number];
  }),
  fc.constantFrom<[number, number]>(
    [1954, 0x7ff00000], // NA_real_
    [0, 0x7ff80000], // NaN
    [5, 0xfff80000], // negative NaN with a payload
    [0, 0x80000000], // -0
  ),
);
function f64(words: [number, number][]): Float64Array {
  const u = new Uint32Array(words.length * 2);
  words.forEach(([lo, hi], i) => (u[2 * i] = lo, u[2 * i + 1] = hi));
  return new Float64Array(u.buffer);
}
const len = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(1, 2) },
  { weight: 4, arbitrary: fc.nat(40) },
  { weight: 1, arbitrary: fc.integer({ min: 600, max: 5000 }) },
);
const text = fc.string({ unit: "binary", maxLength: 12 }).filter((s) =>
  !s.includes("\0") && !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
    .test(s)
);
const optText = fc.option(text, { nil: null });
const date = fc.date({
  min: new Date("1900-01-01"),
  max: new Date("2200-01-01"),
  noInvalidDate: true,
});
const column = (n: number) =>
  fc.oneof(
    fc.array(doubleBits, { minLength: n, maxLength: n }).map(f64),
    fc.array(fc.oneof(fc.integer(), fc.constant(NA_INTEGER)), { minLength: n, maxLength: n })
      .map((v) => Int32Array.from(v)),
    fc.array(optText, { minLength: n, maxLength: n }),
    fc.array(fc.option(fc.boolean(), { nil: null }), { minLength: n, maxLength: n }),
    fc.array(fc.option(date, { nil: null }), { minLength: n, maxLength: n }),
    fc.uniqueArray(text, { minLength: 1, maxLength: 6 }).chain((levels) =>
      fc.tuple(
        fc.constant(levels),
        fc.boolean(),
        fc.array(fc.integer({ min: -1, max: levels.length - 1 }), { minLength: n, maxLength: n }),
      )
    ).map(([levels, ordered, codes]) => new Categorical(levels, Int32Array.from(codes), ordered)),
  );
const frame = len.chain((n) =>
  fc.uniqueArray(text.filter((s) => s.length > 0), { minLength: 0, maxLength: 6 })
    .chain((names) =>
      fc.tuple(fc.constant(n), fc.constant(names), fc.tuple(...names.map(() => column(n))))
    )
).map(([n, names, cols]) =>
  new DataFrame(Object.fromEntries(names.map((k, i) => [k, cols[i]])), { nrow: n })
);

function bytes(x: ArrayBufferView): string {
  return Array.from(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)).join();
}
function same(a: DataFrame, b: DataFrame): string | null {
  if (!(b instanceof DataFrame)) return "not a DataFrame";
  if (b.names.join("\0") !== a.names.join("\0")) return "names";
  if (b.nrow !== a.nrow) return "nrow";
  for (const name of a.names) {
    if (b.columnType(name) !== a.columnType(name)) return `type of ${name}`;
    const x = a.column(name), y = b.column(name);
    if (x instanceof Float64Array || x instanceof Int32Array) {
      if (bytes(y as ArrayBufferView) !== bytes(x)) return `bits of ${name}`;
    } else if (x instanceof Categorical) {
      const c = y as Categorical;
      if (
        c.levels.join("\0") !== x.levels.join("\0") || bytes(c.codes) !== bytes(x.codes) ||
        c.ordered !== x.ordered
      ) return `factor ${name}`;
    } else if (
      JSON.stringify(Array.from(y as ArrayLike<unknown>)) !==
        JSON.stringify(Array.from(x as ArrayLike<unknown>))
    ) return `values of ${name}`;
  }
  return null;
}

const t0 = performance.now();
let ok = 0, cells = 0;
const failures: string[] = [];
for (const df of fc.sample(frame, { numRuns: RUNS, seed: 13 })) {
  cells += df.nrow * df.ncol;
  try {
    const back = await w.call("identity", [df]) as DataFrame;
    const why = same(df, back);
    if (why) failures.push(why);
    else ok++;
  } catch (e) {
    failures.push(String(e));
  }
}
const secs = (performance.now() - t0) / 1000;
// deno-lint-ignore no-explicit-any
const runtime = (globalThis as any).Bun ? "bun" : "deno";
console.log(
  `round trip (${runtime}): ${ok}/${RUNS} random frames bit-exact (${cells} cells) in ` +
    `${secs.toFixed(1)} s`,
);
for (const f of failures.slice(0, 10)) console.log(`  mismatch: ${f}`);
await w.shutdown();
if (failures.length) process.exitCode = 1;
