/**
 * Main side: JS values to the wire form plus a plan of copy jobs into one byte region.
 * Everything is validated here, before anything is sent: a value R cannot hold raises a
 * TypeError/RangeError and nothing crosses. The copy itself runs when the request is sent
 * (`CopyPlan.write`), straight into shared memory.
 *
 * @module
 */
import { Categorical } from "../../data/categorical.ts";
import { type Column, wholeDays } from "../../data/column.ts";
import { DataFrame } from "../../data/frame.ts";
import { NdArray } from "../../data/ndarray.ts";
import { fromArrow, isArrowTable } from "../../data/from_arrow.ts";
import { RHandleError } from "./errors.ts";
import { type HandleOwner, RObject } from "./robject.ts";
import { shmFree } from "../wire/shm_segment.ts";
import { checkString, type Job, LeafEncoder } from "./encode_leaf.ts";
import { NamedArgs, RCode } from "./markers.ts";
import { INLINE_MAX, type Wire, type WireAttrs } from "../wire/format.ts";
import { BrmstsRangeError, BrmstsTypeError } from "../../errors.ts";

/**
 * The bulk data of one request: its size and the copy jobs that fill it. The encoder returns
 * it ({@link ArgEncoder.finish}), the client's task carries it, and the transport runs it into
 * the request's region when the request is sent.
 *
 * @example
 * ```ts
 * const enc = new ArgEncoder();
 * const wire = enc.encode(new Float64Array(1e6));
 * const plan = enc.finish();
 * if (plan) plan.write(new ArrayBuffer(plan.size));
 * ```
 */
export interface CopyPlan {
  /** Bytes the region needs. */
  readonly size: number;
  /** Runs every copy job into `region` (at least `size` bytes). */
  write(region: ArrayBuffer): void;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const str = (v: (string | null)[]): Wire => ({ t: "str", v });

/**
 * Encodes the arguments of one request into wire trees sharing one region.
 *
 * @example
 * ```ts
 * const enc = new ArgEncoder();
 * const w = enc.encode(new Float64Array([1, 2]), "x"); // { t: "dbl", n: 2, o: 0 }
 * ```
 */
export class ArgEncoder {
  readonly #leaf = new LeafEncoder();
  readonly #seen = new Set<object>();
  readonly #owner?: HandleOwner;

  /**
   * @param owner the worker client the request goes to: an RObject of any other client is
   *   refused (its id means a different object, or nothing, there).
   */
  constructor(owner?: HandleOwner) {
    this.#owner = owner;
  }

  /**
   * Converts one JS value.
   *
   * @throws {TypeError} for functions, symbols, cycles, ragged/mixed data frames and other
   * values without an R form; {@link RangeError} for numbers R cannot hold.
   */
  encode(value: unknown, path = "value"): Wire {
    const L = this.#leaf;
    if (value === null || value === undefined) return { t: "null" };
    switch (typeof value) {
      case "number":
        return L.numbers([value]);
      case "boolean":
        return L.logicals([value]);
      case "string":
        return { t: "str", v: [checkString(value, path)] };
      case "bigint":
        if (value > 2147483647n || value < -2147483647n) {
          throw new BrmstsRangeError(`${path}: ${value} does not fit R's 32-bit integer`);
        }
        return { t: "int", v: [Number(value)] };
      case "function":
      case "symbol":
        throw new BrmstsTypeError(`${path}: a ${typeof value} has no R form`);
    }
    const obj = value as object;
    if (obj instanceof RObject) {
      obj.assertUsable();
      if (this.#owner && obj.owner !== this.#owner) {
        throw new RHandleError(
          `${path}: RObject ${obj.id} (${obj.classes.join("/")}) belongs to another R worker ` +
            `(RWorker client); a handle can only be used on the worker that made it. Send the ` +
            `data instead, or recreate the object on this worker`,
        );
      }
      return { t: "handle", id: obj.id };
    }
    if (obj instanceof RCode) return { t: "code", src: checkString(obj.code, path) };
    // A fit (brm()'s result) stands for its brmsfit handle, with the same ownership check.
    const held = fitHandleOf(obj);
    if (held) return this.encode(held, path);
    if (obj instanceof NamedArgs) {
      throw new BrmstsTypeError(`${path}: named() is only valid in callR args`);
    }
    if (ArrayBuffer.isView(obj)) return this.#typed(obj, path);
    if (obj instanceof Date) return L.dates([obj]);
    if (obj instanceof Categorical) return L.factor(obj);
    if (obj instanceof NdArray) return L.ndarray(obj, path);
    if (obj instanceof DataFrame) return this.frame(obj, path);
    if (isArrowTable(obj)) return this.frame(fromArrow(obj), path);
    if (this.#seen.has(obj)) {
      throw new BrmstsTypeError(`${path}: cyclic structure cannot be sent to R`);
    }
    this.#seen.add(obj);
    try {
      if (Array.isArray(obj)) return this.#array(obj, path);
      if (!isPlainObject(obj)) {
        throw new BrmstsTypeError(`${path}: ${obj.constructor?.name ?? "object"} has no R form`);
      }
      const keys = Object.keys(obj);
      const v = keys.map((k) => this.encode((obj as Record<string, unknown>)[k], `${path}.${k}`));
      return { t: "list", v, a: { names: L.strings(keys, `${path} names`) } };
    } finally {
      this.#seen.delete(obj);
    }
  }

  #typed(x: ArrayBufferView, path: string): Wire {
    const L = this.#leaf;
    if (x instanceof Float64Array) return L.f64(x);
    if (x instanceof Int32Array) return L.i32(x);
    if (x instanceof Float32Array || x instanceof Uint32Array) return L.f64Convert(x);
    if (
      x instanceof Int8Array || x instanceof Int16Array || x instanceof Uint8Array ||
      x instanceof Uint8ClampedArray || x instanceof Uint16Array
    ) return L.i32Convert(x);
    if (x instanceof BigInt64Array || x instanceof BigUint64Array) return L.bigints(x, path);
    throw new BrmstsTypeError(`${path}: ${x.constructor.name} has no R form (use a typed array)`);
  }

  #array(arr: unknown[], path: string): Wire {
    const L = this.#leaf;
    let kind: string | undefined;
    let mixed = false;
    for (const x of arr) {
      if (x === null || x === undefined) continue;
      const k = x instanceof Date ? "date" : typeof x;
      if (kind === undefined) kind = k;
      else if (k !== kind) {
        mixed = true;
        break;
      }
    }
    if (!mixed && arr.length > 0) {
      if (kind === "number") return L.numbers(arr as (number | null)[]);
      if (kind === "string") return L.strings(arr as (string | null)[], path);
      if (kind === "boolean" || kind === undefined) return L.logicals(arr as (boolean | null)[]);
      if (kind === "date") return L.dates(arr as (Date | null)[]);
    }
    return { t: "list", v: arr.map((x, i) => this.encode(x, `${path}[${i}]`)) };
  }

  /** A DataFrame as an R data.frame (names, class, row names; factors stay factors). */
  frame(df: DataFrame, path: string): Wire {
    const L = this.#leaf;
    const v = df.entries().map(([name, c]) =>
      this.#column(c, df.columnType(name), `${path}$${name}`)
    );
    const n = df.nrow;
    const rn = df.rowNames
      ? L.strings(df.rowNames, `${path} row names`)
      : { t: "int", v: n > 0 ? [null, -n] : [] } as Wire;
    const a: WireAttrs = {
      names: L.strings(df.names, `${path} names`),
      class: str(["data.frame"]),
      "row.names": rn,
    };
    return { t: "list", v, a };
  }

  #column(c: Column, type: string, path: string): Wire {
    const L = this.#leaf;
    switch (type) {
      case "double":
        return L.f64(c as Float64Array);
      case "integer":
        return L.i32(c as Int32Array);
      case "factor":
        return L.factor(c as Categorical);
      case "logical":
        return L.logicals(c as (boolean | null)[]);
      case "character":
        return L.strings(c as (string | null)[], path);
      case "date":
      case "datetime": {
        const d = c as (Date | null)[];
        if (type === "date" && !wholeDays(d)) {
          throw new BrmstsRangeError(
            `${path}: a "date" column holds times that are not UTC midnight`,
          );
        }
        return L.dates(d, type);
      }
      case "matrix":
        return L.ndarray(c as NdArray, path);
      default:
        return { t: "list", v: (c as unknown[]).map((x, i) => this.encode(x, `${path}[${i}]`)) };
    }
  }

  /**
   * Finishes the request: the copy plan of every value encoded so far, or undefined when they
   * need no region.
   *
   * @throws {RangeError} when the data cannot fit in /dev/shm.
   */
  finish(): CopyPlan | undefined {
    const size = this.#leaf.layout.size;
    if (size > INLINE_MAX) {
      const free = shmFree();
      if (size > free) {
        throw new BrmstsRangeError(
          `the arguments need ${(size / 1048576).toFixed(1)} MiB of shared memory; ` +
            `only ${(free / 1048576).toFixed(1)} MiB are free in /dev/shm`,
        );
      }
    }
    const jobs: Job[] = this.#leaf.jobs;
    return size > 0 ? { size, write: (r) => jobs.forEach((j) => j(r)) } : undefined;
  }
}

/**
 * The rule by which a fit stands for its R object wherever an R value is expected (callR, call,
 * every post-fit function): an object whose `r` is a handle on a `brmsfit` (brm()'s `FitResult`
 * and `FitHandle`, readRdsFit()'s result) is that handle. Anything else: `undefined`.
 *
 * @example
 * ```ts
 * fitHandleOf({ a: 1 }); // undefined
 * ```
 */
export function fitHandleOf(v: unknown): RObject | undefined {
  if (v === null || typeof v !== "object" || v instanceof RObject) return undefined;
  const r = (v as { r?: unknown }).r;
  return r instanceof RObject && r.inherits("brmsfit") ? r : undefined;
}
