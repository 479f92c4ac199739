// Decompression of Blosc (v1) chunks as numcodecs writes them: zarr's default compressor
// Blosc(cname="lz4", shuffle=SHUFFLE). Supports the lz4/lz4hc and zlib inner codecs, byte
// shuffle, split streams and memcpy'd chunks.
import { inflateRawSync, inflateSync } from "./_node.ts";
import { DataFormatError } from "./errors.ts";

/** LZ4 block format (no frame) into `out`; returns the number of bytes written. */
export function lz4Block(src: Uint8Array, out: Uint8Array): number {
  let ip = 0;
  let op = 0;
  const end = src.length;
  while (ip < end) {
    const token = src[ip++];
    let lit = token >> 4;
    if (lit === 15) {
      let b: number;
      do {
        b = src[ip++];
        lit += b;
      } while (b === 255);
    }
    out.set(src.subarray(ip, ip + lit), op);
    ip += lit;
    op += lit;
    if (ip >= end) break; // the last sequence holds literals only
    const offset = src[ip] | (src[ip + 1] << 8);
    ip += 2;
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        b = src[ip++];
        len += b;
      } while (b === 255);
    }
    len += 4;
    if (offset === 0 || offset > op) throw new DataFormatError("corrupt lz4 block");
    for (let k = 0; k < len; k++, op++) out[op] = out[op - offset];
  }
  return op;
}

function inner(format: number, src: Uint8Array, out: Uint8Array): void {
  if (format === 1) {
    if (lz4Block(src, out) !== out.length) throw new DataFormatError("corrupt blosc lz4 stream");
  } else if (format === 3) {
    let z: Uint8Array;
    try {
      z = inflateSync(src);
    } catch {
      z = inflateRawSync(src);
    }
    out.set(z.subarray(0, out.length));
  } else {
    const names = ["blosclz", "lz4", "snappy", "zlib", "zstd"];
    throw new DataFormatError(
      `blosc inner codec ${names[format] ?? format} is not supported (lz4, zlib are)`,
    );
  }
}

function unshuffle(src: Uint8Array, typesize: number, out: Uint8Array): void {
  const n = Math.floor(src.length / typesize);
  for (let j = 0; j < typesize; j++) {
    const base = j * n;
    for (let i = 0; i < n; i++) out[i * typesize + j] = src[base + i];
  }
  const rest = n * typesize;
  out.set(src.subarray(rest), rest);
}

/** Decompresses one Blosc chunk. */
export function bloscDecode(buf: Uint8Array): Uint8Array {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const flags = buf[2];
  const typesize = buf[3];
  const nbytes = dv.getUint32(4, true);
  const blocksize = dv.getUint32(8, true);
  const out = new Uint8Array(nbytes);
  if (flags & 0x02) { // memcpyed
    out.set(buf.subarray(16, 16 + nbytes));
    return out;
  }
  if (flags & 0x04) throw new DataFormatError("blosc bit shuffle is not supported");
  const shuffle = (flags & 0x01) !== 0 && typesize > 1;
  const dontSplit = (flags & 0x10) !== 0;
  const format = (flags & 0xe0) >> 5;
  const nblocks = Math.ceil(nbytes / blocksize);
  const tmp = new Uint8Array(blocksize);
  for (let b = 0; b < nblocks; b++) {
    const leftover = b === nblocks - 1 && nbytes % blocksize !== 0;
    const bsize = leftover ? nbytes % blocksize : blocksize;
    const nstreams = !dontSplit && !leftover ? typesize : 1;
    const neblock = Math.floor(bsize / nstreams);
    let ip = dv.getInt32(16 + 4 * b, true);
    const dest = shuffle
      ? tmp.subarray(0, bsize)
      : out.subarray(b * blocksize, b * blocksize + bsize);
    for (let s = 0; s < nstreams; s++) {
      const cbytes = dv.getInt32(ip, true);
      ip += 4;
      const part = dest.subarray(s * neblock, (s + 1) * neblock);
      if (cbytes === 0) part.fill(0);
      else if (cbytes < 0) { // a run of one byte value
        part.fill(-cbytes & 0xff);
        ip += 1;
        continue;
      } else if (cbytes === neblock) part.set(buf.subarray(ip, ip + neblock));
      else inner(format, buf.subarray(ip, ip + cbytes), part);
      ip += Math.max(cbytes, 0);
    }
    if (shuffle) unshuffle(dest, typesize, out.subarray(b * blocksize, b * blocksize + bsize));
  }
  return out;
}
