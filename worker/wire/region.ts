/**
 * Byte-region helpers shared by both processes: 64-byte aligned layout and base64 for tiny
 * inline regions (the C/F-order transposition done inside the single copy is `fToC` in
 * data/transpose.ts).
 *
 * @module
 */
import { ALIGN } from "./format.ts";

/**
 * Hands out 64-byte aligned offsets in a region and tracks its size.
 *
 * @example
 * ```ts
 * const l = new RegionLayout();
 * l.alloc(10); // 0
 * l.alloc(8); // 64
 * ```
 */
export class RegionLayout {
  /** Bytes used so far. */
  size = 0;
  /** Reserves `bytes` and returns their (aligned) offset. */
  alloc(bytes: number): number {
    const o = Math.ceil(this.size / ALIGN) * ALIGN;
    this.size = o + bytes;
    return o;
  }
}

/**
 * Base64 of bytes.
 *
 * @example
 * ```ts
 * toBase64(new Uint8Array([1, 2])); // "AQI="
 * ```
 */
export function toBase64(u8: Uint8Array): string {
  // deno-lint-ignore no-explicit-any
  return (u8 as any).toBase64();
}

/**
 * A fresh ArrayBuffer (offset 0, so every aligned view works) from base64.
 *
 * @example
 * ```ts
 * new Uint8Array(fromBase64("AQI=")); // [1, 2]
 * ```
 */
export function fromBase64(s: string): ArrayBuffer {
  // deno-lint-ignore no-explicit-any
  const u8 = (Uint8Array as any).fromBase64(s) as Uint8Array;
  if (u8.byteOffset === 0 && u8.byteLength === u8.buffer.byteLength) {
    return u8.buffer as ArrayBuffer;
  }
  return u8.slice().buffer as ArrayBuffer;
}
