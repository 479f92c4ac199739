/**
 * The five stats family functions brms accepts (`gaussian`, `binomial`,
 * `poisson`, `Gamma`, `inverse.gaussian` → `inverse_gaussian`). Like every
 * family here they render as `brms::brmsfamily(...)`, so they allow all links
 * brms allows (stats itself allows fewer) and the `link<Dpar>` options.
 *
 * @module
 */

import { type FamilyConstructor, familyConstructor as ctor } from "./brmsfamily.ts";

/**
 * The Gaussian (R's `stats::gaussian`; built with `brms::brmsfamily`, which allows all of brms's links and `linkSigma`) family.
 *
 * @example
 * ```ts
 * String(gaussian({ linkSigma: "identity" })); // brms::brmsfamily("gaussian", link = "identity", link_sigma = "identity")
 * ```
 */
export const gaussian: FamilyConstructor<"gaussian"> = ctor("gaussian");

/**
 * The binomial (R's `stats::binomial`; use with `| trials()`) family.
 *
 * @example
 * ```ts
 * String(binomial("probit")); // brms::brmsfamily("binomial", link = "probit")
 * ```
 */
export const binomial: FamilyConstructor<"binomial"> = ctor("binomial");

/**
 * The Poisson (R's `stats::poisson`) family.
 *
 * @example
 * ```ts
 * String(poisson()); // brms::brmsfamily("poisson", link = "log")
 * ```
 */
export const poisson: FamilyConstructor<"poisson"> = ctor("poisson");

/**
 * The gamma (R's `stats::Gamma`) family.
 *
 * @example
 * ```ts
 * String(Gamma("identity")); // brms::brmsfamily("gamma", link = "identity")
 * ```
 */
export const Gamma: FamilyConstructor<"gamma"> = ctor("gamma");

/**
 * The inverse Gaussian (R's `stats::inverse.gaussian`) family.
 *
 * @example
 * ```ts
 * String(inverse_gaussian()); // brms::brmsfamily("inverse.gaussian", link = "1/mu^2")
 * ```
 */
export const inverse_gaussian: FamilyConstructor<"inverse.gaussian"> = ctor("inverse.gaussian");
