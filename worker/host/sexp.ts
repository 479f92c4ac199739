/**
 * Worker side: R objects (SEXPs) ⇄ the wire form. Holds the handle table and builds the codec
 * pieces (`SexpWriter`: SEXP → wire + region, `SexpReader`: wire + region → SEXP). Only the
 * worker imports this folder's `sexp*` files.
 *
 * @module
 */
import type { LibR, SEXP } from "../../ffi/mod.ts";
import type { ShmWorker } from "./shared_memory.ts";
import { RTools } from "./rtools.ts";
import { SexpReader } from "./sexp_read.ts";
import { SexpWriter } from "./sexp_write.ts";
import type { Wire } from "../wire/format.ts";
import { BrmstsInputError } from "../../errors.ts";

export { SexpReader } from "./sexp_read.ts";
export { SexpWriter } from "./sexp_write.ts";

const TYPE_NAMES: Record<number, string> = {
  0: "NULL",
  1: "symbol",
  2: "pairlist",
  3: "closure",
  4: "environment",
  6: "language",
  7: "special",
  8: "builtin",
  10: "logical",
  13: "integer",
  14: "double",
  15: "complex",
  16: "character",
  19: "list",
  20: "expression",
  22: "externalptr",
  24: "raw",
  25: "S4",
};

/**
 * The R objects the worker keeps alive for RObject handles.
 *
 * @example
 * ```ts
 * declare const r: any;
 * declare const x: any;
 * const handles = new HandleTable(r);
 * const id = handles.add(x);
 * handles.release([id]);
 * ```
 */
export class HandleTable {
  #next = 1;
  readonly #objects = new Map<number, SEXP>();
  constructor(private readonly r: LibR) {}

  /** Preserves x and returns its id. */
  add(x: SEXP): number {
    this.r.fns.R_PreserveObject(x);
    const id = this.#next++;
    this.#objects.set(id, x);
    return id;
  }
  /** The object for id, or throws. */
  get(id: number): SEXP {
    const x = this.#objects.get(id);
    if (x === undefined) {
      throw new BrmstsInputError(`R object handle ${id} does not exist (released?)`);
    }
    return x;
  }
  /** Releases ids (unknown ids are ignored). */
  release(ids: Iterable<number>): void {
    for (const id of ids) {
      const x = this.#objects.get(id);
      if (x === undefined) continue;
      this.#objects.delete(id);
      this.r.fns.R_ReleaseObject(x);
    }
  }
  /** How many objects are preserved. */
  get size(): number {
    return this.#objects.size;
  }
}

/**
 * Describes a new handle (classes, repr) by calling back into R under its trap.
 *
 * @example
 * ```ts
 * const describe: Describe = () => ({ cls: ["lm"], repr: "<lm>" });
 * ```
 */
export type Describe = (x: SEXP) => { cls: string[]; repr: string };

/**
 * The writer and reader of one session, sharing the R helpers and the shared-memory context.
 *
 * @example
 * ```ts
 * declare const describe: any;
 * declare const handles: any;
 * declare const r: any;
 * declare const shm: any;
 * const { writer, reader } = makeCodec(r, handles, describe, shm);
 * ```
 */
export function makeCodec(
  r: LibR,
  handles: HandleTable,
  describe: Describe,
  shm: ShmWorker,
): { writer: SexpWriter; reader: SexpReader } {
  const tools = new RTools(r);
  const handle = (x: SEXP): Wire => {
    const { cls, repr } = describe(x);
    return {
      t: "handle",
      id: handles.add(x),
      cls,
      type: TYPE_NAMES[r.typeOf(x)] ?? "?",
      repr,
    };
  };
  return {
    writer: new SexpWriter(r, handle, shm, tools),
    reader: new SexpReader(r, (id) => handles.get(id), shm, tools),
  };
}
