// Small HTML helpers shared by the displays and the fit report.

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) =>
      c === "&"
        ? "&amp;"
        : c === "<"
        ? "&lt;"
        : c === ">"
        ? "&gt;"
        : c === '"'
        ? "&quot;"
        : "&#39;",
  );
}

/** Formats a number for a table: 4 significant digits, integers as they are. */
export function fmtNum(x: unknown): string {
  if (typeof x !== "number") return x === null || x === undefined ? "NA" : String(x);
  if (Number.isNaN(x)) return "NA";
  if (!Number.isFinite(x)) return x > 0 ? "Inf" : "-Inf";
  if (Number.isInteger(x) && Math.abs(x) < 1e7) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(2);
  return x.toPrecision(4).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}

/** An HTML table from column names and rows; `cls(row, col)` may add a class to a cell. */
export function htmlTable(
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  cls?: (row: number, col: number) => string | undefined,
): string {
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows.map((r, i) =>
    "<tr>" + r.map((v, j) => {
      const c = cls?.(i, j);
      const attr = c ? ` class="${c}"` : "";
      return j === 0 && typeof v === "string"
        ? `<th${attr}>${escapeHtml(v)}</th>`
        : `<td${attr}>${escapeHtml(fmtNum(v))}</td>`;
    }).join("") + "</tr>"
  ).join("\n");
  return `<table class="brmsts"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Plain-text table (right-aligned columns). */
export function textTable(
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): string {
  const cells = [columns.map(String), ...rows.map((r) => r.map(fmtNum))];
  const widths = columns.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? "").length)));
  return cells.map((r) =>
    r.map((c, j) => j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j])).join("  ")
  ).join("\n");
}
