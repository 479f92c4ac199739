// Notebook display (Jupyter MIME bundles) of brms results: summary(), loo()/waic() and
// looCompare(). The HTML helpers live in display/.
import type { DataFrame } from "../../data/mod.ts";
import { escapeHtml, type MimeBundle, rowsBundle, tableStyle } from "../../display/mod.ts";

/** Whether a summary cell fails the usual checks: Rhat > 1.01, bulk/tail ESS < 400. */
export function badCell(row: Readonly<Record<string, unknown>>, column: string): boolean {
  const v = Number(row[column]);
  if (column === "Rhat") return v > 1.01;
  if (column === "Bulk_ESS" || column === "Tail_ESS") return v < 400;
  return false;
}

/** The rows of a DataFrame as records, the row name first (as `column`). */
export function frameRecords(df: DataFrame, column = ""): Record<string, unknown>[] {
  const cols = df.entries();
  const names = df.rowNames ?? Array.from({ length: df.nrow }, (_, i) => String(i + 1));
  return names.map((n, i) => {
    const r: Record<string, unknown> = { [column]: n };
    for (const [c, v] of cols) r[c] = (v as ArrayLike<unknown>)[i];
    return r;
  });
}

/** HTML of the tables of a brms summary with failing Rhat / ESS highlighted. */
export function summaryHtml(
  s: {
    fixed: DataFrame;
    random: Record<string, DataFrame>;
    specPars: DataFrame;
    toString(): string;
  },
  header: string,
): string {
  const part = (title: string, df: DataFrame | null) =>
    df && df.nrow > 0
      ? String(rowsBundle(frameRecords(df), { title, bad: badCell })["text/html"])
        .replace(tableStyle(), "")
      : "";
  return tableStyle() + `<pre>${escapeHtml(header)}</pre>` +
    Object.entries(s.random).map(([g, df]) => part(`Group-Level Effects: ~${g}`, df)).join("") +
    part("Population-Level Effects", s.fixed) +
    part("Family Specific Parameters", s.specPars);
}

/** MIME bundle of a brms summary. */
export function summaryBundle(
  s: {
    fixed: DataFrame;
    random: Record<string, DataFrame>;
    specPars: DataFrame;
    toString(): string;
  },
): MimeBundle {
  const text = s.toString();
  const header = text.split("\n").filter((l) => /^ ?[A-Z][a-z]+[^:]*: /.test(l)).join("\n");
  return { "text/html": summaryHtml(s, header), "text/plain": text };
}
