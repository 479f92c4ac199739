// rhat(), essBulk() and essTail() against posterior::rhat/ess_bulk/ess_tail on a plain
// iterations x chains matrix, to 1e-12 relative, over chain lengths (odd, even, 2 and 3 draws
// where R's split makes a chains x 2 matrix, 1 draw), 1 to 4 chains, AR(1) chains with phi 0.9,
// exponential draws, heavy ties, constant chains and all-constant draws.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { essBulk, essTail, rhat } from "../stats/mod.ts";
import { readDoubles, rPath, rscript, SLOW, tempDir, writeDoubles } from "./_rscript.ts";
import { rng } from "./brm_shared.ts";

type Kind = "normal" | "ar" | "exp" | "ties" | "constchain" | "const";
const KINDS: Kind[] = ["normal", "ar", "exp", "ties", "constchain", "const"];
const CHAINS = [1, 2, 4];
const DRAWS = [1, 2, 3, 4, 5, 10, 101, 500, 501];

function draws(kind: Kind, chains: number, n: number, seed: number): Float64Array {
  const u = rng(seed);
  const z = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const x = new Float64Array(chains * n);
  for (let c = 0; c < chains; c++) {
    let prev = z();
    for (let t = 0; t < n; t++) {
      const i = c * n + t;
      if (kind === "normal") x[i] = z();
      else if (kind === "ar") x[i] = prev = t === 0 ? prev : 0.9 * prev + z();
      else if (kind === "exp") x[i] = -Math.log(1 - u());
      else if (kind === "ties") x[i] = Math.round(z());
      else if (kind === "constchain") x[i] = c === 0 ? 1.5 : z();
      else x[i] = 2.25;
    }
  }
  return x;
}

const SETS = KINDS.flatMap((kind) =>
  CHAINS.flatMap((chains) => DRAWS.map((n) => ({ kind, chains, n })))
).map((s, k) => ({ ...s, k, x: draws(s.kind, s.chains, s.n, 1000 + k) }));

describe("R-hat and ESS against posterior over chain shapes, ties and constants", () => {
  const tmp = tempDir("brmsts-rhat-");
  after(() => tmp.cleanup());

  it(`agree to 1e-12 relative for ${SETS.length} draw sets`, SLOW, () => {
    for (const s of SETS) writeDoubles(join(tmp.path, `s${s.k}.bin`), s.x);
    const shapes = SETS.map((s) => `c(${s.n}, ${s.chains})`).join(", ");
    rscript(`
      shapes <- list(${shapes})
      for (k in seq_along(shapes) - 1L) {
        d <- shapes[[k + 1L]]
        x <- readBin(file.path(${rPath(tmp.path)}, paste0("s", k, ".bin")), "double", prod(d))
        m <- matrix(x, d[1], d[2])
        r <- c(posterior::rhat(m), posterior::ess_bulk(m), posterior::ess_tail(m))
        writeBin(as.double(r), file.path(${rPath(tmp.path)}, paste0("r", k, ".bin")))
      }
    `);
    const bad: string[] = [];
    for (const s of SETS) {
      const want = readDoubles(join(tmp.path, `r${s.k}.bin`));
      const got = [rhat(s.x, s.chains), essBulk(s.x, s.chains), essTail(s.x, s.chains)];
      ["rhat", "ess_bulk", "ess_tail"].forEach((name, i) => {
        const g = got[i], w = want[i];
        const ok = (Number.isNaN(g) && Number.isNaN(w)) || g === w ||
          Math.abs(g - w) <= 1e-12 * Math.abs(w);
        if (!ok) bad.push(`${s.kind} ${s.chains}x${s.n} ${name}: ${g} vs R ${w}`);
      });
    }
    assert.deepEqual(bad, [], bad.join("\n"));
  });
});
