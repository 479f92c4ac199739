/**
 * Zarr v2 stores in ArviZ's layout: one group per InferenceData group, `_ARRAY_DIMENSIONS`
 * attributes, coordinate arrays and consolidated metadata, readable by
 * `arviz.from_zarr(dir)`, `xarray.open_zarr(dir, group="posterior")` and `zarr`.
 *
 * @module
 */
import {
  existsSync,
  join,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "./_node.ts";
import { Dataset } from "./dataset.ts";
import { InferenceData } from "./inference_data.ts";
import { product, type TypedArray, type Variable } from "./types.ts";
import {
  bytesOf,
  compress,
  compressorMeta,
  decode,
  decodeVlenUtf8,
  decompress,
  dtypeOf,
  encodeI8,
  encodeU,
  itemSize,
} from "./_zarr_codec.ts";
import { BrmstsInputError } from "../errors.ts";
import { DataFormatError } from "./errors.ts";

/**
 * Options of {@link toZarr}.
 *
 * @example
 * ```ts
 * import type { ToZarrOptions } from "./zarr.ts";
 * const opts: ToZarrOptions = { compressor: "zlib", overwrite: true };
 * ```
 */
export interface ToZarrOptions {
  /** Chunk compression (default `"none"`); zlib and gzip are numcodecs codecs. */
  compressor?: "none" | "zlib" | "gzip";
  /** Compression level (default 1). */
  level?: number;
  /** Replace an existing store at `dir` (default: refuse a non-empty directory). */
  overwrite?: boolean;
}

type Json = Record<string, unknown>;

function checkName(name: string, what: string): void {
  if (!name || name.includes("/") || name.startsWith(".")) {
    throw new BrmstsInputError(`${what} name "${name}" cannot be stored in Zarr`);
  }
}

/**
 * Writes an InferenceData as a Zarr v2 directory store. Variables are written from their
 * typed arrays without copies (one chunk per chain when the first dimension is `chain`).
 * Uint8Array variables with `attrs.dtype === "bool"` are read back as booleans by xarray.
 *
 * @example
 * ```ts
 * import { InferenceData, toZarr } from "./mod.ts";
 * const idata = InferenceData.fromObject({ posterior: { mu: new Float64Array(400) } }, {
 *   chains: 4,
 * });
 * toZarr(idata, "/tmp/fit.zarr", { overwrite: true });
 * // Python: arviz.from_zarr("/tmp/fit.zarr"); xarray.open_zarr("/tmp/fit.zarr", group="posterior")
 * ```
 */
export function toZarr(idata: InferenceData, dir: string, options: ToZarrOptions = {}): void {
  const codec = options.compressor ?? "none";
  const level = options.level ?? 1;
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!options.overwrite) {
      throw new BrmstsInputError(`${dir} is not empty (pass { overwrite: true })`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  const meta: Json = {};
  const put = (key: string, value: Json) => {
    meta[key] = value;
    writeFileSync(join(dir, key), JSON.stringify(value, null, 4));
  };
  const array = (
    path: string,
    shape: readonly number[],
    chunks: number[],
    dtype: string,
    attrs: Json,
    blocks: [string, Uint8Array][],
  ) => {
    mkdirSync(join(dir, path), { recursive: true });
    put(`${path}/.zarray`, {
      chunks,
      compressor: compressorMeta(codec, level),
      dtype,
      fill_value: null,
      filters: null,
      order: "C",
      shape: [...shape],
      zarr_format: 2,
    });
    put(`${path}/.zattrs`, attrs);
    for (const [key, bytes] of blocks) {
      writeFileSync(join(dir, path, key), compress(bytes, codec, level));
    }
  };
  put(".zgroup", { zarr_format: 2 });
  put(".zattrs", { ...idata.attrs });
  for (const g of idata.groups()) {
    checkName(g, "group");
    const ds = idata.group(g);
    mkdirSync(join(dir, g), { recursive: true });
    put(`${g}/.zgroup`, { zarr_format: 2 });
    put(`${g}/.zattrs`, { ...ds.attrs });
    for (const [d, labels] of ds.coords) {
      checkName(d, "dimension");
      let dtype: string;
      let bytes: Uint8Array;
      if (labels.every((l) => typeof l === "string")) {
        ({ dtype, bytes } = encodeU(labels as string[]));
      } else if (labels.every((l) => Number.isSafeInteger(l))) {
        dtype = "<i8";
        bytes = encodeI8(labels as number[]);
      } else {
        dtype = "<f8";
        bytes = bytesOf(Float64Array.from(labels as number[]));
      }
      const n = labels.length;
      array(
        `${g}/${d}`,
        [n],
        [Math.max(n, 1)],
        dtype,
        { _ARRAY_DIMENSIONS: [d] },
        n ? [["0", bytes]] : [],
      );
    }
    for (const [name, v] of ds.vars) {
      checkName(name, "variable");
      if (ds.coords.has(name)) {
        throw new BrmstsInputError(`variable "${name}" clashes with a dimension name`);
      }
      const { chunks, blocks } = chunkVariable(v);
      array(`${g}/${name}`, v.shape, chunks, dtypeOf(v.data), {
        ...(v.attrs ?? {}),
        _ARRAY_DIMENSIONS: [...v.dims],
      }, blocks);
    }
  }
  writeFileSync(
    join(dir, ".zmetadata"),
    JSON.stringify({ metadata: meta, zarr_consolidated_format: 1 }, null, 4),
  );
}

/** One chunk per chain when the first dimension is `chain`, else one chunk. */
function chunkVariable(v: Variable): { chunks: number[]; blocks: [string, Uint8Array][] } {
  const k = v.shape.length;
  const chunks = v.shape.map((s) => Math.max(s, 1));
  if (product(v.shape) === 0) return { chunks, blocks: [] };
  const rest = ".0".repeat(Math.max(k - 1, 0));
  if (k > 1 && v.dims[0] === "chain" && v.shape[0] > 1) {
    chunks[0] = 1;
    const stride = v.data.length / v.shape[0];
    const blocks: [string, Uint8Array][] = [];
    for (let c = 0; c < v.shape[0]; c++) {
      const part = v.data.subarray(c * stride, (c + 1) * stride) as TypedArray;
      blocks.push([`${c}${rest}`, bytesOf(part)]);
    }
    return { chunks, blocks };
  }
  return { chunks, blocks: [[k === 0 ? "0" : `0${rest}`, bytesOf(v.data)]] };
}

interface ZArray {
  chunks: number[];
  compressor: { id: string } | null;
  dtype: string;
  fill_value: unknown;
  filters: { id: string }[] | null;
  order: string;
  shape: number[];
  dimension_separator?: string;
}

function readJson(dir: string, key: string): Json | undefined {
  const p = join(dir, key);
  return existsSync(p) ? JSON.parse(readFileSync(p, "utf8")) : undefined;
}

/** All metadata keys: from `.zmetadata` when present, else by walking the directory. */
function metadata(dir: string): Record<string, Json> {
  const consolidated = readJson(dir, ".zmetadata");
  if (consolidated) return consolidated.metadata as Record<string, Json>;
  const out: Record<string, Json> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const key = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(key);
      else if ([".zgroup", ".zattrs", ".zarray"].includes(e.name)) out[key] = readJson(dir, key)!;
    }
  };
  walk("");
  return out;
}

/** Reads a whole array from its chunks. */
function readArray(dir: string, path: string, z: ZArray): ReturnType<typeof decode> {
  if (z.order !== "C") throw new DataFormatError(`${path}: only C-order arrays are supported`);
  const vlen = (z.filters ?? []).some((f) => f.id === "vlen-utf8");
  const total = product(z.shape);
  const k = z.shape.length;
  const sep = z.dimension_separator ?? ".";
  const grid = z.shape.map((s, i) => Math.ceil(s / z.chunks[i]));
  const single = grid.every((g) => g === 1) && z.shape.every((s, i) => s === z.chunks[i]);
  const chunkBytes = (idx: number[]): Uint8Array | undefined => {
    const key = k === 0 ? "0" : idx.join(sep);
    const p = join(dir, path, key);
    return existsSync(p) ? decompress(new Uint8Array(readFileSync(p)), z.compressor) : undefined;
  };
  if (vlen || z.dtype === "|O") {
    if (!single) throw new DataFormatError(`${path}: chunked object arrays are not supported`);
    const b = chunkBytes(new Array(k).fill(0));
    return { kind: "string", data: b ? decodeVlenUtf8(b) : new Array(total).fill("") };
  }
  const size = itemSize(z.dtype);
  if (single && total > 0) {
    const b = chunkBytes(new Array(k).fill(0));
    if (b) return decode(b, z.dtype, total);
  }
  const out = new Uint8Array(total * size);
  const strides = new Array<number>(k);
  let st = 1;
  for (let i = k - 1; i >= 0; i--) {
    strides[i] = st;
    st *= z.shape[i];
  }
  const missing: number[][] = [];
  const idx = new Array<number>(k).fill(0);
  for (let c = 0; c < product(grid); c++) {
    const b = chunkBytes(idx);
    if (b) copyChunk(b, out, idx, z, strides, size);
    else missing.push([...idx]);
    for (let i = k - 1; i >= 0; i--) {
      if (++idx[i] < grid[i]) break;
      idx[i] = 0;
    }
  }
  const dec = decode(out, z.dtype, total);
  const fill = z.fill_value === null ? 0 : z.fill_value === "NaN" ? NaN : Number(z.fill_value);
  if (dec.kind === "numeric" && missing.length && !Object.is(fill, 0)) {
    for (const m of missing) fillChunk(dec.data, m, z, strides, fill);
  }
  return dec;
}

/** Sets the region of one (missing) chunk to the fill value. */
function fillChunk(data: TypedArray, cidx: number[], z: ZArray, strides: number[], v: number) {
  const k = z.shape.length;
  const start = cidx.map((c, i) => c * z.chunks[i]);
  const ext = start.map((s, i) => Math.min(z.chunks[i], z.shape[i] - s));
  const idx = new Array<number>(k).fill(0);
  for (let r = 0; r < product(ext); r++) {
    let off = 0;
    for (let i = 0; i < k; i++) off += (start[i] + idx[i]) * strides[i];
    data[off] = v;
    for (let i = k - 1; i >= 0; i--) {
      if (++idx[i] < ext[i]) break;
      idx[i] = 0;
    }
  }
}

/** Copies one decoded chunk (full chunk shape, C order) into the array's bytes. */
function copyChunk(
  b: Uint8Array,
  out: Uint8Array,
  cidx: number[],
  z: ZArray,
  strides: number[],
  size: number,
): void {
  const k = z.shape.length;
  const start = cidx.map((c, i) => c * z.chunks[i]);
  const ext = start.map((s, i) => Math.min(z.chunks[i], z.shape[i] - s));
  const cstr = new Array<number>(k);
  let st = 1;
  for (let i = k - 1; i >= 0; i--) {
    cstr[i] = st;
    st *= z.chunks[i];
  }
  const row = ext[k - 1] * size;
  const outer = ext.slice(0, k - 1);
  const idx = new Array<number>(Math.max(k - 1, 0)).fill(0);
  for (let r = 0; r < product(outer); r++) {
    let src = 0;
    let dst = 0;
    for (let i = 0; i < k - 1; i++) {
      src += idx[i] * cstr[i];
      dst += (start[i] + idx[i]) * strides[i];
    }
    dst += start[k - 1];
    out.set(b.subarray(src * size, src * size + row), dst * size);
    for (let i = k - 2; i >= 0; i--) {
      if (++idx[i] < outer[i]) break;
      idx[i] = 0;
    }
  }
}

/**
 * Reads a Zarr v2 store written by {@link toZarr} or by ArviZ/xarray (uncompressed, zlib or gzip
 * chunks; 64-bit integer data become Float64Array, booleans Uint8Array with
 * `attrs.dtype === "bool"`).
 *
 * @example
 * ```ts
 * import { fromZarr } from "./mod.ts";
 * const idata = fromZarr("/tmp/fit.zarr");
 * idata.get("posterior", "mu").shape;
 * ```
 */
export function fromZarr(dir: string): InferenceData {
  const meta = metadata(dir);
  const groups = Object.keys(meta)
    .filter((k) => /^[^/]+\/\.zgroup$/.test(k))
    .map((k) => k.slice(0, -".zgroup".length - 1));
  const out = new Map<string, Dataset>();
  for (const g of groups) {
    const arrays = Object.keys(meta)
      .filter((k) => k.startsWith(`${g}/`) && k.endsWith("/.zarray") && k.split("/").length === 3)
      .map((k) => k.split("/")[1]);
    const coords: Record<string, number[] | string[]> = {};
    const vars = new Map<string, Variable>();
    for (const name of arrays) {
      const z = meta[`${g}/${name}/.zarray`] as unknown as ZArray;
      const attrs = { ...(meta[`${g}/${name}/.zattrs`] ?? {}) } as Json;
      const dims = (attrs._ARRAY_DIMENSIONS ?? []) as string[];
      delete attrs._ARRAY_DIMENSIONS;
      const dec = readArray(dir, `${g}/${name}`, z);
      if (dims.length === 1 && dims[0] === name) {
        coords[name] = dec.kind === "string" ? dec.data : Array.from(dec.data);
        continue;
      }
      if (dec.kind === "string") {
        throw new DataFormatError(`${g}/${name}: string variables are not supported`);
      }
      if (z.dtype.endsWith("b1")) attrs.dtype = "bool";
      vars.set(name, {
        dims,
        shape: z.shape,
        data: dec.data,
        ...(Object.keys(attrs).length ? { attrs } : {}),
      });
    }
    out.set(g, new Dataset(vars, coords, (meta[`${g}/.zattrs`] ?? {}) as Json));
  }
  return new InferenceData(out, (meta[".zattrs"] ?? {}) as Json);
}
