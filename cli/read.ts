/**
 * Reading data files for the command line: CSV (csv-parse), Arrow IPC (apache-arrow) and
 * Parquet (parquet-wasm), each loaded only when a file of its kind is read.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import type { Table } from "apache-arrow";
import { CliInputError } from "./errors.ts";

/** Columns of a CSV file: numbers where every non-missing cell is a number, else strings. */
export type CsvColumns = Record<string, (number | null)[] | (string | null)[]>;

const MISSING = new Set(["", "NA"]);

/**
 * Parses CSV text (header row, comma separated, RFC 4180 quoting). Ragged rows and duplicate
 * headers are {@link CliInputError}s naming the line.
 *
 * @example
 * ```ts
 * import { parseCsv } from "./read.ts";
 * await parseCsv("y,g\n1,a\n2,b\n"); // { y: [1, 2], g: ["a", "b"] }
 * ```
 */
export async function parseCsv(text: string, file = "<csv>"): Promise<CsvColumns> {
  const { parse } = await import("csv-parse/sync");
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, bom: true }) as string[][];
  } catch (e) {
    throw new CliInputError(`${file}: ${(e as Error).message}`);
  }
  if (rows.length === 0) throw new CliInputError(`${file}: no header row`);
  const header = rows[0].map((h) => h.trim());
  const seen = new Set<string>();
  for (const h of header) {
    if (!h) throw new CliInputError(`${file}: an empty column name in the header`);
    if (seen.has(h)) throw new CliInputError(`${file}: column "${h}" appears twice in the header`);
    seen.add(h);
  }
  const out: CsvColumns = {};
  header.forEach((name, j) => {
    const cells = rows.slice(1).map((r) => r[j]);
    const numeric = cells.every((c) => MISSING.has(c.trim()) || Number.isFinite(Number(c)));
    out[name] = numeric
      ? cells.map((c) => (MISSING.has(c.trim()) ? null : Number(c)))
      : cells.map((c) => (c === "NA" ? null : c));
  });
  return out;
}

/**
 * Reads a data file by its extension: `.csv`, `.arrow`/`.feather`/`.ipc` (Arrow IPC file or
 * stream) or `.parquet`. Returns CSV columns or an Arrow table, both accepted by `brm()`.
 *
 * @example
 * ```ts
 * import { readData } from "./read.ts";
 * const data = await readData("epilepsy.parquet");
 * ```
 */
export async function readData(file: string): Promise<CsvColumns | Table> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new CliInputError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const ext = extname(file).toLowerCase();
  if (ext === ".csv") return parseCsv(new TextDecoder().decode(bytes), file);
  if (ext === ".arrow" || ext === ".feather" || ext === ".ipc" || ext === ".arrows") {
    const { tableFromIPC } = await import("apache-arrow");
    try {
      return tableFromIPC(bytes);
    } catch (e) {
      throw new CliInputError(`${file}: not an Arrow IPC file (${(e as Error).message})`);
    }
  }
  if (ext === ".parquet" || ext === ".pq") {
    const [pq, { tableFromIPC }] = await Promise.all([
      import("parquet-wasm/node"),
      import("apache-arrow"),
    ]);
    try {
      return tableFromIPC(pq.readParquet(bytes).intoIPCStream());
    } catch (e) {
      throw new CliInputError(`${file}: not a Parquet file (${(e as Error).message ?? e})`);
    }
  }
  throw new CliInputError(
    `${file}: unknown data format "${ext}" (use .csv, .arrow/.feather/.ipc or .parquet)`,
  );
}

/**
 * Column names of data read by {@link readData}.
 *
 * @example
 * ```ts
 * import { columnNames } from "./read.ts";
 * columnNames({ y: [1], g: ["a"] }); // ["y", "g"]
 * ```
 */
export function columnNames(data: CsvColumns | Table): string[] {
  return "schema" in data && typeof (data as Table).getChild === "function"
    ? (data as Table).schema.fields.map((f) => f.name)
    : Object.keys(data);
}
