// The precompiled header's files on disk: names, manifest, digest and verification, shared by
// the compiler settings (compiler.ts) and the background header build (_pch_build.ts).
import { createHash } from "node:crypto";
import { createReadStream, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/**
 * File names in a header directory.
 *
 * @example
 * ```ts
 * PCH_FILES.MANIFEST; // "manifest.json"
 * ```
 */
export const PCH_FILES = {
  MANIFEST: "manifest.json",
  FAILED: "failed.json",
  HEADER: "brmsts_stan.hpp",
} as const;
const { MANIFEST, FAILED, HEADER } = PCH_FILES;

/**
 * A built header's manifest (written last: its presence marks the header ready).
 *
 * @example
 * ```ts
 * const m: Manifest = { format: 1, size: 1, digest: "", builtMs: 0, time: "" };
 * ```
 */
export interface Manifest {
  format: 1;
  size: number;
  /** `headerDigest` of the header. */
  digest: string;
  builtMs: number;
  time: string;
}

/** Whether an environment switch is off ("0", "off", "false", "no"). */
export function off(name: string): boolean {
  const v = (process.env[name] ?? "").toLowerCase();
  return v === "0" || v === "off" || v === "false" || v === "no";
}

const DIGEST_SPAN = 4 << 20;

/**
 * A digest of the header file: SHA-256 of its size, first 4 MB and last 4 MB. The header is
 * hundreds of MB; hashing all of it before every compile would cost seconds. Truncation and
 * rewrites are caught here; damage in between makes g++ reject the header or the compile
 * fail, and both fall back to compiling without it.
 *
 * @example
 * ```ts
 * import { headerDigest } from "./_header.ts";
 * await headerDigest("/c/compiler/pch-0123/brmsts_stan.hpp.gch");
 * ```
 */
export async function headerDigest(file: string): Promise<string> {
  const size = statSync(file).size;
  const h = createHash("sha256").update(`${size}\0`);
  const spans = size <= 2 * DIGEST_SPAN
    ? [[0, size]]
    : [[0, DIGEST_SPAN], [size - DIGEST_SPAN, size]];
  for (const [start, end] of spans) {
    if (end <= start) continue;
    for await (const chunk of createReadStream(file, { start, end: end - 1 })) {
      h.update(chunk as Uint8Array);
    }
  }
  return h.digest("hex");
}

/**
 * "" when the built header in `dir` matches its manifest, else why not ("missing" if none).
 *
 * @example
 * ```ts
 * await headerProblem("/c/compiler/pch-0123"); // "" or why not
 * ```
 */
export function headerProblem(dir: string): Promise<string> {
  return verify(dir);
}

/** "" when the built header in `dir` matches its manifest, else why not ("missing" if none). */
export async function verify(dir: string): Promise<string> {
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")) as Manifest;
  } catch {
    return "missing";
  }
  const gch = join(dir, `${HEADER}.gch`);
  let size: number;
  try {
    size = statSync(gch).size;
  } catch {
    return "the header file is missing";
  }
  if (size !== m.size) return `the header file has ${size} bytes, its manifest says ${m.size}`;
  if (await headerDigest(gch) !== m.digest) return "the header file's digest does not match";
  return "";
}

export function readFailed(dir: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(dir, FAILED), "utf8")) as { reason: string }).reason;
  } catch {
    return null;
  }
}

/**
 * Writes one line to stderr about the compiler cache (`BRMSTS_QUIET=1` silences it).
 *
 * @example
 * ```ts
 * note("the compiler cache is ready");
 * ```
 */
export function note(text: string): void {
  if (process.env.BRMSTS_QUIET && !off("BRMSTS_QUIET")) return;
  process.stderr.write(`brmsts: ${text}\n`);
}
