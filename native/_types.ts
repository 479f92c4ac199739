/**
 * Runtime-neutral FFI types: one small interface implemented over `Deno.dlopen` and `bun:ffi`.
 *
 * Pointers are opaque ({@link Ptr}): a `Deno.PointerObject` under Deno, a number under Bun.
 * Only the adapter looks inside them.
 *
 * @module
 */

/** An opaque native address. `null` is the NULL pointer. */
export type Ptr = { readonly __brand: "Ptr" } | null;

/** Parameter and result types understood by both adapters. */
export type NativeType =
  | "void"
  | "i32"
  | "u32"
  | "i64"
  | "u64"
  | "usize"
  | "f64"
  | "ptr"
  /** A typed array passed by address (parameter only). */
  | "buf";

/** One C function: its parameter types and result type. */
export interface FnDef {
  readonly parameters: readonly NativeType[];
  readonly result: NativeType;
}

/** A symbol table: C name to definition. */
export type FnDefs = Record<string, FnDef>;

/** Functions of a loaded library, called synchronously on the calling thread. */
// deno-lint-ignore no-explicit-any
export type NativeFns<D extends FnDefs> = { [K in keyof D]: (...args: any[]) => any };

/** A native callback created from a JS function; close it when C can no longer call it. */
export interface NativeCallback {
  readonly ptr: Ptr;
  close(): void;
}

/** The operations the rest of the code needs from a runtime's FFI. */
export interface Native {
  /** Which runtime this adapter serves. */
  readonly runtime: "deno" | "bun";
  /** Loads a shared library and binds the given functions. */
  open<D extends FnDefs>(path: string, defs: D): NativeFns<D>;
  /** Creates a C-callable function pointer from `fn`. */
  callback(def: FnDef, fn: (...args: never[]) => unknown): NativeCallback;
  /** An ArrayBuffer over `byteLength` bytes of native memory at `p` (no copy). */
  view(p: Ptr, byteLength: number): ArrayBuffer;
  /** The address of a typed array's first byte (valid while the array is alive and not moved). */
  ptrOf(a: ArrayBufferView): Ptr;
  /** `p + bytes`. */
  offset(p: Ptr, bytes: number): Ptr;
  /** The numeric address (0n for NULL). */
  value(p: Ptr): bigint;
  /** A pointer from a numeric address. */
  fromValue(v: bigint): Ptr;
  /** True when `p` is NULL. */
  isNull(p: Ptr): boolean;
  /** Address equality. */
  equals(a: Ptr, b: Ptr): boolean;
  /** Reads a pointer stored at `p + off`. */
  readPtr(p: Ptr, off?: number): Ptr;
  /** Reads an int32 at `p + off`. */
  readI32(p: Ptr, off?: number): number;
  /** Reads a NUL-terminated UTF-8 string at `p`. */
  cstring(p: Ptr): string;
}

const encoder = new TextEncoder();

/** Encodes a JS string as a NUL-terminated UTF-8 buffer for a `buf` parameter. */
export function cstr(s: string): Uint8Array {
  const bytes = encoder.encode(s);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}
