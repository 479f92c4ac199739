/**
 * The scorer artifact (docs/scorer-format.md): magic `BRMSSCOR`, a u32 format version, a u32
 * header length, the JSON header, zero padding to 8 bytes, the draws as little-endian Float64
 * columns (one column of `ndraws` values per parameter, in `header.params` order), then the
 * SHA-256 of everything before it.
 *
 * @module
 */
import { ScorerFormatError } from "./errors.ts";
import { sha256 } from "./_sha256.ts";
import type { ScorerHeader } from "./types.ts";

/** The format version this module writes and the newest it reads. */
export const SCORER_FORMAT_VERSION = 1;
const MAGIC = "BRMSSCOR";

/** A decoded artifact: the header and one Float64Array of draws per parameter. */
export interface DecodedScorer {
  /** The JSON header. */
  header: ScorerHeader;
  /** Draws per parameter name. */
  draws: Map<string, Float64Array>;
}

/**
 * Writes an artifact from a header and the draws (column after column).
 *
 * @example
 * ```ts ignore
 * const bytes = encodeScorer(header, values);
 * ```
 */
export function encodeScorer(header: ScorerHeader, values: Float64Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((16 + json.length) / 8) * 8;
  const body = start + values.length * 8;
  const out = new Uint8Array(body + 32);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  dv.setUint32(8, SCORER_FORMAT_VERSION, true);
  dv.setUint32(12, json.length, true);
  out.set(json, 16);
  for (let i = 0; i < values.length; i++) dv.setFloat64(start + i * 8, values[i], true);
  out.set(sha256(out.subarray(0, body)), body);
  return out;
}

/**
 * Reads and checks an artifact: magic, version, length and checksum, then the header.
 *
 * @example
 * ```ts ignore
 * const { header, draws } = decodeScorer(bytes);
 * ```
 */
export function decodeScorer(bytes: Uint8Array): DecodedScorer {
  if (!(bytes instanceof Uint8Array)) {
    throw new ScorerFormatError(
      "bad-magic",
      "loadScorer: expected the artifact's bytes (a Uint8Array)",
    );
  }
  if (bytes.length < 16 + 32) {
    throw new ScorerFormatError("truncated", `scorer artifact truncated: ${bytes.length} bytes`);
  }
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== MAGIC.charCodeAt(i)) {
      throw new ScorerFormatError(
        "bad-magic",
        "not a brmsts scorer artifact (magic BRMSSCOR missing)",
      );
    }
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version > SCORER_FORMAT_VERSION || version === 0) {
    throw new ScorerFormatError(
      "version-too-new",
      `scorer artifact has format version ${version}; this brmsts reads versions up to ` +
        `${SCORER_FORMAT_VERSION}: update brmsts to load it`,
    );
  }
  const hlen = dv.getUint32(12, true);
  if (16 + hlen + 32 > bytes.length) {
    throw new ScorerFormatError("truncated", "scorer artifact truncated inside its header");
  }
  const body = bytes.length - 32;
  const sum = sha256(bytes.subarray(0, body));
  for (let i = 0; i < 32; i++) {
    if (sum[i] !== bytes[body + i]) {
      throw new ScorerFormatError(
        "checksum",
        "scorer artifact is corrupted or truncated: its SHA-256 checksum does not match",
      );
    }
  }
  let header: ScorerHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + hlen)));
  } catch (e) {
    throw new ScorerFormatError("bad-header", `scorer header is not JSON: ${(e as Error).message}`);
  }
  if (header?.format !== "brmsts-scorer" || !Array.isArray(header.params)) {
    throw new ScorerFormatError("bad-header", "scorer header lacks format/params");
  }
  const start = Math.ceil((16 + hlen) / 8) * 8;
  const nd = header.ndraws;
  if (start + header.params.length * nd * 8 !== body) {
    throw new ScorerFormatError("truncated", "scorer artifact's draw block has the wrong length");
  }
  const draws = new Map<string, Float64Array>();
  header.params.forEach((name, j) => {
    const col = new Float64Array(nd);
    const off = start + j * nd * 8;
    for (let d = 0; d < nd; d++) col[d] = dv.getFloat64(off + d * 8, true);
    draws.set(name, col);
  });
  return { header, draws };
}
