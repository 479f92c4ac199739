/**
 * Helpers shared by the post-fit extras (`r2.ts`, `bridge.ts`, `expose.ts`, `update.ts`): the
 * worker with `extras.R` installed and the decoding of R matrices.
 *
 * @module
 */
import { EXTRAS_HELPERS } from "../core/r_helpers.ts";
import type { PostfitCallOptions } from "./args.ts";
import { defaultWorker, type RWorker } from "../../worker/mod.ts";

export async function ready(opts: PostfitCallOptions): Promise<RWorker> {
  const w = opts.worker ?? defaultWorker();
  await EXTRAS_HELPERS.ensure(w, opts.signal);
  return w;
}

export interface RMatrix {
  rows: string[] | string;
  cols: string[] | string;
  values: number[] | Float64Array | number;
  nrow: number;
}

export function arr<T>(x: T[] | T): T[] {
  return Array.isArray(x) ? x : [x];
}

export function nums(x: number[] | Float64Array | number): Float64Array {
  return x instanceof Float64Array ? x : Float64Array.from(typeof x === "number" ? [x] : x);
}
