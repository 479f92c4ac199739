// Positional selection along named dimensions; zero-copy whenever the result is contiguous.
import { product, type Selector, type TypedArray, type Variable } from "./types.ts";
export type { Selector };
import { BrmstsRangeError } from "../errors.ts";

/** Resolves a selector to a list of positions in `0..n-1`. */
export function resolveSelector(sel: Selector, n: number, dim: string): number[] {
  const check = (i: number): number => {
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(j) || j < 0 || j >= n) {
      throw new BrmstsRangeError(`index ${i} out of range for dimension "${dim}" of length ${n}`);
    }
    return j;
  };
  if (typeof sel === "number") return [check(sel)];
  if (Array.isArray(sel)) return (sel as readonly number[]).map(check);
  const r = sel as { start?: number; end?: number; step?: number };
  const step = r.step ?? 1;
  if (!Number.isInteger(step) || step <= 0) {
    throw new BrmstsRangeError(`step must be a positive integer, got ${step}`);
  }
  const clamp = (i: number) => Math.min(n, Math.max(0, i < 0 ? i + n : i));
  const start = clamp(r.start ?? 0);
  const end = clamp(r.end ?? n);
  const out: number[] = [];
  for (let i = start; i < end; i += step) out.push(i);
  return out;
}

function isFull(p: number[], n: number): boolean {
  if (p.length !== n) return false;
  for (let i = 0; i < n; i++) if (p[i] !== i) return false;
  return true;
}

function isRun(p: number[]): boolean {
  for (let i = 1; i < p.length; i++) if (p[i] !== p[i - 1] + 1) return false;
  return true;
}

/**
 * Selects positions along some dimensions of a variable. Returns the variable itself when
 * nothing is selected away, a `subarray` view when the selection is one contiguous block of
 * memory, and a copy otherwise.
 */
export function selectVariable(v: Variable, picks: ReadonlyMap<string, number[]>): Variable {
  const k = v.dims.length;
  const p: number[][] = v.dims.map((d, i) => {
    const s = picks.get(d);
    return s ?? Array.from({ length: v.shape[i] }, (_, j) => j);
  });
  let last = -1;
  for (let i = 0; i < k; i++) if (!isFull(p[i], v.shape[i])) last = i;
  if (last < 0) return v;
  const shape = p.map((x) => x.length);
  const strides = new Array<number>(k);
  let st = 1;
  for (let i = k - 1; i >= 0; i--) {
    strides[i] = st;
    st *= v.shape[i];
  }
  const block = last + 1 < k ? product(v.shape.slice(last + 1)) : 1;
  const total = product(shape);
  const attrs = v.attrs ? { attrs: v.attrs } : {};
  // Contiguous: every dimension before `last` picks one index and `last` picks a run.
  let contiguous = isRun(p[last]);
  for (let i = 0; i < last && contiguous; i++) contiguous = p[i].length === 1;
  if (contiguous || total === 0) {
    let off = 0;
    if (total > 0) { for (let i = 0; i <= last; i++) off += p[i][0] * strides[i]; }
    const data = v.data.subarray(off, off + total) as TypedArray;
    return { dims: v.dims, shape, data, ...attrs };
  }
  const Ctor = v.data.constructor as new (n: number) => TypedArray;
  const out = new Ctor(total);
  const idx = new Array<number>(last + 1).fill(0);
  let o = 0;
  for (;;) {
    let off = 0;
    for (let i = 0; i <= last; i++) off += p[i][idx[i]] * strides[i];
    if (block === 1) out[o] = v.data[off];
    else out.set(v.data.subarray(off, off + block) as ArrayLike<number>, o);
    o += block;
    let i = last;
    while (i >= 0) {
      idx[i]++;
      if (idx[i] < p[i].length) break;
      idx[i] = 0;
      i--;
    }
    if (i < 0) break;
  }
  return { dims: v.dims, shape, data: out, ...attrs };
}
