/**
 * `threading()`: brms's within-chain parallelisation settings as a value of the DSL.
 *
 * @module
 */

import { SpecError } from "./errors.ts";
import { assignFrozen, checkKeys, isPlainObject, kindOf } from "./_node.ts";
import { describe } from "./scan.ts";
import { opt, rCall } from "./render.ts";

/** Options of {@linkcode threading}: brms's `threading()` arguments besides `threads`. */
export interface ThreadingOptions {
  /** Observations per chunk of the partial sums (brms's default: chosen from the data). */
  readonly grainsize?: number;
  /** Whether the chunks are scheduled statically (reproducible at a given grainsize). */
  readonly static?: boolean;
  /** Whether threading code is generated even for one thread (brms's `force`). */
  readonly force?: boolean;
}

/** Plain JSON form of a {@linkcode Threading}. */
export interface ThreadingNode extends ThreadingOptions {
  /** The node's kind. */
  readonly kind: "threading";
  /** The node's threads. */
  readonly threads: number | null;
}

function count(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "number" && Number.isInteger(v) && v >= 1) return v;
  throw new SpecError(`threading(): '${name}' must be a positive integer, got ${describe(v)}`);
}

/**
 * Within-chain threading, brms's `threading(threads, grainsize, static)`: give it as `threads`
 * to `brm()`, `makeStancode()` or `makeStandata()`.
 *
 * @example
 * ```ts
 * import { threading } from "./threading.ts";
 * String(threading(2, { grainsize: 100, static: true }));
 * // brms::threading(2, grainsize = 100, static = TRUE)
 * ```
 */
export class Threading implements ThreadingNode {
  /** See the options of the constructor function. */
  declare readonly kind: "threading";
  /** See the options of the constructor function. */
  declare readonly threads: number | null;
  /** See the options of the constructor function. */
  declare readonly grainsize?: number;
  /** See the options of the constructor function. */
  declare readonly static?: boolean;
  /** See the options of the constructor function. */
  declare readonly force?: boolean;

  /** Checks `node`; prefer {@linkcode threading}. */
  constructor(node: ThreadingNode) {
    if (kindOf(node) !== "threading") {
      throw new SpecError(`threading() expects a tree, got ${describe(node)}`);
    }
    const { kind: _k, threads, ...opts } = node;
    checkKeys(opts, ["grainsize", "static", "force"], "threading()");
    for (const key of ["static", "force"] as const) {
      if (opts[key] !== undefined && typeof opts[key] !== "boolean") {
        throw new SpecError(`threading(): '${key}' must be true or false`);
      }
    }
    assignFrozen(this, {
      kind: "threading",
      threads: threads === null ? null : count(threads, "threads"),
      grainsize: count(opts.grainsize, "grainsize"),
      static: opts.static,
      force: opts.force,
    });
  }

  /** R code: `brms::threading(...)`. */
  toString(): string {
    return rCall("brms::threading", [this.threads === null ? "NULL" : String(this.threads)], [
      ["grainsize", opt(this.grainsize)],
      ["static", opt(this.static)],
      ["force", opt(this.force)],
    ]);
  }
}

/**
 * brms's `threading(threads, grainsize = , static = , force = )`; `threads: null` turns threading
 * off.
 *
 * @example
 * ```ts
 * import { threading } from "./threading.ts";
 * const t = threading(4, { grainsize: 50 });
 * t.threads; // 4
 * ```
 */
export function threading(threads: number | null, options: ThreadingOptions = {}): Threading {
  if (!isPlainObject(options)) {
    throw new SpecError(`threading(): options must be an object, got ${describe(options)}`);
  }
  return new Threading({ ...options, kind: "threading", threads });
}
