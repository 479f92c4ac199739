/**
 * The {@link Plot} value: a Vega-Lite v5 spec with its data, rendered on demand to SVG or PNG,
 * saved by file extension, and displayed by Deno's Jupyter kernel.
 *
 * @module
 */
import { PlotInputError, PlotRenderError } from "./errors.ts";
import { escapeHtml, type MimeBundle } from "../display/mod.ts";
import type { InferenceData } from "../idata/mod.ts";

/**
 * An InferenceData, or anything holding one as `idata` (a fit from `brm()`).
 *
 * @example
 * ```ts
 * import type { IdataLike } from "./plot.ts";
 * import { InferenceData } from "../idata/mod.ts";
 * const x: IdataLike = { idata: InferenceData.fromObject({ posterior: { mu: new Float64Array(2) } }) };
 * ```
 */
export type IdataLike = InferenceData | { readonly idata: InferenceData };

/** A Vega-Lite v5 specification (plain JSON). */
export type VegaLiteSpec = Record<string, unknown>;

/**
 * Options of {@link Plot.toPNG}.
 *
 * @example
 * ```ts
 * import type { PngOptions } from "./plot.ts";
 * const o: PngOptions = { scale: 2 };
 * ```
 */
export interface PngOptions {
  /** Pixels per SVG unit (default 1): 2 gives an image twice as wide and high. */
  scale?: number;
}

const VEGALITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/**
 * A plot: `spec` is a Vega-Lite v5 specification holding its data inline (any Vega-Lite
 * frontend renders it), `data` the plotted numbers by layer name, for tests and for re-use.
 * `toSVG()` renders headless with the npm packages `vega` and `vega-lite`, `toPNG()` with
 * `@resvg/resvg-wasm` (all loaded on first use). A plot made by R ({@link bayesplot}) has
 * `spec: null` and carries its SVG.
 *
 * In Deno's Jupyter kernel a `Plot` displays itself (`application/vnd.vegalite.v5+json`,
 * `image/svg+xml` and `text/plain`).
 *
 * @example
 * ```ts
 * import { Plot } from "./plot.ts";
 * const p = new Plot({
 *   data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }] },
 *   mark: "line",
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
 * }, "line");
 * const svg = await p.toSVG();
 * await p.save("line.png");
 * ```
 */
export class Plot {
  /** The Vega-Lite v5 spec (with `$schema`), or null for a plot rendered by R. */
  readonly spec: VegaLiteSpec | null;
  /** A short description (`"trace plot of b_Intercept, sigma"`). */
  readonly title: string;
  /** The plotted numbers by layer name (rows as objects), as the spec holds them. */
  readonly data: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  #svg: Promise<string> | undefined;

  /**
   * Wraps a spec (a `$schema` for Vega-Lite v5 is added when missing) or, with `spec` null, an
   * SVG made elsewhere.
   *
   * @example
   * ```ts
   * import { Plot } from "./plot.ts";
   * const p = new Plot(null, "from R", {}, "<svg xmlns='http://www.w3.org/2000/svg'/>");
   * p.spec; // null
   * ```
   */
  constructor(
    spec: VegaLiteSpec | null,
    title = "plot",
    data: Readonly<Record<string, readonly Record<string, unknown>[]>> = {},
    svg?: string,
  ) {
    this.spec = spec === null ? null : { $schema: VEGALITE_SCHEMA, ...spec };
    this.title = title;
    this.data = data;
    if (svg !== undefined) this.#svg = Promise.resolve(svg);
    else if (spec === null) throw new PlotInputError("a Plot needs a spec or an SVG");
  }

  /**
   * The plot as an SVG document (rendered once, then cached).
   *
   * @example
   * ```ts
   * import { Plot } from "./plot.ts";
   * const svg = await new Plot({ mark: "point", data: { values: [{}] } }).toSVG();
   * svg.startsWith("<svg"); // true
   * ```
   */
  toSVG(): Promise<string> {
    this.#svg ??= import("./_render.ts").then((r) => r.specToSVG(this.spec)).catch((e) => {
      this.#svg = undefined;
      throw e instanceof PlotRenderError
        ? e
        : new PlotRenderError(`rendering "${this.title}" failed: ${e}`, { cause: e });
    });
    return this.#svg;
  }

  /**
   * The plot as PNG bytes, `scale` pixels per SVG unit, text drawn with DejaVu Sans (or the font
   * file in `BRMSTS_FONT`); throws {@link PlotRenderError} when no font file exists.
   *
   * @example
   * ```ts
   * import { Plot } from "./plot.ts";
   * const png = await new Plot({ mark: "point", data: { values: [{}] } }).toPNG({ scale: 2 });
   * png[1] === 0x50; // "P" of the PNG signature
   * ```
   */
  async toPNG(options: PngOptions = {}): Promise<Uint8Array> {
    const scale = options.scale ?? 1;
    if (!(scale > 0) || !Number.isFinite(scale)) {
      throw new PlotInputError(`scale must be a positive number, got ${scale}`);
    }
    const { svgToPNG } = await import("./_render.ts");
    return svgToPNG(await this.toSVG(), scale);
  }

  /**
   * A self-contained HTML page showing the plot (the SVG inline; no network needed).
   *
   * @example
   * ```ts
   * import { Plot } from "./plot.ts";
   * const html = await new Plot({ mark: "point", data: { values: [{}] } }).toHTML();
   * ```
   */
  async toHTML(): Promise<string> {
    const t = escapeHtml(this.title);
    return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${t}</title></head>` +
      `<body>\n${await this.toSVG()}\n</body></html>\n`;
  }

  /**
   * Writes the plot, the format chosen by the extension: `.svg`, `.png` (`options.scale`),
   * `.json` (the Vega-Lite spec) or `.html` (a page with the SVG inline).
   *
   * @example
   * ```ts
   * import { Plot } from "./plot.ts";
   * const p = new Plot({ mark: "point", data: { values: [{}] } });
   * await p.save("p.svg");
   * await p.save("p.png", { scale: 2 });
   * ```
   */
  async save(path: string, options: PngOptions = {}): Promise<void> {
    const ext = /\.[^./\\]*$/.exec(path)?.[0].toLowerCase() ?? "";
    const { writeFile: writeFileSync } = await import("./_render.ts");
    switch (ext) {
      case ".svg":
        return writeFileSync(path, await this.toSVG());
      case ".png":
        return writeFileSync(path, await this.toPNG(options));
      case ".json":
        if (this.spec === null) throw new PlotInputError("this plot (made by R) has no spec");
        return writeFileSync(path, JSON.stringify(this.spec, null, 1));
      case ".html":
        return writeFileSync(path, await this.toHTML());
      default:
        throw new PlotInputError(
          `cannot save a plot as "${ext || path}": use .svg, .png, .json or .html`,
        );
    }
  }

  /**
   * The Jupyter MIME bundle: the Vega-Lite spec (`application/vnd.vegalite.v5+json`, labelled
   * v5 explicitly rather than left to the kernel's guessing), the rendered SVG
   * (`image/svg+xml`) and a `text/plain` line; a plot made by R (`spec: null`) has no Vega-Lite
   * entry. Deno's kernel awaits a display method that returns a promise (denoland/deno#20807),
   * so the SVG is rendered on demand.
   *
   * @example
   * ```ts
   * import { Plot } from "./plot.ts";
   * const p = new Plot({ mark: "point", data: { values: [{}] } });
   * const bundle = await p.mimeBundle();
   * Object.keys(bundle); // ["application/vnd.vegalite.v5+json", "image/svg+xml", "text/plain"]
   * ```
   */
  async mimeBundle(): Promise<MimeBundle> {
    const out: MimeBundle = {};
    if (this.spec !== null) out["application/vnd.vegalite.v5+json"] = this.spec;
    out["image/svg+xml"] = await this.toSVG();
    out["text/plain"] = this.toString();
    return out;
  }

  /** Jupyter display (Deno's kernel); see {@link Plot.mimeBundle}. */
  [Symbol.for("Jupyter.display")](): Promise<MimeBundle> {
    return this.mimeBundle();
  }

  /**
   * `Plot(<title>)`.
   *
   * @example
   * ```ts
   * import { Plot } from "./plot.ts";
   * String(new Plot({ mark: "point" }, "points")); // "Plot(points)"
   * ```
   */
  toString(): string {
    return `Plot(${this.title})`;
  }
}
