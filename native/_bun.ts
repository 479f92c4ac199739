/**
 * The {@link Native} adapter over `bun:ffi`. Pointers are plain numbers there.
 *
 * @module
 */
import type { FnDef, FnDefs, Native, NativeFns, NativeType, Ptr } from "./_types.ts";

const TYPES: Record<NativeType, string> = {
  void: "void",
  i32: "i32",
  u32: "u32",
  i64: "i64",
  u64: "u64",
  usize: "usize",
  f64: "f64",
  ptr: "ptr",
  buf: "ptr",
};

/** Builds the Bun adapter from the `bun:ffi` module object. */
// deno-lint-ignore no-explicit-any
export function bunNative(ffi: any): Native {
  const num = (p: Ptr) => (p === null ? 0 : p as unknown as number);
  const conv = (def: FnDef) => ({
    args: def.parameters.map((t) => TYPES[t]),
    returns: TYPES[def.result],
  });
  return {
    runtime: "bun",
    open<T extends FnDefs>(path: string, defs: T): NativeFns<T> {
      const spec: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(defs)) spec[k] = conv(v);
      return ffi.dlopen(path, spec).symbols as NativeFns<T>;
    },
    callback(def, fn) {
      const cb = new ffi.JSCallback(fn, conv(def));
      return { ptr: cb.ptr as Ptr, close: () => cb.close() };
    },
    view: (p, n) => (n === 0 ? new ArrayBuffer(0) : ffi.toArrayBuffer(num(p), 0, n)),
    ptrOf: (a) => ffi.ptr(a) as Ptr,
    offset: (p, n) => (num(p) + n) as unknown as Ptr,
    value: (p) => BigInt(num(p)),
    fromValue: (v) => (v === 0n ? null : Number(v) as unknown as Ptr),
    isNull: (p) => num(p) === 0,
    equals: (a, b) => num(a) === num(b),
    readPtr: (p, off = 0) => {
      const v = ffi.read.ptr(num(p), off);
      return (v === 0 ? null : v) as Ptr;
    },
    readI32: (p, off = 0) => ffi.read.i32(num(p), off),
    cstring: (p) => String(new ffi.CString(num(p))),
  };
}
