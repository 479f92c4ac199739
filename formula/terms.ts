/**
 * Small terms that are added to formulas: `acformula()`, `setRescor()`,
 * `setMecor()` and `setNl()` (brms's `acformula`, `set_rescor`, `set_mecor`
 * and `set_nl`).
 *
 * @module
 */

import { SpecError } from "./errors.ts";
import { assignFrozen, checkKeys, optString } from "./_node.ts";
import { describe, singleExpression } from "./scan.ts";
import { opt, rCall, rValue } from "./render.ts";

/** Plain JSON form of an {@linkcode AcFormula}. */
export interface AcFormulaNode {
  /** The node's kind tag. */
  readonly kind: "acformula";
  /** The autocorrelation structure (brms's `autocor`). */
  readonly autocor: string;
  /** brms's `resp` argument. */
  readonly resp?: string;
}

/**
 * Autocorrelation terms as a separate formula (brms's `acformula()`).
 *
 * @example
 * ```ts
 * import { acformula } from "./mod.ts";
 * String(acformula("~ arma(p = 1, q = 1)")); // brms::acformula(~ arma(p = 1, q = 1))
 * ```
 */
export class AcFormula implements AcFormulaNode {
  /** The node's kind tag. */
  declare readonly kind: "acformula";
  /** The autocorrelation structure (brms's `autocor`). */
  declare readonly autocor: string;
  /** brms's `resp` argument. */
  declare readonly resp?: string;

  /** Checks `node`; prefer {@linkcode acformula}. */
  constructor(node: AcFormulaNode) {
    assignFrozen(this, {
      kind: "acformula",
      autocor: singleExpression(node.autocor, "acformula()"),
      resp: optString(node.resp, "resp", "acformula()"),
    });
  }

  /** R code: `brms::acformula(...)`. */
  toString(): string {
    return rCall("brms::acformula", [this.autocor], [["resp", opt(this.resp)]]);
  }
}

/**
 * Autocorrelation terms given as a one-sided formula, e.g.
 * `"~ ar(time, gr = patient, p = 1)"`; `resp` names the response in
 * multivariate models.
 *
 * @example
 * ```ts
 * import { acformula, bf } from "./mod.ts";
 * const f = bf("count ~ Trt").add(acformula("~ ar(visit, gr = patient)"));
 * String(f); // brms::bf(count ~ Trt) + brms::acformula(~ ar(visit, gr = patient))
 * ```
 */
export function acformula(autocor: string, options: { readonly resp?: string } = {}): AcFormula {
  checkKeys(options, ["resp"], "acformula()");
  return new AcFormula({ kind: "acformula", autocor, resp: options.resp });
}

/** Plain JSON form of a {@linkcode SetRescor}. */
export interface SetRescorNode {
  /** The node's kind tag. */
  readonly kind: "setrescor";
  /** brms's `rescor` argument. */
  readonly rescor: boolean;
}

/**
 * Whether residual correlations are modelled (brms's `set_rescor()`).
 *
 * @example
 * ```ts
 * import { setRescor } from "./mod.ts";
 * String(setRescor(false)); // brms::set_rescor(FALSE)
 * ```
 */
export class SetRescor implements SetRescorNode {
  /** The node's kind tag. */
  declare readonly kind: "setrescor";
  /** brms's `rescor` argument. */
  declare readonly rescor: boolean;

  /** Checks `node`; prefer {@linkcode setRescor}. */
  constructor(node: SetRescorNode) {
    assignFrozen(this, { kind: "setrescor", rescor: bool(node.rescor, "set_rescor()") });
  }

  /** R code: `brms::set_rescor(...)`. */
  toString(): string {
    return rCall("brms::set_rescor", [rValue(this.rescor)]);
  }
}

/**
 * Residual correlations on or off in a multivariate model, added with `.add()`
 * like `+ set_rescor(FALSE)` in brms.
 *
 * @example
 * ```ts
 * import { bf, setRescor } from "./mod.ts";
 * String(bf("y1 ~ x").add(bf("y2 ~ x"), setRescor(false)));
 * // brms::bf(y1 ~ x) + brms::bf(y2 ~ x) + brms::set_rescor(FALSE)
 * ```
 */
export function setRescor(rescor = true): SetRescor {
  return new SetRescor({ kind: "setrescor", rescor });
}

/** Plain JSON form of a {@linkcode SetMecor}. */
export interface SetMecorNode {
  /** The node's kind tag. */
  readonly kind: "setmecor";
  /** brms's `mecor` argument. */
  readonly mecor: boolean;
}

/**
 * Whether latent variables of `me()` terms are correlated (brms's `set_mecor()`).
 *
 * @example
 * ```ts
 * import { setMecor } from "./mod.ts";
 * String(setMecor(false)); // brms::set_mecor(FALSE)
 * ```
 */
export class SetMecor implements SetMecorNode {
  /** The node's kind tag. */
  declare readonly kind: "setmecor";
  /** brms's `mecor` argument. */
  declare readonly mecor: boolean;

  /** Checks `node`; prefer {@linkcode setMecor}. */
  constructor(node: SetMecorNode) {
    assignFrozen(this, { kind: "setmecor", mecor: bool(node.mecor, "set_mecor()") });
  }

  /** R code: `brms::set_mecor(...)`. */
  toString(): string {
    return rCall("brms::set_mecor", [rValue(this.mecor)]);
  }
}

/**
 * Correlations between latent `me()` variables on or off.
 *
 * @example
 * ```ts
 * import { bf, setMecor } from "./mod.ts";
 * String(bf("y ~ me(x, sdx)").add(setMecor(false)));
 * // brms::bf(y ~ me(x, sdx)) + brms::set_mecor(FALSE)
 * ```
 */
export function setMecor(mecor = true): SetMecor {
  return new SetMecor({ kind: "setmecor", mecor });
}

/** Plain JSON form of a {@linkcode SetNl}. */
export interface SetNlNode {
  /** The node's kind tag. */
  readonly kind: "setnl";
  /** brms's `nl` argument. */
  readonly nl: boolean;
  /** brms's `dpar` argument. */
  readonly dpar?: string;
  /** brms's `resp` argument. */
  readonly resp?: string;
}

/**
 * Marks a formula (or the formula of `dpar`) as non-linear (brms's `set_nl()`).
 *
 * @example
 * ```ts
 * import { setNl } from "./mod.ts";
 * String(setNl(true, { dpar: "sigma" })); // brms::set_nl(TRUE, dpar = "sigma")
 * ```
 */
export class SetNl implements SetNlNode {
  /** The node's kind tag. */
  declare readonly kind: "setnl";
  /** brms's `nl` argument. */
  declare readonly nl: boolean;
  /** brms's `dpar` argument. */
  declare readonly dpar?: string;
  /** brms's `resp` argument. */
  declare readonly resp?: string;

  /** Checks `node`; prefer {@linkcode setNl}. */
  constructor(node: SetNlNode) {
    assignFrozen(this, {
      kind: "setnl",
      nl: bool(node.nl, "set_nl()"),
      dpar: optString(node.dpar, "dpar", "set_nl()"),
      resp: optString(node.resp, "resp", "set_nl()"),
    });
  }

  /** R code: `brms::set_nl(...)`. */
  toString(): string {
    return rCall("brms::set_nl", [rValue(this.nl)], [
      ["dpar", opt(this.dpar)],
      ["resp", opt(this.resp)],
    ]);
  }
}

/**
 * Declares the main formula (or that of `dpar`) non-linear, like
 * `+ set_nl()` in brms.
 *
 * @example
 * ```ts
 * import { bf, lf, setNl } from "./mod.ts";
 * const f = bf("y ~ a * exp(b * x)").add(lf("a ~ 1", "b ~ 1"), setNl());
 * String(f); // brms::bf(y ~ a * exp(b * x)) + brms::lf(a ~ 1, b ~ 1) + brms::set_nl(TRUE)
 * ```
 */
export function setNl(
  nl = true,
  options: { readonly dpar?: string; readonly resp?: string } = {},
): SetNl {
  checkKeys(options, ["dpar", "resp"], "setNl()");
  return new SetNl({ kind: "setnl", nl, dpar: options.dpar, resp: options.resp });
}

function bool(v: unknown, what: string): boolean {
  if (typeof v !== "boolean") {
    throw new SpecError(`${what} expects true or false, got ${describe(v)}`);
  }
  return v;
}
