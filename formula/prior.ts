/**
 * Priors as plain values: `prior()` has the semantics of brms's
 * `prior_string()` / `set_prior()` (the prior is Stan code given as text) and
 * renders as `brms::set_prior(...)`; several priors combine with `+` in R.
 *
 * @module
 */

import { deparsePrior } from "./deparse.ts";
import { SpecError } from "./errors.ts";
import { assignFrozen, checkKeys, isOptions, kindOf } from "./_node.ts";
import { describe } from "./scan.ts";
import { opt, rCall, rString } from "./render.ts";

/** Options of {@linkcode prior}, as in brms's `set_prior()` (`class` is `cls` there too). */
export interface PriorOptions {
  /** brms's `class` argument. */
  readonly class?: string;
  /** brms's `coef` argument. */
  readonly coef?: string;
  /** brms's `group` argument. */
  readonly group?: string;
  /** brms's `resp` argument. */
  readonly resp?: string;
  /** brms's `dpar` argument. */
  readonly dpar?: string;
  /** brms's `nlpar` argument. */
  readonly nlpar?: string;
  /** brms's `lb` argument. */
  readonly lb?: number | string;
  /** brms's `ub` argument. */
  readonly ub?: number | string;
  /** brms's `check` argument. */
  readonly check?: boolean;
}

/** Plain JSON form of a {@linkcode Prior}. */
export interface PriorNode extends PriorOptions {
  /** The node's kind tag. */
  readonly kind: "brmsprior";
  /** brms's `prior` argument. */
  readonly prior: string;
}

const STRING_OPTIONS = ["class", "coef", "group", "resp", "dpar", "nlpar"] as const;
const OPTIONS = [...STRING_OPTIONS, "lb", "ub", "check"];

/**
 * One prior: Stan code for a distribution and where it applies.
 *
 * @example
 * ```ts
 * import { prior } from "./mod.ts";
 * const p = prior("normal(0, 1)", "b", { coef: "x" });
 * String(p); // brms::set_prior("normal(0, 1)", class = "b", coef = "x")
 * ```
 */
export class Prior implements PriorNode {
  /** The node's kind tag. */
  declare readonly kind: "brmsprior";
  /** brms's `prior` argument. */
  declare readonly prior: string;
  /** brms's `class` argument. */
  declare readonly class?: string;
  /** brms's `coef` argument. */
  declare readonly coef?: string;
  /** brms's `group` argument. */
  declare readonly group?: string;
  /** brms's `resp` argument. */
  declare readonly resp?: string;
  /** brms's `dpar` argument. */
  declare readonly dpar?: string;
  /** brms's `nlpar` argument. */
  declare readonly nlpar?: string;
  /** brms's `lb` argument. */
  declare readonly lb?: number | string;
  /** brms's `ub` argument. */
  declare readonly ub?: number | string;
  /** brms's `check` argument. */
  declare readonly check?: boolean;

  /** Checks `node`; prefer {@linkcode prior}. */
  constructor(node: PriorNode) {
    const what = "prior()";
    if (typeof node.prior !== "string") {
      throw new SpecError(
        `${what} expects the prior as Stan code text, got ${describe(node.prior)}`,
      );
    }
    for (const key of STRING_OPTIONS) {
      if (node[key] !== undefined && typeof node[key] !== "string") {
        throw new SpecError(`${what}: '${key}' must be a string, got ${describe(node[key])}`);
      }
    }
    for (const key of ["lb", "ub"] as const) {
      const v = node[key];
      if (
        v !== undefined && typeof v !== "string" && !(typeof v === "number" && !Number.isNaN(v))
      ) {
        throw new SpecError(`${what}: '${key}' must be a number or a string, got ${describe(v)}`);
      }
    }
    if (node.check !== undefined && typeof node.check !== "boolean") {
      throw new SpecError(`${what}: 'check' must be true or false, got ${describe(node.check)}`);
    }
    const copy: Record<string, unknown> = { kind: "brmsprior", prior: node.prior };
    for (const key of OPTIONS) copy[key] = node[key as keyof PriorOptions];
    assignFrozen(this, copy);
  }

  /**
   * Combines this prior with others into a {@linkcode PriorList}, like `+` in brms.
   *
   * @example
   * ```ts
   * import { prior } from "./mod.ts";
   * String(prior("normal(0, 1)").add(prior("exponential(1)", "sd")));
   * // brms::set_prior("normal(0, 1)") + brms::set_prior("exponential(1)", class = "sd")
   * ```
   */
  add(...more: PriorInput[]): PriorList {
    return priors(this, ...more);
  }

  /** R code: `brms::set_prior(...)`. */
  toString(): string {
    return rCall("brms::set_prior", [rString(this.prior)], [
      ...STRING_OPTIONS.map((k) => [k, opt(this[k])] as const),
      ["lb", opt(this.lb)],
      ["ub", opt(this.ub)],
      ["check", opt(this.check)],
    ]);
  }
}

/** Plain JSON form of a {@linkcode PriorList}. */
export interface PriorListNode {
  /** The node's kind tag. */
  readonly kind: "brmspriors";
  /** brms's `priors` argument. */
  readonly priors: readonly PriorNode[];
}

/** A prior as a plain object, as in brms's `set_prior()`: `{ prior: "normal(0, 1)", class: "b" }`. */
export type PriorSpec = PriorOptions & { readonly prior: string };

/**
 * Priors in any combination: one, a list, plain `{ prior, class, ... }`
 * objects, or (nested) arrays of them.
 */
export type PriorInput =
  | Prior
  | PriorList
  | PriorNode
  | PriorListNode
  | PriorSpec
  | readonly PriorInput[];

/**
 * Several priors, combined in R with `+` (brms's `c()` of `brmsprior`s).
 *
 * @example
 * ```ts
 * import { prior, PriorList } from "./mod.ts";
 * const ps = new PriorList({ kind: "brmspriors", priors: [prior("normal(0, 5)", "Intercept")] });
 * String(ps); // brms::set_prior("normal(0, 5)", class = "Intercept")
 * ```
 */
export class PriorList implements PriorListNode {
  /** The node's kind tag. */
  declare readonly kind: "brmspriors";
  /** brms's `priors` argument. */
  declare readonly priors: readonly Prior[];

  /** Checks `node` and revives its priors; prefer {@linkcode priors}. */
  constructor(node: PriorListNode) {
    if (!Array.isArray(node.priors)) {
      throw new SpecError(`a prior list needs an array of priors, got ${describe(node.priors)}`);
    }
    const list = node.priors.map((p) => (p instanceof Prior ? p : new Prior(p)));
    assignFrozen(this, { kind: "brmspriors", priors: list });
  }

  /**
   * Appends more priors.
   *
   * @example
   * ```ts
   * import { priors, prior } from "./mod.ts";
   * priors(prior("normal(0, 1)")).add(prior("student_t(3, 0, 2)", "sd")).priors.length; // 2
   * ```
   */
  add(...more: PriorInput[]): PriorList {
    return priors(this, ...more);
  }

  /** R code: the priors joined by ` + `, or `NULL` when there are none. */
  toString(): string {
    return this.priors.length ? this.priors.map(String).join(" + ") : "NULL";
  }
}

/**
 * A prior, like brms's `prior(normal(0,1), class = b)`: `prior` is the Stan code of the
 * distribution (`""` for a flat prior), written the way R's deparser writes it, as brms's
 * `prior()` does (`"normal(0,1)"` becomes `"normal(0, 1)"`; see `deparsePrior`; use
 * `priorString` for the text verbatim, like `brms::prior_string`/`set_prior`); `cls` is the
 * parameter class (`"b"`, `"Intercept"`, `"sd"`, `"sigma"`, …; brms's default is `"b"`) and the
 * options say where the prior applies. `class` may also be given in the options.
 *
 * @example
 * ```ts
 * import { prior } from "./mod.ts";
 * String(prior("normal(0, 1)", "b", { nlpar: "a", lb: 0 }));
 * // brms::set_prior("normal(0, 1)", class = "b", nlpar = "a", lb = 0)
 * String(prior("target += normal_lpdf(b[1] | 0, 1)", { check: false }));
 * // brms::set_prior("target += normal_lpdf(b[1] | 0, 1)", check = FALSE)
 * ```
 */
export function prior(prior: string, cls?: string | PriorOptions, options?: PriorOptions): Prior {
  let opts: PriorOptions = options ?? {};
  if (isOptions(cls)) {
    if (options !== undefined) throw new SpecError("prior(): give options only once");
    opts = cls as PriorOptions;
  } else if (cls !== undefined) {
    if (typeof cls !== "string") {
      throw new SpecError(`prior(): the class must be a string, got ${describe(cls)}`);
    }
    if (opts.class !== undefined) throw new SpecError("prior(): class given twice");
    opts = { ...opts, class: cls };
  }
  if (!isOptions(opts)) throw new SpecError(`prior(): options must be an object`);
  checkKeys(opts as Record<string, unknown>, OPTIONS, "prior()");
  return new Prior({ ...opts, kind: "brmsprior", prior: deparsePrior(prior) });
}

/**
 * Combines priors (single priors, lists, plain `{ prior, class, ... }`
 * objects, arrays of them, nested) into one {@linkcode PriorList}, in order.
 *
 * @example
 * ```ts
 * import { prior, priors } from "./mod.ts";
 * const ps = priors([prior("normal(0, 1)", "b")], { prior: "exponential(1)", class: "sigma" });
 * String(ps);
 * // brms::set_prior("normal(0, 1)", class = "b") + brms::set_prior("exponential(1)", class = "sigma")
 * ```
 */
export function priors(...items: PriorInput[]): PriorList {
  const out: Prior[] = [];
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(visit);
    if (x instanceof Prior) return void out.push(x);
    if (x instanceof PriorList) return void out.push(...x.priors);
    const kind = kindOf(x);
    if (kind === "brmsprior") return void out.push(new Prior(x as PriorNode));
    if (kind === "brmspriors") return void out.push(...new PriorList(x as PriorListNode).priors);
    if (isOptions(x) && "prior" in x) {
      const { prior: p, ...rest } = x as unknown as PriorSpec;
      return void out.push(prior(p, rest));
    }
    throw new SpecError(`expected a prior, got ${describe(x)}`);
  };
  items.forEach(visit);
  return new PriorList({ kind: "brmspriors", priors: out });
}

/**
 * A prior whose text is used verbatim, like `brms::prior_string()` / `brms::set_prior()`
 * (whereas `prior()` writes the text the way R's deparser does, like brms's `prior()`).
 *
 * @example
 * ```ts
 * import { priorString } from "./prior.ts";
 * String(priorString("normal(0,1)", "b")); // brms::set_prior("normal(0,1)", class = "b")
 * ```
 */
export function priorString(
  text: string,
  cls?: string | PriorOptions,
  options?: PriorOptions,
): Prior {
  const p = prior(text, cls, options);
  return new Prior({ ...p, prior: text });
}
