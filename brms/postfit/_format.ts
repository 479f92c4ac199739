/**
 * Text rendering of summary tables the way brms prints them (`print_format()`: fixed digits,
 * ESS columns without decimals, a right-aligned character matrix wrapped at 80 columns).
 *
 * @module
 */
import type { DataFrame } from "../../data/mod.ts";
import { isNA } from "../../data/na.ts";

/**
 * C's `sprintf("%.<digits>f", x)` as R prints it (NA, NaN, Inf; ties to even).
 *
 * @example
 * ```ts
 * fixed(0.125, 2); // "0.12" (C rounds ties to even)
 * fixed(null, 2); // "NA"
 * ```
 */
export function fixed(x: number | null, digits: number, na = false): string {
  if (x === null || na) return "NA";
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Inf";
  if (x === -Infinity) return "-Inf";
  const p = 10 ** digits;
  const n = x * p;
  // An exact binary tie (e.g. 0.125 to 2 digits): C rounds to even, toFixed away from zero.
  if (Number.isInteger(2 * n) && !Number.isInteger(n) && n / p === x) {
    const lo = Math.floor(n);
    const even = lo % 2 === 0 ? lo : lo + 1;
    const s = (even / p).toFixed(digits);
    return x < 0 && !s.startsWith("-") ? `-${s}` : s;
  }
  return x.toFixed(digits);
}

/**
 * A data frame of numbers formatted like brms's `print_format(x, digits)`: the lines R prints.
 *
 * @example
 * ```ts
 * import { DataFrame } from "../../data/mod.ts";
 * import { formatTable } from "./_format.ts";
 * const df = new DataFrame({ Estimate: [1.234], Bulk_ESS: [99.7] }, { rowNames: ["x"] });
 * formatTable(df, 2); // ["  Estimate Bulk_ESS", "x     1.23      100"]
 * ```
 */
export function formatTable(
  df: DataFrame,
  digits = 2,
  noDigits: readonly string[] = ["Bulk_ESS", "Tail_ESS"],
  width = 80,
): string[] {
  const rows = df.rowNames ?? Array.from({ length: df.nrow }, (_, i) => String(i + 1));
  const cols = df.names.map((name) => {
    const c = df.column(name);
    const d = noDigits.includes(name) ? 0 : digits;
    const cells: string[] = [];
    for (let i = 0; i < df.nrow; i++) {
      if (c instanceof Float64Array) cells.push(fixed(c[i], d, isNA(c, i)));
      else if (c instanceof Int32Array) cells.push(fixed(c[i], d, isNA(c, i)));
      else cells.push(String((c as ArrayLike<unknown>)[i] ?? "NA"));
    }
    const w = Math.max(name.length, ...cells.map((s) => s.length));
    return { name, cells, w };
  });
  const rw = Math.max(0, ...rows.map((r) => r.length));
  const out: string[] = [];
  let start = 0;
  while (start < cols.length || (start === 0 && cols.length === 0)) {
    let end = start, used = rw;
    while (end < cols.length && (end === start || used + 1 + cols[end].w <= width)) {
      used += 1 + cols[end].w;
      end++;
    }
    const block = cols.slice(start, end);
    out.push(" ".repeat(rw) + block.map((c) => " " + c.name.padStart(c.w)).join(""));
    rows.forEach((r, i) => {
      out.push(r.padEnd(rw) + block.map((c) => " " + c.cells[i].padStart(c.w)).join(""));
    });
    if (cols.length === 0) break;
    start = end;
  }
  return out;
}
