/**
 * plotPredictions(), plotComparisons(), plotSlopes() (issue 16) on the epilepsy fit of
 * interpret_test.ts (same formula, family, priors, data and seed: the cached model, no new
 * compile). The spec's data are exactly the rows of predictions() / comparisons() / slopes()
 * with the same options; condition grids are rebuilt here from R's range and fivenum of the
 * model data; the rendered SVG has the marks marginaleffects draws (line + ribbon for a numeric
 * x, points + error bars for a factor).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { epilepsyFit } from "./brm_shared.ts";
import { svgMarks } from "./_svg.ts";
import { defaultWorker, evalR, shutdown } from "../worker/mod.ts";
import type { FitResult } from "../brms/mod.ts";
import {
  comparisons,
  datagrid,
  InterpretError,
  type InterpretResult,
  plotComparisons,
  plotPredictions,
  plotSlopes,
  predictions,
  slopes,
  UnknownVariableError,
} from "../interpret/mod.ts";
import type { Plot } from "../plot/mod.ts";

type Row = { x: unknown; group?: unknown; estimate: number; lower: number; upper: number };

function specRows(p: Plot): Row[] {
  const values = (p.spec!.data as { values: Row[] }).values;
  assert.deepEqual(values, p.data.estimates, "the spec's data are the plot's estimates");
  return values;
}

/** The spec's rows equal the result's rows exactly, in order, with x (and group) as given. */
function sameRows(
  p: Plot,
  res: InterpretResult,
  x: (k: number) => unknown,
  g?: (k: number) => unknown,
): void {
  const rows = specRows(p);
  assert.equal(rows.length, res.rows.length);
  res.rows.forEach((r, k) => {
    assert.equal(rows[k].estimate, r.estimate, `row ${k} estimate`);
    assert.equal(rows[k].lower, r.lower, `row ${k} lower`);
    assert.equal(rows[k].upper, r.upper, `row ${k} upper`);
    assert.equal(rows[k].x, x(k), `row ${k} x`);
    if (g) assert.equal(rows[k].group, g(k), `row ${k} group`);
  });
}

/** R's 50 equally spaced values over the range of a model-data column. */
async function rangeSeq(v: string): Promise<number[]> {
  const s = await evalR(`{ x <- brms::epilepsy$${v}; seq(min(x), max(x), length.out = 50) }`);
  return [...(s as Float64Array)];
}

describe("plotting predictions, comparisons and slopes", () => {
  let ep: FitResult;

  before(async () => {
    defaultWorker().setConsoleOutput("silent");
    ep = (await epilepsyFit()).fit;
  });
  after(() => shutdown());

  it("plotPredictions() by a factor: the rows of predictions(by), as points and error bars", async () => {
    const p = await plotPredictions(ep, { by: "Trt" });
    const res = await predictions(ep, { by: "Trt" });
    sameRows(p, res, (k) => res.rows[k].by.Trt);
    assert.deepEqual(specRows(p).map((r) => r.x), ["0", "1"]);
    const m = svgMarks(await p.toSVG());
    assert.equal(m["mark-symbol"], 2);
    assert.equal(m["mark-rule"], 2);
    assert.equal(m["mark-line"], undefined);
    // A result can be plotted as it is.
    const q = await plotPredictions(res, { by: "Trt" });
    assert.equal(JSON.stringify(q.spec), JSON.stringify(p.spec));
  });

  it("plotPredictions() with condition [numeric, factor]: a line and a ribbon per level", async () => {
    const p = await plotPredictions(ep, { condition: ["zBase", "Trt"] });
    const zBase = await rangeSeq("zBase");
    const grid = await datagrid(ep, { zBase, Trt: "all" });
    const res = await predictions(ep, { grid });
    assert.equal(res.rows.length, 100);
    const gx = grid.column("zBase") as Float64Array;
    // zBase varies slowest (datagrid's order), Trt fastest.
    sameRows(p, res, (k) => gx[res.rows[k].row], (k) => k % 2 === 0 ? "0" : "1");
    specRows(p).forEach((r, k) => assert.equal(r.x, zBase[Math.floor(k / 2)], `x ${k}`));
    const m = svgMarks(await p.toSVG());
    assert.equal(m["mark-line"], 2);
    assert.equal(m["mark-area"], 2);
  });

  it("a numeric second condition takes R's fivenum of the model data", async () => {
    const p = await plotPredictions(ep, { condition: ["zAge", "zBase"], type: "link" });
    const five = [...await evalR("unique(fivenum(brms::epilepsy$zBase))") as Float64Array];
    const grid = await datagrid(ep, { zAge: await rangeSeq("zAge"), zBase: five });
    const res = await predictions(ep, { grid, type: "link" });
    const gx = grid.column("zAge") as Float64Array;
    const gg = grid.column("zBase") as Float64Array;
    sameRows(p, res, (k) => gx[res.rows[k].row], (k) => gg[res.rows[k].row]);
    assert.deepEqual([...new Set(specRows(p).map((r) => r.group))], five);
    assert.equal(svgMarks(await p.toSVG())["mark-line"], five.length);
  });

  it("plotComparisons() of Trt against zAge: the per-row comparisons on the condition grid", async () => {
    const variables = { Trt: ["0", "1"] as [string, string] };
    const p = await plotComparisons(ep, { variables, comparison: "ratio", condition: "zAge" });
    const zAge = await rangeSeq("zAge");
    const grid = await datagrid(ep, { zAge });
    const res = await comparisons(ep, { variables, comparison: "ratio", grid });
    assert.equal(res.rows.length, 50);
    sameRows(p, res, (k) => zAge[res.rows[k].row]);
    const m = svgMarks(await p.toSVG());
    assert.equal(m["mark-line"], 1);
    assert.equal(m["mark-area"], 1);
  });

  it("plotComparisons() by Trt with two variables: one panel per contrast", async () => {
    const o = { variables: { zAge: 1, zBase: "sd" as const }, by: "Trt" };
    const p = await plotComparisons(ep, o);
    const res = await comparisons(ep, o);
    assert.equal(res.rows.length, 4);
    sameRows(p, res, (k) => res.rows[k].by.Trt);
    assert.ok("facet" in p.spec!);
    const m = svgMarks(await p.toSVG());
    assert.equal(m["mark-symbol"], 4);
    assert.equal(m["mark-rule"], 4);
  });

  it("plotSlopes() by Trt equals slopes(by), as points and error bars", async () => {
    const p = await plotSlopes(ep, { variables: "zAge", slope: "eyex", by: "Trt" });
    const res = await slopes(ep, { variables: "zAge", slope: "eyex", by: "Trt" });
    sameRows(p, res, (k) => res.rows[k].by.Trt);
    const m = svgMarks(await p.toSVG());
    assert.equal(m["mark-symbol"], 2);
    assert.equal(m["mark-rule"], 2);
  });

  it("bad input: both or neither of condition and by, an unknown variable", async () => {
    await assert.rejects(plotPredictions(ep, { by: "Trt", condition: "zAge" }), InterpretError);
    await assert.rejects(plotPredictions(ep, {}), InterpretError);
    await assert.rejects(
      plotSlopes(ep, { variables: "zAge", condition: "age" }),
      UnknownVariableError,
    );
  });
});
