/**
 * Rich display in notebooks: MIME bundles (`text/html` + `text/plain`) for tables and for
 * xarray-like trees of InferenceData groups, returned by the objects' `Symbol.for("Jupyter.display")`
 * methods. Deno's Jupyter kernel reads that symbol; Bun and Node ignore it. Pure TypeScript with
 * no imports, so every folder may use it.
 *
 * @example
 * ```ts
 * import { rowsBundle } from "./mod.ts";
 * const bundle = rowsBundle([{ variable: "mu", mean: 0.1 }]);
 * Object.keys(bundle); // ["text/html", "text/plain"]
 * ```
 *
 * @module
 */
import { escapeHtml, fmtNum, htmlTable, textTable } from "./html.ts";
export { escapeHtml, fmtNum, htmlTable, textTable };

/**
 * The symbol Deno's Jupyter kernel calls to display an object.
 *
 * @example
 * ```ts
 * import { JUPYTER_DISPLAY } from "./mod.ts";
 * const o = { [JUPYTER_DISPLAY]: () => ({ "text/plain": "hi" }) };
 * ```
 */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/**
 * A MIME bundle: MIME type to content.
 *
 * @example
 * ```ts
 * import type { MimeBundle } from "./mod.ts";
 * const b: MimeBundle = { "text/plain": "x" };
 * ```
 */
export type MimeBundle = Record<string, unknown>;

/**
 * Gives `obj` a non-enumerable Jupyter display method returning `bundle()`; returns `obj`.
 * Used for plain results (arrays of rows, records) that are not class instances.
 *
 * @example
 * ```ts
 * import { JUPYTER_DISPLAY, withDisplay } from "./mod.ts";
 * const rows = withDisplay([{ a: 1 }], () => ({ "text/plain": "a = 1" }));
 * Object.keys(rows).length; // 1: the method is not enumerable
 * ```
 */
export function withDisplay<T extends object>(obj: T, bundle: () => MimeBundle): T {
  Object.defineProperty(obj, JUPYTER_DISPLAY, {
    value: bundle,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return obj;
}

const STYLE = "<style>table.brmsts{border-collapse:collapse;font:12px/1.4 monospace}" +
  "table.brmsts th,table.brmsts td{padding:2px 8px;text-align:right;border-bottom:1px solid #ddd}" +
  "table.brmsts thead th{border-bottom:2px solid #888}table.brmsts tbody th{text-align:left}" +
  "table.brmsts td.bad{background:#fdd;color:#900;font-weight:bold}" +
  "details.brmsts summary{cursor:pointer;font:13px monospace}" +
  "ul.brmsts{list-style:none;margin:0 0 0 1em;padding:0;font:12px/1.5 monospace}</style>";

/**
 * Options of {@link rowsBundle}.
 *
 * @example
 * ```ts
 * import type { RowsBundleOptions } from "./mod.ts";
 * const o: RowsBundleOptions = { bad: (row, col) => col === "rhat" && Number(row[col]) > 1.01 };
 * ```
 */
export interface RowsBundleOptions {
  /** A title above the table. */
  title?: string;
  /** Columns in order (default: the first row's keys). */
  columns?: readonly string[];
  /** Cells to highlight as failing a check. */
  bad?: (row: Readonly<Record<string, unknown>>, column: string) => boolean;
}

/**
 * A table of records as `text/html` (highlighting cells `bad` marks) and `text/plain`.
 *
 * @example
 * ```ts
 * import { rowsBundle } from "./mod.ts";
 * rowsBundle([{ variable: "mu", rhat: 1.05 }], { bad: (r, c) => c === "rhat" && Number(r[c]) > 1.01 });
 * ```
 */
export function rowsBundle(
  records: readonly object[],
  options: RowsBundleOptions = {},
): MimeBundle {
  const rows = records as readonly Readonly<Record<string, unknown>>[];
  const columns = options.columns ?? (rows.length ? Object.keys(rows[0]) : []);
  const cells = rows.map((r) => columns.map((c) => r[c]));
  const bad = options.bad;
  const html = htmlTable(
    columns,
    cells,
    bad ? (i, j) => bad(rows[i], columns[j]) ? "bad" : undefined : undefined,
  );
  const title = options.title ? `<h4>${escapeHtml(options.title)}</h4>` : "";
  return {
    "text/html": STYLE + title + html,
    "text/plain": (options.title ? options.title + "\n" : "") + textTable(columns, cells),
  };
}

/**
 * The structure {@link datasetHtml} reads (an idata `Dataset`).
 *
 * @example
 * ```ts
 * import type { DatasetLike } from "./mod.ts";
 * const ds: DatasetLike = { vars: new Map(), coords: new Map(), attrs: {} };
 * ```
 */
export interface DatasetLike {
  /** Variables by name: dims, shape and a typed array. */
  readonly vars: ReadonlyMap<
    string,
    { dims: readonly string[]; shape: readonly number[]; data: { constructor: { name: string } } }
  >;
  /** Coordinate labels by dimension. */
  readonly coords: ReadonlyMap<string, ArrayLike<unknown>>;
  /** Attributes. */
  readonly attrs: Readonly<Record<string, unknown>>;
}

const DTYPES: Record<string, string> = {
  Float64Array: "float64",
  Float32Array: "float32",
  Int32Array: "int32",
  Uint32Array: "uint32",
  Int16Array: "int16",
  Uint16Array: "uint16",
  Int8Array: "int8",
  Uint8Array: "uint8",
};

function sizesOf(ds: DatasetLike): [string, number][] {
  const m = new Map<string, number>();
  for (const v of ds.vars.values()) v.dims.forEach((d, i) => m.set(d, v.shape[i]));
  return [...m];
}

/**
 * A Dataset as text, like xarray's repr: dimensions, coordinates, data variables.
 *
 * @example
 * ```ts
 * import { datasetText } from "./mod.ts";
 * datasetText({ vars: new Map(), coords: new Map(), attrs: {} });
 * ```
 */
export function datasetText(ds: DatasetLike, maxVars = 30): string {
  const lines = [
    "<Dataset>",
    `Dimensions:  (${sizesOf(ds).map(([d, n]) => `${d}: ${n}`).join(", ")})`,
  ];
  if (ds.coords.size) {
    lines.push("Coordinates:");
    for (const [d, c] of ds.coords) {
      const head = Array.from({ length: Math.min(3, c.length) }, (_, i) => String(c[i])).join(" ");
      lines.push(`  * ${d.padEnd(12)} (${d}) ${head}${c.length > 3 ? " ..." : ""}`);
    }
  }
  lines.push("Data variables:");
  let i = 0;
  for (const [name, v] of ds.vars) {
    if (i++ === maxVars) {
      lines.push(`    ... (${ds.vars.size - maxVars} more)`);
      break;
    }
    const dtype = DTYPES[v.data.constructor.name] ?? v.data.constructor.name;
    lines.push(`    ${name.padEnd(14)} (${v.dims.join(", ")}) ${dtype} [${v.shape.join(" x ")}]`);
  }
  return lines.join("\n");
}

/**
 * A Dataset as an HTML block (xarray-style): dimensions, then a table of variables with their
 * dims, dtype and shape, coordinates listed with their first labels.
 *
 * @example
 * ```ts
 * import { datasetHtml } from "./mod.ts";
 * datasetHtml({ vars: new Map(), coords: new Map(), attrs: {} }, "posterior");
 * ```
 */
export function datasetHtml(ds: DatasetLike, name = "Dataset", open = false): string {
  const dims = sizesOf(ds).map(([d, n]) => `<b>${escapeHtml(d)}</b>: ${n}`).join(", ");
  const vars = [...ds.vars].map(([n, v]) => [
    n,
    `(${v.dims.join(", ")})`,
    DTYPES[v.data.constructor.name] ?? v.data.constructor.name,
    v.shape.join(" × "),
  ]);
  const coords = [...ds.coords].map(([d, c]) => {
    const head = Array.from({ length: Math.min(5, c.length) }, (_, i) => String(c[i])).join(", ");
    return `<li>${escapeHtml(d)}: ${escapeHtml(head)}${c.length > 5 ? ", …" : ""}</li>`;
  }).join("");
  const table = htmlTable(["variable", "dims", "dtype", "shape"], vars);
  return `<details class="brmsts"${open ? " open" : ""}><summary>${escapeHtml(name)} ` +
    `(${dims})</summary><ul class="brmsts">${
      coords ? `<li>coordinates<ul class="brmsts">${coords}</ul></li>` : ""
    }` +
    `</ul>${table}</details>`;
}

/**
 * MIME bundle of a Dataset.
 *
 * @example
 * ```ts
 * import { datasetBundle } from "./mod.ts";
 * datasetBundle({ vars: new Map(), coords: new Map(), attrs: {} })["text/plain"];
 * ```
 */
export function datasetBundle(ds: DatasetLike): MimeBundle {
  return { "text/html": STYLE + datasetHtml(ds, "Dataset", true), "text/plain": datasetText(ds) };
}

/**
 * MIME bundle of an InferenceData: one collapsible block per group (HTML) and the groups with
 * their variables (text).
 *
 * @example
 * ```ts
 * import { inferenceDataBundle } from "./mod.ts";
 * inferenceDataBundle([["posterior", { vars: new Map(), coords: new Map(), attrs: {} }]]);
 * ```
 */
export function inferenceDataBundle(groups: readonly [string, DatasetLike][]): MimeBundle {
  const html = STYLE + `<div><b>InferenceData</b> (${groups.length} groups)` +
    groups.map(([n, ds]) => datasetHtml(ds, n)).join("") + "</div>";
  const text = "InferenceData\n" +
    groups.map(([n, ds]) => `> ${n}\n` + datasetText(ds, 10).replace(/^/gm, "  ")).join("\n");
  return { "text/html": html, "text/plain": text };
}

/**
 * A whole HTML document's `<style>` used by the tables (for pages that embed them).
 *
 * @example
 * ```ts
 * import { tableStyle } from "./mod.ts";
 * tableStyle().startsWith("<style>"); // true
 * ```
 */
export function tableStyle(): string {
  return STYLE;
}
