// Rendering of Vega-Lite specs: vega-lite compiles, vega renders SVG headless (renderer "none",
// no DOM, no canvas), resvg-wasm rasterises to PNG with an explicitly loaded font. Every
// dependency is imported lazily on first use, so a script that never renders pays nothing. Node
// built-ins are looked up when used (process.getBuiltinModule), never imported at module load, so
// plot/ also loads where there is no file system (a browser builds specs; rendering there needs
// the npm packages to resolve, and PNG needs a font file).
import type * as Fs from "node:fs";
import type * as Module from "node:module";
import { PlotRenderError } from "./errors.ts";

type Host = {
  process?: { env?: Record<string, string | undefined>; getBuiltinModule?: (n: string) => unknown };
};

function builtin<T>(name: string): T {
  const mod = (globalThis as Host).process?.getBuiltinModule?.(name);
  if (!mod) throw new PlotRenderError(`${name} is not available here (Deno, Bun or Node needed)`);
  return mod as T;
}

const existsSync = (p: string) => builtin<typeof Fs>("node:fs").existsSync(p);
const readFileSync = (p: string) => builtin<typeof Fs>("node:fs").readFileSync(p);

/** Writes `data` to the file `path` (used by `Plot.save`). */
export function writeFile(path: string, data: string | Uint8Array): void {
  builtin<typeof Fs>("node:fs").writeFileSync(path, data);
}

// deno-lint-ignore no-explicit-any
type Any = any;

let vegaMods: Promise<{ vl: Any; vega: Any }> | undefined;

/**
 * vega-loader's Node build loads `node-fetch` at module load, and node-fetch's URL parser loads
 * Node's deprecated `punycode` (DEP0040 warning under Deno). Headless rendering of inline data
 * fetches nothing, so node-fetch is never loaded: its entry in the require cache is the
 * runtime's own `fetch`. Without node's module API or node-fetch installed, nothing changes.
 */
function skipNodeFetch(): void {
  try {
    const { createRequire } = builtin<typeof Module>("node:module");
    const require = createRequire(import.meta.url);
    const loader = require.resolve("vega-loader");
    const path = require.resolve("node-fetch", { paths: [loader.replace(/[\\/][^\\/]*$/, "")] });
    const cache = require.cache as Record<string, unknown>;
    const fetch = (...args: unknown[]) =>
      (globalThis.fetch as (...a: unknown[]) => Promise<unknown>)(...args);
    cache[path] ??= { id: path, filename: path, loaded: true, exports: fetch };
  } catch { /* no require cache or no node-fetch: vega loads as it is */ }
}

function loadVega(): Promise<{ vl: Any; vega: Any }> {
  vegaMods ??= (async () => {
    try {
      skipNodeFetch();
      const [vl, vega]: Any[] = await Promise.all([import("vega-lite"), import("vega")]);
      return { vl: vl.compile ? vl : vl.default, vega: vega.View ? vega : vega.default };
    } catch (e) {
      vegaMods = undefined;
      throw new PlotRenderError(
        `cannot load the npm packages "vega" and "vega-lite" (npm install vega vega-lite): ${e}`,
        { cause: e },
      );
    }
  })();
  return vegaMods;
}

/** Renders a Vega-Lite spec to an SVG string. */
export async function specToSVG(spec: unknown): Promise<string> {
  const { vl, vega } = await loadVega();
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Font files tried in order when `BRMSTS_FONT` is not set (Debian's fonts-dejavu-core first). */
export const FONT_CANDIDATES: readonly string[] = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/TTF/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
  "/Library/Fonts/Arial.ttf",
  "/System/Library/Fonts/Supplemental/Arial.ttf",
  "C:\\Windows\\Fonts\\arial.ttf",
];

let resvgMod: Promise<{ Resvg: Any; font: Uint8Array }> | undefined;

/** The font file used for PNG text: `BRMSTS_FONT`, else the first of {@link FONT_CANDIDATES}. */
export function fontPath(): string {
  const env = (globalThis as Host).process?.env?.BRMSTS_FONT;
  if (env) {
    if (!existsSync(env)) throw new PlotRenderError(`BRMSTS_FONT=${env}: no such file`);
    return env;
  }
  const found = FONT_CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    throw new PlotRenderError(
      "no font found for PNG text: install fonts-dejavu-core or set BRMSTS_FONT to a .ttf file " +
        `(tried ${FONT_CANDIDATES.join(", ")})`,
    );
  }
  return found;
}

function loadResvg(): Promise<{ Resvg: Any; font: Uint8Array }> {
  resvgMod ??= (async () => {
    try {
      const font = new Uint8Array(readFileSync(fontPath()));
      const mod: Any = await import("@resvg/resvg-wasm");
      const require = builtin<typeof Module>("node:module").createRequire(import.meta.url);
      const wasm = readFileSync(require.resolve("@resvg/resvg-wasm/index_bg.wasm"));
      await mod.initWasm(wasm);
      return { Resvg: mod.Resvg, font };
    } catch (e) {
      resvgMod = undefined;
      if (e instanceof PlotRenderError) throw e;
      throw new PlotRenderError(`cannot load @resvg/resvg-wasm: ${e}`, { cause: e });
    }
  })();
  return resvgMod;
}

/** Rasterises an SVG string to PNG bytes at `scale` (1 = the SVG's size in pixels). */
export async function svgToPNG(svg: string, scale = 1): Promise<Uint8Array> {
  const { Resvg, font } = await loadResvg();
  const r = new Resvg(svg, {
    font: {
      fontBuffers: [font],
      loadSystemFonts: false,
      defaultFontFamily: "DejaVu Sans",
      sansSerifFamily: "DejaVu Sans",
      serifFamily: "DejaVu Sans",
      monospaceFamily: "DejaVu Sans",
    },
    fitTo: { mode: "zoom", value: scale },
    background: "white",
  });
  try {
    const img = r.render();
    const png = img.asPng() as Uint8Array;
    img.free?.();
    return png;
  } finally {
    r.free?.();
  }
}
