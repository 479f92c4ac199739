/**
 * The scorer equals brms: a corpus of models of every supported family and term kind is fitted
 * (few iterations, compiled models shared through the cache), exported, loaded in pure TS, and
 * its linpred / epred on random new data (factor-level subsets, re_formula NA and subsets of
 * groups, distributional parameters) compared with brms's posterior_linpred / posterior_epred
 * on the same draws to 1e-12 relative. Unsupported models are refused at export, bad new data
 * as brms refuses it, bad artifacts never scored.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { brm, type FitResult } from "../brms/mod.ts";
import { defaultWorker, shutdown } from "../worker/mod.ts";
import { exportScorer } from "../brms/postfit/export_scorer.ts";
import {
  loadScorer,
  SCORER_FORMAT_VERSION,
  ScorerFormatError,
  ScorerInputError,
  ScorerUnsupportedError,
} from "../score/mod.ts";
import { brmsError, brmsPred, maxRelDiff } from "./_score_util.ts";
import { CORPUS, newData, REFUSED, trainData } from "./score_corpus.ts";
import { installRHelpers } from "../rhelpers.ts";

const TOL = 1e-12;
const fits = new Map<string, FitResult>();

async function fitOf(name: string): Promise<FitResult> {
  let f = fits.get(name);
  if (f) return f;
  const m = CORPUS.find((c) => c.name === name)!;
  f = (await brm({
    formula: m.formula,
    data: trainData(),
    family: m.family,
    chains: 1,
    iter: 300,
    seed: 11,
    refresh: 0,
    returnIdata: false,
    ...(m.extra ?? {}),
  } as never)) as FitResult;
  fits.set(name, f);
  return f;
}

describe("scorer equals brms", () => {
  before(() => defaultWorker().setConsoleOutput("silent"));
  after(() => shutdown());

  // SCORE_CORPUS=reverse runs the corpus last model first (a second process sharing the
  // compiled-model cache then meets the first one half-way).
  // SCORE_CORPUS=only:REGEX runs the models whose name matches.
  // deno-lint-ignore no-explicit-any
  const sel: string = (globalThis as any).process?.env?.SCORE_CORPUS ?? "";
  let order = CORPUS.map((m, k) => [m, k] as const);
  if (sel === "reverse") order.reverse();
  if (sel.startsWith("only:")) order = order.filter(([m]) => new RegExp(sel.slice(5)).test(m.name));
  order.forEach(([m, k]) => {
    it(`${m.name}: linpred and epred equal brms's`, async () => {
      const fit = await fitOf(m.name);
      const bytes = await exportScorer(fit, { ndraws: 37 });
      const sc = loadScorer(bytes);
      assert.equal(sc.ndraws, 37);
      const nd = newData(100 + k);
      for (const re of m.reFormulas) {
        for (const what of ["linpred", "epred"] as const) {
          const got = sc[what](nd, { reFormula: re });
          const want = await brmsPred(fit, nd, sc.header.drawIds, what, re);
          assert.deepEqual(got.shape, want.shape, `${what} re=${re} shape`);
          const diff = maxRelDiff(got.data, want.data);
          assert.ok(diff <= TOL, `${m.name} ${what} re=${re}: max rel diff ${diff}`);
        }
      }
      for (const dp of m.dpars ?? []) {
        for (const what of ["linpred", "epred"] as const) {
          const got = sc[what](nd, { dpar: dp });
          const want = await brmsPred(fit, nd, sc.header.drawIds, what, undefined, dp);
          const diff = maxRelDiff(got.data, want.data);
          assert.ok(diff <= TOL, `${m.name} ${what} dpar=${dp}: max rel diff ${diff}`);
        }
      }
      // The chunked summary is the summary of the full draws.
      const full = sc.epred(nd);
      const s = sc.summary(nd, { chunkRows: 3, probs: [0.1, 0.9] });
      const K = full.shape[2] ?? 1, n = full.shape[1], D = full.shape[0];
      for (let q = 0; q < n * K; q++) {
        let mean = 0;
        for (let d = 0; d < D; d++) mean += full.data[d * n * K + q];
        mean /= D;
        assert.ok(
          Math.abs(s.mean[q] - mean) <= 1e-12 * Math.max(1, Math.abs(mean)),
          "summary mean",
        );
        const v = Float64Array.from({ length: D }, (_, d) => full.data[d * n * K + q]).sort();
        for (const [p, key] of [[0.1, "Q10"], [0.9, "Q90"]] as const) {
          const h = (D - 1) * p, lo = Math.floor(h), w = h - lo;
          const want = w > 0 && v[lo + 1] !== v[lo] ? (1 - w) * v[lo] + w * v[lo + 1] : v[lo];
          assert.equal(s.quantiles[key][q], want, `summary ${key}`);
        }
      }
    });
  });

  it("refuses bad new data as brms does, naming the column", async () => {
    const fit = await fitOf("gaussian factor interaction");
    const sc = loadScorer(await exportScorer(fit, { ndraws: 5 }));
    const ids = sc.header.drawIds;
    const good = newData(5, 3);
    const cases: [Record<string, unknown[]>, string, string, RegExp][] = [
      [{ ...good, x: undefined as never }, "missing-column", "x", /object 'x' not found/],
      [
        { ...good, f: ["a", "zz", "c"] },
        "new-factor-level",
        "f",
        /New factor levels are not allowed/,
      ],
      [{ ...good, x: ["1", "2", "3"] }, "wrong-type", "x", /originally numeric/],
      [{ ...good, g: [1, 99, 2] }, "new-group-level", "g", /cannot be found in the fitted model/],
    ];
    for (const [nd, code, col, brmsRe] of cases) {
      const clean = Object.fromEntries(Object.entries(nd).filter(([, v]) => v !== undefined));
      const msg = await brmsError(fit, clean, ids);
      assert.match(msg, brmsRe, `brms's own message for ${code}: ${msg}`);
      assert.throws(() => sc.epred(clean), (e: unknown) => {
        assert.ok(e instanceof ScorerInputError, String(e));
        assert.equal(e.code, code);
        assert.equal(e.column, col);
        assert.match(e.message, brmsRe);
        return true;
      });
    }
    // NA in a factor: brms codes it as all-zero contrasts ("zero__"), and so does the scorer.
    const naF = { ...good, f: ["a", null, "c"] };
    assert.equal(await brmsError(fit, naF, ids), "");
    const na1 = sc.epred(naF), na2 = await brmsPred(fit, naF, ids, "epred");
    assert.ok(maxRelDiff(na1.data, na2.data) <= TOL, "NA factor level");
    // re_formula NA needs no grouping column, as in brms.
    const noG = Object.fromEntries(Object.entries(good).filter(([k]) => k !== "g"));
    const a = sc.epred(noG, { reFormula: null });
    const b = await brmsPred(fit, noG, ids, "epred", null);
    assert.ok(maxRelDiff(a.data, b.data) <= TOL);
    assert.throws(() => sc.epred(good, { allowNewLevels: true }), ScorerInputError);
    assert.throws(() => sc.epred(good, { dpar: "nope" }), ScorerInputError);
  });

  it("refuses unsupported models at export, naming the term or family", async () => {
    const w = defaultWorker();
    await installRHelpers(
      w,
      "scorer_test_empty",
      `brmsts_sct_empty <- function(formula, family, data) {
        # brms evaluates special terms (me(), gp(), ...) where it finds them attached.
        if (!"package:brms" %in% search()) suppressMessages(attachNamespace("brms"))
        ns <- asNamespace("brms")
        suppressWarnings(brms::brm(eval(str2lang(formula), ns), data = as.data.frame(data),
          family = eval(str2lang(family), ns), empty = TRUE))
      }`,
    );
    const d = trainData();
    const plain = Object.fromEntries(
      Object.entries(d).filter(([, v]) => Array.isArray(v)),
    );
    for (const m of REFUSED) {
      const fit = await w.call("brmsts_sct_empty", [m.formula, m.family, plain]);
      await assert.rejects(exportScorer(fit as never), (e: unknown) => {
        assert.ok(e instanceof ScorerUnsupportedError, `${m.name}: ${e}`);
        assert.match(e.term + " " + e.message, m.term, m.name);
        return true;
      });
    }
  });

  it("refuses artifacts of a newer version, truncated or corrupted", async () => {
    const fit = await fitOf("gaussian numeric");
    const bytes = await exportScorer(fit, { ndraws: 10 });
    const nd = newData(1, 2);
    loadScorer(bytes).epred(nd);
    const newer = bytes.slice();
    new DataView(newer.buffer).setUint32(8, SCORER_FORMAT_VERSION + 1, true);
    assert.throws(
      () => loadScorer(newer),
      (e: unknown) =>
        e instanceof ScorerFormatError && e.code === "version-too-new" &&
        /version 2/.test(e.message),
    );
    for (const cut of [10, 40, Math.floor(bytes.length / 2), bytes.length - 1]) {
      assert.throws(() => loadScorer(bytes.subarray(0, cut)), ScorerFormatError, `cut ${cut}`);
    }
    for (const at of [20, Math.floor(bytes.length / 2), bytes.length - 40, bytes.length - 1]) {
      const bad = bytes.slice();
      bad[at] ^= 0x01;
      assert.throws(
        () => loadScorer(bad),
        (e: unknown) =>
          e instanceof ScorerFormatError && (e.code === "checksum" || e.code === "bad-magic"),
      );
    }
    const magic = bytes.slice();
    magic[0] = 0;
    assert.throws(() => loadScorer(magic), ScorerFormatError);
    // thin and ndraws: the kept draws are brms's draw_ids.
    const thin = loadScorer(await exportScorer(fit, { thin: 3 }));
    assert.deepEqual(thin.header.drawIds.slice(0, 3), [1, 4, 7]);
    const got = thin.linpred(nd);
    const want = await brmsPred(fit, nd, thin.header.drawIds, "linpred");
    assert.ok(maxRelDiff(got.data, want.data) <= TOL);
  });
});
