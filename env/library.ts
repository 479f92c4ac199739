/**
 * Reading installed R packages straight from a library directory (no R needed), and the
 * registry of open `manage()` contexts.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RWorker } from "../worker/mod.ts";
import { visibleEntries } from "./store/fs.ts";

/**
 * One R package installed in a library.
 *
 * @example
 * ```ts
 * const p: InstalledRPackage = { name: "tinypkg", version: "0.1.0", path: "/x/Rlib/tinypkg" };
 * ```
 */
export interface InstalledRPackage {
  /** The package's name. */
  name: string;
  /** The package's version (its DESCRIPTION's `Version`). */
  version: string;
  /** The package's directory. */
  path: string;
}

/** The fields of an installed package's DESCRIPTION (DCF), or null when there is none. */
export function readDescription(pkgDir: string): Record<string, string> | null {
  let text: string;
  try {
    text = readFileSync(join(pkgDir, "DESCRIPTION"), "utf8");
  } catch {
    return null;
  }
  const out: Record<string, string> = {};
  let key = "";
  for (const line of text.split(/\r?\n/)) {
    const m = line.match(/^([^\s:]+):\s*(.*)$/);
    if (m) {
      key = m[1];
      out[key] = m[2];
    } else if (key && /^\s/.test(line)) {
      out[key] += " " + line.trim();
    }
  }
  return out;
}

/** The installed packages (directories with a DESCRIPTION naming a `Built` package) in `lib`. */
export function libraryPackages(lib: string): InstalledRPackage[] {
  const out: InstalledRPackage[] = [];
  for (const name of visibleEntries(lib)) {
    const d = readDescription(join(lib, name));
    if (d && d.Package === name && d.Built) {
      out.push({ name, version: d.Version ?? "", path: join(lib, name) });
    }
  }
  return out;
}

/** Workers that have an open `manage()` context. */
export const openContexts: WeakSet<RWorker> = new WeakSet();
