// A Zarr v2 store (as toZarr and ArviZ write it) read lazily: the metadata at once, one array at
// a time on demand. The explorer lists a fit's variables from here without reading any draws.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, inflateSync } from "node:zlib";
import { Dataset, type Variable } from "../idata/mod.ts";
import { ExploreInputError } from "./errors.ts";

type Json = Record<string, unknown>;
interface ZArray {
  chunks: number[];
  compressor: { id: string } | null;
  dtype: string;
  fill_value: unknown;
  filters: unknown[] | null;
  order: string;
  shape: number[];
  dimension_separator?: string;
}

const prod = (a: readonly number[]) => a.reduce((x, y) => x * y, 1);

/** A Zarr store whose arrays are read when asked for. */
export class LazyZarr {
  readonly dir: string;
  #meta: Record<string, Json>;
  #groups: string[];

  constructor(dir: string) {
    this.dir = dir;
    const cons = join(dir, ".zmetadata");
    if (existsSync(cons)) {
      this.#meta = (JSON.parse(readFileSync(cons, "utf8")) as { metadata: Record<string, Json> })
        .metadata;
    } else if (existsSync(join(dir, ".zgroup"))) {
      this.#meta = {};
      for (const g of readdirSync(dir, { withFileTypes: true })) {
        if (!g.isDirectory()) continue;
        this.#meta[`${g.name}/.zgroup`] = {};
        for (const a of readdirSync(join(dir, g.name), { withFileTypes: true })) {
          for (const k of [".zarray", ".zattrs"]) {
            const p = join(dir, g.name, a.name, k);
            if (a.isDirectory() && existsSync(p)) {
              this.#meta[`${g.name}/${a.name}/${k}`] = JSON.parse(readFileSync(p, "utf8"));
            }
          }
        }
      }
    } else {
      throw new ExploreInputError(`${dir} is not a Zarr store (no .zmetadata or .zgroup)`);
    }
    this.#groups = Object.keys(this.#meta)
      .filter((k) => /^[^/]+\/\.zgroup$/.test(k))
      .map((k) => k.slice(0, -"/.zgroup".length));
  }

  groups(): string[] {
    return [...this.#groups];
  }

  #dims(group: string, name: string): string[] {
    const a = this.#meta[`${group}/${name}/.zattrs`] ?? {};
    return (a._ARRAY_DIMENSIONS ?? []) as string[];
  }

  /** The data variables of a group (coordinates left out), from the metadata only. */
  varNames(group: string): string[] {
    const out: string[] = [];
    const pre = `${group}/`;
    for (const k of Object.keys(this.#meta)) {
      if (!k.startsWith(pre) || !k.endsWith("/.zarray")) continue;
      const name = k.slice(pre.length, -"/.zarray".length);
      if (name.includes("/")) continue;
      const d = this.#dims(group, name);
      if (d.length === 1 && d[0] === name) continue;
      out.push(name);
    }
    return out;
  }

  /** Shape and dims of a variable, from the metadata only. */
  info(group: string, name: string): { dims: string[]; shape: number[] } | undefined {
    const z = this.#meta[`${group}/${name}/.zarray`] as unknown as ZArray | undefined;
    return z ? { dims: this.#dims(group, name), shape: z.shape } : undefined;
  }

  /** One variable's values, read from its chunks now. */
  variable(group: string, name: string): Variable {
    const z = this.#meta[`${group}/${name}/.zarray`] as unknown as ZArray | undefined;
    if (!z) throw new ExploreInputError(`no variable "${name}" in group "${group}"`);
    return { dims: this.#dims(group, name), shape: [...z.shape], data: this.#read(group, name, z) };
  }

  /** A whole group as a Dataset (for the small groups: sample_stats, observed data, ...). */
  dataset(group: string, only?: readonly string[]): Dataset {
    const vars = new Map<string, Variable>();
    for (const n of only ?? this.varNames(group)) vars.set(n, this.variable(group, n));
    return new Dataset(vars);
  }

  #read(group: string, name: string, z: ZArray): Float64Array {
    if (z.order !== "C" || (z.filters && z.filters.length)) {
      throw new ExploreInputError(`${group}/${name}: only plain C-order numeric arrays are read`);
    }
    const size = Number(z.dtype.slice(2));
    const kind = z.dtype[1];
    const view = (b: Uint8Array, n: number): ArrayLike<number> => {
      const buf = b.buffer.slice(b.byteOffset, b.byteOffset + n * size);
      if (kind === "f") return size === 8 ? new Float64Array(buf) : new Float32Array(buf);
      if (kind === "i") {
        if (size === 8) return Float64Array.from(new BigInt64Array(buf), Number);
        return size === 4
          ? new Int32Array(buf)
          : size === 2
          ? new Int16Array(buf)
          : new Int8Array(buf);
      }
      if (kind === "u" || kind === "b") {
        return size === 4
          ? new Uint32Array(buf)
          : size === 2
          ? new Uint16Array(buf)
          : new Uint8Array(buf);
      }
      throw new ExploreInputError(`${group}/${name}: dtype ${z.dtype} is not numeric`);
    };
    if (z.dtype[0] === ">") throw new ExploreInputError(`${group}/${name}: big-endian data`);
    const total = prod(z.shape);
    const fill = z.fill_value === "NaN" ? NaN : z.fill_value == null ? 0 : Number(z.fill_value);
    const out = new Float64Array(total).fill(fill);
    if (total === 0) return out;
    const k = z.shape.length;
    const sep = z.dimension_separator ?? ".";
    const grid = z.shape.map((s, i) => Math.ceil(s / z.chunks[i]));
    const strides = new Array<number>(k);
    for (let i = k - 1, st = 1; i >= 0; i--) strides[i] = st, st *= z.shape[i];
    const cidx = new Array<number>(k).fill(0);
    for (let c = 0; c < prod(grid); c++) {
      const p = join(this.dir, group, name, k === 0 ? "0" : cidx.join(sep));
      if (existsSync(p)) {
        let b = new Uint8Array(readFileSync(p));
        const id = z.compressor?.id;
        if (id === "zlib") b = new Uint8Array(inflateSync(b));
        else if (id === "gzip") b = new Uint8Array(gunzipSync(b));
        else if (id) {
          throw new ExploreInputError(`${group}/${name}: compressor ${id} not supported`);
        }
        const vals = view(b, prod(z.chunks));
        copyChunk(vals, out, cidx, z, strides);
      }
      for (let i = k - 1; i >= 0; i--) {
        if (++cidx[i] < grid[i]) break;
        cidx[i] = 0;
      }
    }
    return out;
  }
}

function copyChunk(
  vals: ArrayLike<number>,
  out: Float64Array,
  cidx: number[],
  z: ZArray,
  strides: number[],
): void {
  const k = z.shape.length;
  const start = cidx.map((c, i) => c * z.chunks[i]);
  const ext = start.map((s, i) => Math.min(z.chunks[i], z.shape[i] - s));
  const cstr = new Array<number>(k);
  for (let i = k - 1, st = 1; i >= 0; i--) cstr[i] = st, st *= z.chunks[i];
  const idx = new Array<number>(k).fill(0);
  const n = prod(ext);
  for (let r = 0; r < n; r++) {
    let src = 0, dst = 0;
    for (let i = 0; i < k; i++) src += idx[i] * cstr[i], dst += (start[i] + idx[i]) * strides[i];
    out[dst] = Number(vals[src]);
    for (let i = k - 1; i >= 0; i--) {
      if (++idx[i] < ext[i]) break;
      idx[i] = 0;
    }
  }
}
