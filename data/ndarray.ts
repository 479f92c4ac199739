/**
 * N-dimensional arrays (R matrices and arrays) in JavaScript.
 *
 * @module
 */
import { BrmstsRangeError } from "../errors.ts";

/**
 * What an {@link NdArray} can hold: doubles, integers, logicals or strings.
 *
 * @example
 * ```ts
 * const d: NdData = new Float64Array(6);
 * ```
 */
export type NdData = Float64Array | Int32Array | (boolean | null)[] | (string | null)[];

/**
 * Memory order: `C` (row-major, last index fastest) or `F` (R's column-major).
 *
 * @example
 * ```ts
 * new NdArray(new Float64Array(6), [2, 3], { order: "F" as MemoryOrder });
 * ```
 */
export type MemoryOrder = "C" | "F";

/**
 * A dense n-d array with an explicit shape, optional dimension names and memory order.
 *
 * Arrays that come from R are always in **C order** (row-major: the last index varies fastest,
 * as NumPy/ArviZ expect); the transposition from R's column-major layout happens inside the
 * single copy out of R. `matrix(1:6, nrow = 2)` arrives with shape `[2, 3]` and data
 * `[1, 3, 5, 2, 4, 6]`, so `row(0)` is `[1, 3, 5]`. Arrays built in JS may use either order; a
 * C-order array is transposed on the way into R, an F-order one is copied as is.
 *
 * @example
 * ```ts
 * import { callR } from "../mod.ts";
 * const m = new NdArray(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * m.get(1, 0); // 4
 * await callR("dim", [m]); // Int32Array [2, 3]
 * ```
 */
export class NdArray<T extends NdData = NdData> {
  /** The elements, laid out in {@link order}. */
  readonly data: T;
  /** Length of each dimension. */
  readonly shape: readonly number[];
  /** Names along each dimension (`null` where a dimension has none), or `null`. */
  readonly dimnames: readonly (readonly string[] | null)[] | null;
  /** Memory order of {@link data}. */
  readonly order: MemoryOrder;
  readonly #strides: number[];

  /**
   * Wraps data without copying.
   *
   * @throws {RangeError} when the shape does not match the data length or a dimnames entry.
   * @example
   * ```ts
   * const a = new NdArray(new Int32Array(24), [2, 3, 4], { order: "F" });
   * ```
   */
  constructor(
    data: T,
    shape: readonly number[],
    opts: { dimnames?: readonly (readonly string[] | null)[] | null; order?: MemoryOrder } = {},
  ) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0 && d <= 2147483647)) {
      throw new BrmstsRangeError(`NdArray: bad shape [${shape.join(", ")}]`);
    }
    if (size !== data.length) {
      throw new BrmstsRangeError(
        `NdArray: shape [${shape.join(", ")}] needs ${size} elements, data has ${data.length}`,
      );
    }
    const dn = opts.dimnames ?? null;
    if (dn) {
      if (dn.length !== shape.length) {
        throw new BrmstsRangeError("NdArray: one dimnames entry per dim");
      }
      dn.forEach((names, i) => {
        if (names && names.length !== shape[i]) {
          throw new BrmstsRangeError(
            `NdArray: dimnames[${i}] has ${names.length} names, dim ${i} is ${shape[i]}`,
          );
        }
      });
    }
    this.data = data;
    this.shape = [...shape];
    this.dimnames = dn;
    this.order = opts.order ?? "C";
    const st = new Array<number>(shape.length);
    let s = 1;
    if (this.order === "C") {
      for (let i = shape.length - 1; i >= 0; i--) (st[i] = s, s *= shape[i]);
    } else {
      for (let i = 0; i < shape.length; i++) (st[i] = s, s *= shape[i]);
    }
    this.#strides = st;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /**
   * The flat position of an index tuple in {@link data}.
   *
   * @throws {RangeError} for a wrong number of indices or an index out of range.
   * @example
   * ```ts
   * new NdArray(new Float64Array(6), [2, 3]).offset(1, 2); // 5
   * ```
   */
  offset(...idx: number[]): number {
    if (idx.length !== this.shape.length) {
      throw new BrmstsRangeError(`NdArray: ${this.shape.length} indices needed, got ${idx.length}`);
    }
    let off = 0;
    for (let i = 0; i < idx.length; i++) {
      const k = idx[i];
      if (!(k >= 0 && k < this.shape[i])) {
        throw new BrmstsRangeError(`NdArray: index ${k} out of range`);
      }
      off += k * this.#strides[i];
    }
    return off;
  }

  /**
   * The element at an index tuple (0-based). Read NA-carrying doubles with `isNA(data, offset)`.
   *
   * @example
   * ```ts
   * const m = new NdArray(new Float64Array([1, 2, 3, 4]), [2, 2]);
   * m.get(0, 1); // 2
   * ```
   */
  get(...idx: number[]): T[number] {
    return this.data[this.offset(...idx)] as T[number];
  }

  /**
   * Row `i` of a C-order matrix: a view (subarray) for typed data, a slice otherwise.
   *
   * @throws {RangeError} unless the array is a 2-d C-order array.
   * @example
   * ```ts
   * const m = new NdArray(new Float64Array([1, 3, 5, 2, 4, 6]), [2, 3]);
   * m.row(1); // Float64Array [2, 4, 6]
   * ```
   */
  row(i: number): T {
    if (this.shape.length !== 2 || this.order !== "C") {
      throw new BrmstsRangeError("NdArray.row() needs a 2-d C-order array");
    }
    if (!(i >= 0 && i < this.shape[0])) {
      throw new BrmstsRangeError(`NdArray: row ${i} out of range`);
    }
    const n = this.shape[1];
    const d = this.data;
    return (ArrayBuffer.isView(d) ? d.subarray(i * n, i * n + n) : d.slice(i * n, i * n + n)) as T;
  }

  /**
   * Nested JS arrays (outermost dimension first); doubles stay numbers (NA becomes NaN).
   *
   * @example
   * ```ts
   * new NdArray(new Float64Array([1, 2, 3, 4]), [2, 2]).toNested(); // [[1, 2], [3, 4]]
   * ```
   */
  toNested(): unknown[] {
    const rec = (dim: number, prefix: number[]): unknown[] => {
      const out: unknown[] = [];
      for (let k = 0; k < this.shape[dim]; k++) {
        const idx = [...prefix, k];
        out.push(dim === this.shape.length - 1 ? this.get(...idx) : rec(dim + 1, idx));
      }
      return out;
    };
    return this.shape.length === 0 ? [] : rec(0, []);
  }
}
