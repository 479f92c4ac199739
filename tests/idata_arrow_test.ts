// Arrow export: the layout of posterior's draws_df (checked against R), Arrow IPC round trips,
// zero-copy columns and R's NA as null.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { InferenceData, toArrow, toArrowIPC } from "../idata/mod.ts";
import { setNA } from "../data/mod.ts";
import { once, readDoubles, rPath, rscript, SLOW, tempDir } from "./_rscript.ts";

const C = 3, D = 5, I = 2, J = 3;
const tmp = tempDir("brmsts-arrow-");
const f = (name: string) => readDoubles(join(tmp.path, name));

// R: draws of mu and theta[i,j] (as posterior orders them), and the resulting draws_df.
const generate = once(() =>
  rscript(`
suppressMessages(library(posterior))
set.seed(5)
dir <- ${rPath(tmp.path)}
mu <- matrix(rnorm(${D * C}), ${D}, ${C})
theta <- array(rnorm(${D * C * I * J}), c(${D}, ${C}, ${I}, ${J}))
x <- draws_rvars(mu = rvar(mu, with_chains = TRUE), theta = rvar(theta, with_chains = TRUE))
df <- as_draws_df(x)
writeBin(as.double(mu), file.path(dir, "mu.bin"))
writeBin(as.double(theta), file.path(dir, "theta.bin"))
writeBin(as.double(as.matrix(df)), file.path(dir, "df.bin"))
writeLines(names(df), file.path(dir, "names.txt"))
`)
);

/** The R draws as an InferenceData: theta[c, d, i, j] in C order from R's column-major array. */
function fromR() {
  generate();
  const mu = f("mu.bin"); // draws x chains, column-major: chain-major series
  const th = f("theta.bin"); // draws x chains x I x J, column-major
  const theta = new Float64Array(C * D * I * J);
  for (let c = 0; c < C; c++) {
    for (let d = 0; d < D; d++) {
      for (let i = 0; i < I; i++) {
        for (let j = 0; j < J; j++) {
          theta[((c * D + d) * I + i) * J + j] = th[d + D * (c + C * (i + I * j))];
        }
      }
    }
  }
  return InferenceData.fromObject({
    posterior: {
      mu,
      theta: { dims: ["chain", "draw", "i", "j"], data: theta, shape: [C, D, I, J] },
    },
  }, { chains: C, draws: D });
}

after(() => tmp.cleanup());

describe("toArrow() in the layout of posterior's draws_df", () => {
  it("names, orders and fills the columns like as_draws_df()", SLOW, async () => {
    const table = await toArrow(fromR(), "posterior", { metaColumns: "last" });
    const names = readFileSync(join(tmp.path, "names.txt"), "utf8").trim().split("\n");
    assert.deepEqual(table.schema.fields.map((x) => x.name), names);
    const df = f("df.bin"); // rows x columns, column-major
    const rows = C * D;
    names.forEach((name, k) => {
      const col = Array.from(table.getChild(name)!.toArray() as ArrayLike<number>);
      assert.deepEqual(col, Array.from(df.subarray(k * rows, (k + 1) * rows)), name);
    });
    assert.equal(String(table.schema.fields.at(-1)!.type), "Int32");
  });

  it("puts .chain, .iteration and .draw first by default", SLOW, async () => {
    const table = await toArrow(fromR());
    assert.deepEqual(
      table.schema.fields.slice(0, 4).map((x) => x.name),
      [".chain", ".iteration", ".draw", "mu"],
    );
    assert.deepEqual(Array.from(table.getChild(".iteration")!.toArray()).slice(0, 7), [
      1,
      2,
      3,
      4,
      5,
      1,
      2,
    ]);
  });

  it("round-trips through an Arrow IPC file and stream", SLOW, async () => {
    const idata = fromR();
    for (const format of ["file", "stream"] as const) {
      const path = join(tmp.path, `draws.${format}.arrow`);
      writeFileSync(path, await toArrowIPC(idata, "posterior", { format }));
      const back = tableFromIPC(new Uint8Array(readFileSync(path)));
      const table = await toArrow(idata);
      assert.deepEqual(
        back.schema.fields.map((x) => x.name),
        table.schema.fields.map((x) => x.name),
      );
      assert.deepEqual(
        back.schema.fields.map((x) => String(x.type)),
        table.schema.fields.map((x) => String(x.type)),
      );
      for (const field of table.schema.fields) {
        assert.deepEqual(
          Array.from(back.getChild(field.name)!.toArray() as ArrayLike<number>),
          Array.from(table.getChild(field.name)!.toArray() as ArrayLike<number>),
          field.name,
        );
      }
      assert.equal(back.numRows, C * D);
    }
  });

  it("wraps scalar Float64 variables without copying", async () => {
    const sab = new SharedArrayBuffer(8 * 64);
    const mu = new Float64Array(sab, 8 * 4, 12);
    const idata = InferenceData.fromObject({ posterior: { mu } }, { chains: 3 });
    const values = (await toArrow(idata)).getChild("mu")!.data[0].values as Float64Array;
    assert.equal(values.buffer, sab);
    assert.equal(values.byteOffset, mu.byteOffset);
  });

  it("turns R's NA into null and keeps NaN", async () => {
    const x = Float64Array.from([1, 2, NaN, 4]);
    setNA(x, 1);
    const table = await toArrow(InferenceData.fromObject({ posterior: { x } }));
    const col = table.getChild("x")!;
    assert.equal(col.nullCount, 1);
    assert.equal(col.get(1), null);
    assert.ok(Number.isNaN(col.get(2)));
    assert.equal(col.get(3), 4);
  });

  it("selects variables and exports any group with draws", async () => {
    const idata = InferenceData.fromObject({
      posterior: { a: new Float64Array(4), b: new Float64Array(4) },
      prior: { a: new Float64Array(6) },
    });
    const t = await toArrow(idata, "posterior", { varNames: ["b"] });
    assert.deepEqual(t.schema.fields.map((x) => x.name), [".chain", ".iteration", ".draw", "b"]);
    assert.equal((await toArrow(idata, "prior")).numRows, 6);
  });
});
