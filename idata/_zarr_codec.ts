// Zarr v2 dtypes and chunk codecs: typed arrays <-> little-endian bytes, fixed-width (<U) and
// vlen-utf8 strings, 64-bit integers, zlib/gzip compression through node:zlib.
import { deflateSync, gunzipSync, gzipSync, inflateSync } from "./_node.ts";
import type { TypedArray } from "./types.ts";
import { bloscDecode } from "./_blosc.ts";
import { DataFormatError } from "./errors.ts";

export const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Zarr dtype of a typed array (little-endian). */
export function dtypeOf(data: TypedArray): string {
  if (data instanceof Float64Array) return "<f8";
  if (data instanceof Float32Array) return "<f4";
  if (data instanceof Int32Array) return "<i4";
  if (data instanceof Uint32Array) return "<u4";
  if (data instanceof Int16Array) return "<i2";
  if (data instanceof Uint16Array) return "<u2";
  if (data instanceof Int8Array) return "|i1";
  return "|u1";
}

/** Bytes of a typed array in little-endian order (a view when the host is little-endian). */
export function bytesOf(data: TypedArray): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE || data.BYTES_PER_ELEMENT === 1) return view;
  return swap(view.slice(), data.BYTES_PER_ELEMENT);
}

function swap(b: Uint8Array, size: number): Uint8Array {
  for (let i = 0; i < b.length; i += size) b.subarray(i, i + size).reverse();
  return b;
}

type Ctor = new (buffer: ArrayBuffer, byteOffset?: number, length?: number) => TypedArray;

const NUMERIC: Record<string, [Ctor, number]> = {
  f8: [Float64Array, 8],
  f4: [Float32Array, 4],
  i4: [Int32Array, 4],
  u4: [Uint32Array, 4],
  i2: [Int16Array, 2],
  u2: [Uint16Array, 2],
  i1: [Int8Array, 1],
  u1: [Uint8Array, 1],
  b1: [Uint8Array, 1],
};

/** Decoded array contents: numbers in a typed array, or strings. */
export type Decoded = { kind: "numeric"; data: TypedArray } | { kind: "string"; data: string[] };

/** Element size in bytes of a fixed-size dtype (0 for object dtype). */
export function itemSize(dtype: string): number {
  const t = dtype.slice(1);
  if (t[0] === "U") return 4 * Number(t.slice(1));
  if (t[0] === "S") return Number(t.slice(1));
  if (t === "O") return 0;
  if (t === "i8" || t === "u8") return 8;
  const n = NUMERIC[t];
  if (!n) throw new DataFormatError(`unsupported zarr dtype ${dtype}`);
  return n[1];
}

/** Decodes `count` elements of `dtype` from little- or big-endian bytes. */
export function decode(bytes: Uint8Array, dtype: string, count: number): Decoded {
  const big = dtype[0] === ">";
  const t = dtype.slice(1);
  if (t[0] === "U" || t[0] === "S") {
    const size = itemSize(dtype);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      let s = "";
      if (t[0] === "U") {
        for (let c = 0; c < size / 4; c++) {
          const cp = dv.getUint32(i * size + 4 * c, !big);
          if (cp === 0) break;
          s += String.fromCodePoint(cp);
        }
      } else {
        for (let c = 0; c < size; c++) {
          const b = bytes[i * size + c];
          if (b === 0) break;
          s += String.fromCharCode(b);
        }
      }
      out.push(s);
    }
    return { kind: "string", data: out };
  }
  if (t === "i8" || t === "u8") {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      out[i] = Number(t === "i8" ? dv.getBigInt64(8 * i, !big) : dv.getBigUint64(8 * i, !big));
    }
    return { kind: "numeric", data: out };
  }
  const [C, size] = NUMERIC[t] ?? [];
  if (!C) throw new DataFormatError(`unsupported zarr dtype ${dtype}`);
  let b = bytes;
  if (big !== !LITTLE && size > 1) b = swap(bytes.slice(), size);
  if (b.byteOffset % size !== 0) b = b.slice();
  return { kind: "numeric", data: new C(b.buffer as ArrayBuffer, b.byteOffset, count) };
}

/** numcodecs' VLenUTF8: count, then length-prefixed UTF-8 items. */
export function decodeVlenUtf8(bytes: Uint8Array): string[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(0, true);
  const out: string[] = [];
  const td = new TextDecoder("utf-8", { ignoreBOM: true }); // a leading U+FEFF is data
  let off = 4;
  for (let i = 0; i < n; i++) {
    const len = dv.getUint32(off, true);
    off += 4;
    out.push(td.decode(bytes.subarray(off, off + len)));
    off += len;
  }
  return out;
}

/** Fixed-width little-endian UTF-32 (`<U{width}`) encoding of strings. */
export function encodeU(strings: readonly string[]): { dtype: string; bytes: Uint8Array } {
  const cps = strings.map((s) => Array.from(s, (c) => c.codePointAt(0)!));
  const width = Math.max(1, ...cps.map((c) => c.length));
  const bytes = new Uint8Array(4 * width * strings.length);
  const dv = new DataView(bytes.buffer);
  cps.forEach((c, i) => c.forEach((cp, j) => dv.setUint32(4 * (i * width + j), cp, true)));
  return { dtype: `<U${width}`, bytes };
}

/** 64-bit little-endian integers. */
export function encodeI8(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(8 * values.length);
  const dv = new DataView(bytes.buffer);
  values.forEach((v, i) => dv.setBigInt64(8 * i, BigInt(v), true));
  return bytes;
}

/** Zarr compressor metadata of a codec name. */
export function compressorMeta(c: "none" | "zlib" | "gzip", level: number) {
  return c === "none" ? null : { id: c, level };
}

/** Compresses a chunk. */
export function compress(bytes: Uint8Array, c: "none" | "zlib" | "gzip", level: number) {
  if (c === "none") return bytes;
  return c === "zlib" ? deflateSync(bytes, { level }) : gzipSync(bytes, { level });
}

/** Decompresses a chunk according to its `.zarray` compressor. */
export function decompress(bytes: Uint8Array, compressor: { id: string } | null): Uint8Array {
  if (compressor === null) return bytes;
  if (compressor.id === "zlib") return inflateSync(bytes);
  if (compressor.id === "gzip") return gunzipSync(bytes);
  if (compressor.id === "blosc") return bloscDecode(bytes);
  throw new DataFormatError(
    `unsupported zarr compressor "${compressor.id}" (supported: zlib, gzip, blosc)`,
  );
}
