/**
 * The {@link Native} adapter over `Deno.dlopen`.
 *
 * @module
 */
import type { FnDef, FnDefs, Native, NativeFns, NativeType, Ptr } from "./_types.ts";

// deno-lint-ignore no-explicit-any
const D = (globalThis as any).Deno;

const TYPES: Record<NativeType, string> = {
  void: "void",
  i32: "i32",
  u32: "u32",
  i64: "i64",
  u64: "u64",
  usize: "usize",
  f64: "f64",
  ptr: "pointer",
  buf: "buffer",
};

function toDeno(def: FnDef) {
  return { parameters: def.parameters.map((t) => TYPES[t]), result: TYPES[def.result] };
}

/** Builds the Deno adapter. */
export function denoNative(): Native {
  const UP = D.UnsafePointer;
  const UPV = D.UnsafePointerView;
  return {
    runtime: "deno",
    open<T extends FnDefs>(path: string, defs: T): NativeFns<T> {
      const spec: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(defs)) spec[k] = toDeno(v);
      return D.dlopen(path, spec).symbols as NativeFns<T>;
    },
    callback(def, fn) {
      const cb = new D.UnsafeCallback(toDeno(def), fn);
      return { ptr: cb.pointer as Ptr, close: () => cb.close() };
    },
    view: (p, n) => (n === 0 ? new ArrayBuffer(0) : UPV.getArrayBuffer(p, n)),
    ptrOf: (a) => UP.of(a) as Ptr,
    offset: (p, n) => UP.offset(p, n) as Ptr,
    value: (p) => (p === null ? 0n : BigInt(UP.value(p))),
    fromValue: (v) => (v === 0n ? null : UP.create(v)) as Ptr,
    isNull: (p) => p === null || UP.value(p) == 0,
    equals: (a, b) => UP.equals(a, b),
    readPtr: (p, off = 0) => new UPV(p).getPointer(off) as Ptr,
    readI32: (p, off = 0) => new UPV(p).getInt32(off),
    cstring: (p) => UPV.getCString(p),
  };
}
