// Rendering and notebook display of plots: SVG that parses as XML with the expected marks, PNG
// with the requested size whose text renders, Jupyter MIME bundles whose Vega-Lite spec
// validates against the v5 schema shipped with vega-lite, and the HTML/text displays of
// InferenceData, Dataset and summarizeDraws() rows.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { InferenceData } from "../idata/mod.ts";
import { loo, looCompare, summarizeDraws } from "../stats/mod.ts";
import {
  Plot,
  plotForest,
  PlotInputError,
  plotPosterior,
  plotRank,
  plotTrace,
  ppCheck,
} from "../plot/mod.ts";
import { SLOW, tempDir } from "./_rscript.ts";
import { svgMarks } from "./_svg.ts";
import { rng } from "./brm_shared.ts";

const tmp = tempDir("brmsts-plot-render-");
after(() => tmp.cleanup());

function idata(params: string[], chains = 4, draws = 100): InferenceData {
  const r = rng(3);
  const post: Record<string, Float64Array> = {};
  for (const p of params) post[p] = Float64Array.from({ length: chains * draws }, () => r());
  return InferenceData.fromObject({ posterior: post }, { chains });
}

function pngSize(png: Uint8Array): { width: number; height: number } {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe("plots render to SVG and PNG and display in Jupyter", SLOW, () => {
  it("a trace plot of one parameter has one line path per chain", async () => {
    const svg = await plotTrace(idata(["mu"], 4)).toSVG();
    assert.equal(svgMarks(svg)["mark-line"], 4);
    const svg3 = await plotTrace(idata(["mu"], 3)).toSVG();
    assert.equal(svgMarks(svg3)["mark-line"], 3);
  });

  it("a trace plot of two parameters has chains x parameters paths", async () => {
    const svg = await plotTrace(idata(["a", "b"], 2)).toSVG();
    assert.equal(svgMarks(svg)["mark-line"], 4);
  });

  it("a forest plot has one point per parameter and two interval rules per parameter", async () => {
    const svg = await plotForest(idata(["a", "b", "c"])).toSVG();
    const m = svgMarks(svg);
    assert.equal(m["mark-symbol"], 3);
    assert.equal(m["mark-rule"], 6);
    const two = svgMarks(
      await plotForest({ m1: idata(["a", "b", "c"]), m2: idata(["a", "b", "c"]) }).toSVG(),
    );
    assert.equal(two["mark-symbol"], 6);
  });

  it("renders under Deno without loading node's deprecated punycode (DEP0040)", () => {
    const root = new URL("..", import.meta.url).pathname;
    const script = `import { InferenceData } from "${root}idata/mod.ts";
      import { plotTrace } from "${root}plot/mod.ts";
      const id = InferenceData.fromObject({ posterior: { mu: new Float64Array(40).fill(1) } }, { chains: 2 });
      console.log((await plotTrace(id).toSVG()).startsWith("<svg"));`;
    const r = spawnSync(join(root, "node_modules/.bin/deno"), ["eval", "--ext=ts", script], {
      cwd: root,
      encoding: "utf8",
    });
    assert.equal(r.stdout.trim(), "true", r.stderr);
    assert.doesNotMatch(r.stderr, /punycode|DEP0040/);
  });

  it("a rank plot's row labels are horizontal (long names do not overlap)", async () => {
    const x = Float64Array.from({ length: 400 }, (_, i) => Math.sin(i * 7.1));
    const idata = InferenceData.fromObject(
      { posterior: { sd_patient__Intercept: x, b_zBase_Trt1: x } },
      { chains: 4 },
    );
    const svg = await plotRank(idata).toSVG();
    const labels = [
      ...svg.matchAll(/<text[^>]*transform="([^"]*)"[^>]*>(sd_patient__Intercept|b_zBase_Trt1)</g),
    ];
    assert.equal(labels.length, 2);
    for (const [, transform] of labels) assert.doesNotMatch(transform, /rotate/);
  });

  it("a rank plot has bins x chains rectangles", async () => {
    const m = svgMarks(await plotRank(idata(["mu"], 4), { bins: 10 }).toSVG());
    assert.equal(m["mark-rect"], 40);
  });

  it("PNG output has the PNG signature and the requested size", async () => {
    const p = plotPosterior(idata(["mu"]), { kind: "intervals" });
    const svg = await p.toSVG();
    const w = Number(/width="(\d+(?:\.\d+)?)"/.exec(svg)![1]);
    const h = Number(/height="(\d+(?:\.\d+)?)"/.exec(svg)![1]);
    const png1 = await p.toPNG();
    assert.deepEqual([...png1.subarray(0, 8)], PNG_SIG);
    assert.deepEqual(pngSize(png1), { width: Math.round(w), height: Math.round(h) });
    const png2 = await p.toPNG({ scale: 2 });
    assert.deepEqual(pngSize(png2), { width: Math.round(2 * w), height: Math.round(2 * h) });
    await assert.rejects(p.toPNG({ scale: 0 }), PlotInputError);
  });

  it("text renders in PNG output (a font is loaded: a picture with text differs from one without)", async () => {
    const base = {
      width: 200,
      height: 60,
      data: { values: [{ x: 1 }] },
      mark: { type: "point", opacity: 0 },
      encoding: { x: { field: "x", type: "quantitative", axis: null } },
    };
    // Same layout; the title's ink is white (invisible on the white background) or black. Without a
    // font resvg draws no glyphs and both pictures come out identical.
    const title = (color: string) => ({ text: "Hello brmsts", color });
    const withText = await new Plot({ ...base, title: title("black") }).toPNG();
    const without = await new Plot({ ...base, title: title("white") }).toPNG();
    const same = await new Plot({ ...base, title: title("white") }).toPNG();
    assert.deepEqual(pngSize(withText), pngSize(without));
    assert.deepEqual(same, without);
    assert.notDeepEqual(withText, without);
  });

  it("the Jupyter bundle holds the Vega-Lite v5 spec, the SVG and text, and the spec validates against vega-lite's v5 schema", async () => {
    const require = createRequire(import.meta.url);
    const schema = JSON.parse(
      readFileSync(require.resolve("vega-lite/build/vega-lite-schema.json"), "utf8"),
    );
    // deno-lint-ignore no-explicit-any
    const mod: any = await import("ajv");
    const Ajv = mod.default?.default ?? mod.default ?? mod;
    const validate = new Ajv({ strict: false, allowUnionTypes: true, validateFormats: false })
      .compile(schema);
    const ppc = InferenceData.fromObject({
      observed_data: { y: { dims: ["obs_id"], data: new Float64Array([1, 2, 3, 2]) } },
      posterior_predictive: {
        y: { dims: ["chain", "draw", "obs_id"], data: new Float64Array(80).map((_, i) => i % 5) },
      },
    }, { chains: 2, sizes: { obs_id: 4 } });
    const plots = [
      plotTrace(idata(["a", "b"])),
      plotRank(idata(["a"])),
      plotPosterior(idata(["a"])),
      plotPosterior(idata(["a"]), { kind: "histogram" }),
      plotPosterior(idata(["a", "b"]), { kind: "areas" }),
      plotForest({ x: idata(["a"]), y: idata(["a"]) }),
      ...(["dens_overlay", "hist", "ecdf_overlay", "stat", "intervals", "bars"] as const).map((
        type,
      ) => ppCheck(ppc, { type })),
    ];
    for (const p of plots) {
      const display = (p as unknown as Record<symbol, () => Promise<Record<string, unknown>>>)[
        Symbol.for("Jupyter.display")
      ];
      const bundle = await display.call(p);
      assert.deepEqual(Object.keys(bundle).sort(), [
        "application/vnd.vegalite.v5+json",
        "image/svg+xml",
        "text/plain",
      ]);
      const spec = bundle["application/vnd.vegalite.v5+json"] as Record<string, unknown>;
      assert.equal(spec.$schema, "https://vega.github.io/schema/vega-lite/v5.json");
      assert.ok(validate(spec), `${p.title}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
      assert.ok(String(bundle["image/svg+xml"]).startsWith("<svg"));
    }
    // a spec that is not Vega-Lite fails the same validation
    assert.equal(validate({ mark: "no-such-mark" }), false);
  });

  it("save() picks the format by extension and rejects unknown ones", async () => {
    const p = plotPosterior(idata(["mu"]), { kind: "intervals" });
    for (const ext of ["svg", "png", "json", "html"]) await p.save(join(tmp.path, `p.${ext}`));
    assert.ok(readFileSync(join(tmp.path, "p.svg"), "utf8").startsWith("<svg"));
    assert.deepEqual([...readFileSync(join(tmp.path, "p.png")).subarray(0, 8)], PNG_SIG);
    assert.equal(
      JSON.parse(readFileSync(join(tmp.path, "p.json"), "utf8")).$schema,
      "https://vega.github.io/schema/vega-lite/v5.json",
    );
    assert.match(readFileSync(join(tmp.path, "p.html"), "utf8"), /<!DOCTYPE html>[\s\S]*<svg/);
    await assert.rejects(p.save(join(tmp.path, "p.gif")), PlotInputError);
    assert.equal(existsSync(join(tmp.path, "p.gif")), false);
  });

  it("the npm renderers are imported lazily: no static import of vega, vega-lite or resvg anywhere in plot/ or display/", () => {
    const dir = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");
    for (const folder of ["plot", "display"]) {
      for (const f of readdirSync(join(dir, folder)).filter((f) => f.endsWith(".ts"))) {
        const src = readFileSync(join(dir, folder, f), "utf8");
        assert.doesNotMatch(
          src,
          /^\s*import\s[^;]*from\s+["'](vega|vega-lite|@resvg\/resvg-wasm)["']/m,
          `${folder}/${f}`,
        );
        assert.doesNotMatch(
          src,
          /^\s*import\s+["'](vega|vega-lite|@resvg\/resvg-wasm)["']/m,
          `${folder}/${f}`,
        );
      }
    }
    assert.match(
      readFileSync(join(dir, "plot", "_render.ts"), "utf8"),
      /await Promise\.all\(\[import\("vega-lite"\), import\("vega"\)\]\)/,
    );
  });

  it("plots accept a fit (an object holding idata) as well as an InferenceData", () => {
    const id = idata(["mu"], 2, 10);
    assert.deepEqual(plotTrace({ idata: id }).data, plotTrace(id).data);
    assert.deepEqual(plotForest({ idata: id }).data.intervals.length, 1);
    assert.throws(() => plotTrace({} as never), PlotInputError);
  });

  it("InferenceData, Dataset and summarizeDraws() rows display as HTML and text", () => {
    const id = InferenceData.fromObject({
      posterior: { mu: new Float64Array(40).map((_, i) => Math.sin(i)) },
      observed_data: { y: { dims: ["obs_id"], data: new Float64Array(3) } },
    }, { chains: 2, coords: { obs_id: ["a", "b", "c"] } });
    const show = (o: object) =>
      (o as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]();
    const b = show(id);
    assert.deepEqual(Object.keys(b).sort(), ["text/html", "text/plain"]);
    assert.match(
      b["text/html"],
      /posterior[\s\S]*chain<\/b>: 2[\s\S]*mu[\s\S]*observed_data[\s\S]*obs_id: a, b, c/,
    );
    assert.match(b["text/plain"], /> posterior[\s\S]*mu\s+\(chain, draw\) float64 \[2 x 20\]/);
    const d = show(id.group("observed_data"));
    assert.match(d["text/plain"], /Dimensions:\s+\(obs_id: 3\)/);
    const rows = summarizeDraws(id);
    assert.equal(Object.keys(rows).length, 1); // the display method is not enumerable
    const s = show(rows);
    assert.match(s["text/html"], /<th>rhat<\/th>/);
    // a sine wave split in two chains does not mix: rhat and ESS cells are highlighted
    assert.match(s["text/html"], /class="bad"/);
    assert.match(s["text/plain"], /variable\s+mean/);
    const r = rng(5);
    const ll = (shift: number) =>
      loo({
        data: Float64Array.from({ length: 400 * 5 }, () => -1 - r() - shift),
        draws: 400,
        obs: 5,
      });
    const l1 = ll(0), l2 = ll(0.5);
    const lb = show(l1);
    assert.match(lb["text/html"], /<th>elpd_loo<\/th><td>/);
    assert.match(lb["text/plain"], /Computed from 400 by 5 log-likelihood matrix/);
    assert.match(show(looCompare({ l1, l2 }))["text/plain"], /elpd_diff/);
  });
});
