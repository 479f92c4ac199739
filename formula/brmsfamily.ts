/**
 * Families as plain values: `brmsfamily()`, `mixture()` and the checks that
 * run in TypeScript (family names, links, distributional-parameter links,
 * thresholds) against the table in `links.ts`. In R every family becomes
 * `brms::brmsfamily(...)` or `brms::mixture(...)`.
 *
 * @module
 */

import { DPAR_LINKS, FAMILIES, THRESHOLDS } from "./links.ts";
import { SpecError } from "./errors.ts";
import { opt, rCall, type RLiteral, rString, rValue } from "./render.ts";
import { describe } from "./scan.ts";
import { assignFrozen as frozen, checkKeys, isOptions } from "./_node.ts";
import { CustomFamily, type CustomFamilyNode } from "./custom.ts";

/** brms's family table (`links.ts`): links, distributional parameters and extras per family. */
export type FamilyTable = typeof FAMILIES;
/** Canonical brms family names (`"gaussian"`, `"zero_inflated_poisson"`, `"inverse.gaussian"`, …). */
export type FamilyName = keyof FamilyTable;
/** Links brms allows for family `F`. */
export type LinkOf<F extends FamilyName> = FamilyTable[F]["links"][number];
/** Distributional parameters that have a `link_<dpar>` argument in `brms::brmsfamily()`. */
export type Dpar = keyof typeof DPAR_LINKS;
/** Threshold types of ordinal families. */
export type Threshold = typeof THRESHOLDS[number];
/** Distributional parameters of family `F`. */
export type DparsOf<F extends FamilyName> = FamilyTable[F]["dpars"][number];
/** Extra options (`threshold`, `refcat`, `bhaz`) family `F` takes. */
export type ExtrasOf<F extends FamilyName> = FamilyTable[F] extends
  { readonly extras: readonly (infer E)[] } ? E
  : never;

/**
 * Baseline hazard options of the `cox` family (`bhaz`, passed on to the
 * spline basis by brms), e.g. `{ df: 3, intercept: false }`.
 */
export type BaselineHazard = { readonly [name: string]: RLiteral };

/**
 * Options of family `F`: `link`, one `link<Dpar>` per distributional
 * parameter of the family (`linkSigma` → `link_sigma`), plus `threshold`
 * (ordinal families), `refcat` (categorical-like families; `null` → `NA`)
 * and `bhaz` (cox) where they apply.
 */
export type FamilyOptions<F extends FamilyName> =
  & { readonly link?: LinkOf<F> }
  & {
    readonly [D in DparsOf<F> & Dpar as `link${Capitalize<D>}`]?: (typeof DPAR_LINKS)[D][number];
  }
  & ("threshold" extends ExtrasOf<F> ? { readonly threshold?: Threshold } : unknown)
  & ("refcat" extends ExtrasOf<F> ? { readonly refcat?: string | null } : unknown)
  & ("bhaz" extends ExtrasOf<F> ? { readonly bhaz?: BaselineHazard } : unknown);

/** Options of {@linkcode brmsfamily} when the family name is only known at run time. */
export type AnyFamilyOptions = {
  readonly link?: string;
  readonly threshold?: Threshold;
  readonly refcat?: string | null;
  readonly bhaz?: BaselineHazard;
} & { readonly [K in `link${Capitalize<Dpar>}`]?: string };

/** Plain JSON form of a {@linkcode Family}. */
export interface FamilyNode {
  /** The node's kind tag. */
  readonly kind: "brmsfamily";
  /** The family (brms's `family`). */
  readonly family: string;
  /** The link of the main parameter. */
  readonly link: string;
  /** Links of the distributional parameters, by brms argument name (`link_sigma`, …). */
  readonly links?: Readonly<Record<string, string>>;
  /** brms's `threshold` argument. */
  readonly threshold?: Threshold;
  /** brms's `refcat` argument. */
  readonly refcat?: string | null;
  /** brms's `bhaz` argument. */
  readonly bhaz?: BaselineHazard;
}

/** Plain JSON form of a {@linkcode Mixture}. */
export interface MixtureNode {
  /** The node's kind tag. */
  readonly kind: "mixture";
  /** The mixture's component families. */
  readonly components: readonly FamilyNode[];
  /** brms's `nmix` argument. */
  readonly nmix?: number | readonly number[];
  /** brms's `order` argument. */
  readonly order?: boolean | "mu" | "none";
}

/** Options of {@linkcode mixture}: brms's `nmix` and `order`. */
export interface MixtureOptions {
  /** brms's `nmix` argument. */
  readonly nmix?: number | readonly number[];
  /** brms's `order` argument. */
  readonly order?: boolean | "mu" | "none";
}

/** A family given as a value or by name (`"poisson"`, `"zi_poisson"`, `"normal"`). */
export type FamilyInput = Family | Mixture | CustomFamily | string;

/**
 * A response distribution and its links, as a plain value. Create it with
 * {@linkcode brmsfamily} or a family function such as `poisson()`;
 * `toString()` gives the R code, `JSON.stringify()` the tree.
 *
 * @example
 * ```ts
 * import { cumulative } from "./mod.ts";
 * const fam = cumulative({ link: "probit", threshold: "equidistant" });
 * String(fam); // brms::brmsfamily("cumulative", link = "probit", threshold = "equidistant")
 * JSON.stringify(fam); // {"kind":"brmsfamily","family":"cumulative","link":"probit","threshold":"equidistant"}
 * ```
 */
export class Family implements FamilyNode {
  /** The node's kind tag. */
  declare readonly kind: "brmsfamily";
  /** The family (brms's `family`). */
  declare readonly family: string;
  /** The link of the main parameter. */
  declare readonly link: string;
  /** Links of the distributional parameters, by brms argument name (`link_sigma`, …). */
  declare readonly links?: Readonly<Record<string, string>>;
  /** brms's `threshold` argument. */
  declare readonly threshold?: Threshold;
  /** brms's `refcat` argument. */
  declare readonly refcat?: string | null;
  /** brms's `bhaz` argument. */
  declare readonly bhaz?: BaselineHazard;

  /** Validates `node` against brms's tables; prefer {@linkcode brmsfamily}. */
  constructor(node: FamilyNode) {
    const checked = checkFamily(node.family, { ...node }, "brmsfamily()");
    frozen(this, { kind: "brmsfamily", ...checked });
  }

  /** R code building this family with `brms::brmsfamily()`. */
  toString(): string {
    const named: [string, string | undefined][] = [["link", rString(this.link)]];
    for (const [dpar, link] of Object.entries(this.links ?? {})) {
      named.push([`link_${dpar}`, rString(link)]);
    }
    named.push(["threshold", opt(this.threshold)]);
    if (this.refcat !== undefined) {
      named.push(["refcat", this.refcat === null ? "NA" : rString(this.refcat)]);
    }
    named.push(["bhaz", this.bhaz === undefined ? undefined : rValue(this.bhaz)]);
    return rCall("brms::brmsfamily", [rString(this.family)], named);
  }
}

/**
 * A finite mixture of families (brms's `mixture()`).
 *
 * @example
 * ```ts
 * import { gaussian, mixture } from "./mod.ts";
 * String(mixture(gaussian(), gaussian(), { order: "mu" }));
 * // brms::mixture(brms::brmsfamily("gaussian", link = "identity"),
 * //   brms::brmsfamily("gaussian", link = "identity"), order = "mu")   (one line)
 * ```
 */
export class Mixture implements MixtureNode {
  /** The node's kind tag. */
  declare readonly kind: "mixture";
  /** The mixture's component families. */
  declare readonly components: readonly Family[];
  /** brms's `nmix` argument. */
  declare readonly nmix?: number | readonly number[];
  /** brms's `order` argument. */
  declare readonly order?: boolean | "mu" | "none";

  /** Validates `node`; prefer {@linkcode mixture}. */
  constructor(node: MixtureNode) {
    if (!Array.isArray(node.components)) {
      throw new SpecError(
        `mixture() needs an array of components, got ${describe(node.components)}`,
      );
    }
    const components = node.components.map((c) =>
      c instanceof Family ? c : new Family(c as FamilyNode)
    );
    const { nmix, order } = node;
    const nmixOk = nmix === undefined ||
      (Array.isArray(nmix) ? nmix : [nmix]).every((n) => Number.isInteger(n) && n >= 1);
    if (!nmixOk) throw new SpecError(`mixture(): 'nmix' must be positive integers, got ${nmix}`);
    if (
      order !== undefined && order !== true && order !== false && order !== "mu" && order !== "none"
    ) {
      throw new SpecError(
        `mixture(): 'order' must be true, false, "mu" or "none", got ${describe(order)}`,
      );
    }
    frozen(this, {
      kind: "mixture",
      components,
      nmix: Array.isArray(nmix) ? [...nmix] : nmix,
      order,
    });
  }

  /** R code building this mixture with `brms::mixture()`. */
  toString(): string {
    const nmix = this.nmix === undefined ? undefined : rValue(this.nmix);
    return rCall("brms::mixture", this.components.map(String), [
      ["nmix", nmix],
      ["order", opt(this.order)],
    ]);
  }
}

const ALIASES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^normal$/, "gaussian"],
  [/^zi_/, "zero_inflated_"],
  [/^hu_/, "hurdle_"],
];

/**
 * The canonical brms name of a family name, accepting the same spellings as
 * `brms::brmsfamily()`: any case, `normal`, `zi_*` and `hu_*`.
 */
function canonicalName(name: string, what: string): FamilyName {
  if (typeof name !== "string") {
    throw new SpecError(`${what} expects a family name (a string), got ${describe(name)}`);
  }
  let fam = name.toLowerCase();
  for (const [re, to] of ALIASES) fam = fam.replace(re, to);
  if (!Object.hasOwn(FAMILIES, fam)) {
    throw new SpecError(
      `'${name}' is not a supported family. Supported families are:\n` +
        Object.keys(FAMILIES).join(", "),
    );
  }
  return fam as FamilyName;
}

const EXTRAS = new Set(["threshold", "refcat", "bhaz"]);

/** Validates a family name and options against `links.ts`; returns node fields. */
function checkFamily(
  name: string,
  options: Readonly<Record<string, unknown>>,
  what: string,
): Omit<FamilyNode, "kind"> {
  const family = canonicalName(name, what);
  const info = FAMILIES[family] as {
    links: readonly string[];
    dpars: readonly string[];
    extras?: readonly string[];
  };
  const link = options.link ?? info.links[0];
  if (typeof link !== "string" || !info.links.includes(link)) {
    throw new SpecError(
      `'${String(link)}' is not a supported link for family '${family}'.\n` +
        `Supported links are: ${info.links.join(", ")}`,
    );
  }
  const links: Record<string, string> = {};
  const given = (options.links ?? {}) as Record<string, unknown>;
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new SpecError(`${what}: 'links' must be an object, got ${describe(given)}`);
  }
  const entries: [string, unknown][] = Object.entries(given);
  for (const [key, value] of Object.entries(options)) {
    if (["kind", "family", "link", "links"].includes(key) || value === undefined) continue;
    const m = /^link([A-Z][a-z]*)$/.exec(key);
    if (m) entries.push([m[1].toLowerCase(), value]);
    else if (!EXTRAS.has(key)) {
      throw new SpecError(`${what}: unknown option '${key}' for family '${family}'`);
    } else if (!info.extras?.includes(key)) {
      throw new SpecError(`${what}: option '${key}' does not apply to family '${family}'`);
    }
  }
  for (const [dpar, value] of entries) {
    if (value === undefined) continue;
    const allowed = (DPAR_LINKS as Record<string, readonly string[]>)[dpar];
    if (!allowed || !info.dpars.includes(dpar)) {
      const own = info.dpars.filter((d) => d in DPAR_LINKS);
      throw new SpecError(
        `${what}: family '${family}' has no link argument for parameter '${dpar}'` +
          (own.length ? ` (it has: ${own.map((d) => `link_${d}`).join(", ")})` : ""),
      );
    }
    if (typeof value !== "string" || !allowed.includes(value)) {
      throw new SpecError(
        `'${String(value)}' is not a supported link for parameter '${dpar}' of family ` +
          `'${family}'.\nSupported links are: ${allowed.join(", ")}`,
      );
    }
    links[dpar] = value;
  }
  const { threshold, refcat, bhaz } = options as AnyFamilyOptions;
  if (threshold !== undefined && !(THRESHOLDS as readonly string[]).includes(threshold)) {
    throw new SpecError(
      `${what}: threshold '${threshold}' is not supported; use one of ${THRESHOLDS.join(", ")}`,
    );
  }
  if (refcat !== undefined && refcat !== null && typeof refcat !== "string") {
    throw new SpecError(`${what}: 'refcat' must be a string or null, got ${describe(refcat)}`);
  }
  if (bhaz !== undefined && (bhaz === null || typeof bhaz !== "object" || Array.isArray(bhaz))) {
    throw new SpecError(`${what}: 'bhaz' must be an object, got ${describe(bhaz)}`);
  }
  return {
    family,
    link,
    links: Object.keys(links).length ? links : undefined,
    threshold,
    refcat,
    bhaz: bhaz === undefined ? undefined : structuredClone(bhaz),
  };
}

/**
 * Any brms family by name, like `brms::brmsfamily(family, link, ...)`. The
 * second argument is the link or an options object (`link`, `linkSigma`,
 * `threshold`, `refcat`, `bhaz`, …). Names and links are checked here,
 * against the table of what brms allows; use this for families that only
 * exist through `brmsfamily()` (`com_poisson`, `dirichlet2`,
 * `discrete_weibull`, `negbinomial2`, `zero_inflated_asym_laplace`).
 *
 * @example
 * ```ts
 * import { brmsfamily } from "./mod.ts";
 * String(brmsfamily("com_poisson")); // brms::brmsfamily("com_poisson", link = "log")
 * String(brmsfamily("student", { linkSigma: "identity" }));
 * // brms::brmsfamily("student", link = "identity", link_sigma = "identity")
 * const name: string = "poison";
 * try {
 *   brmsfamily(name);
 * } catch (e) {
 *   console.error(String(e)); // SpecError: 'poison' is not a supported family. ...
 * }
 * ```
 */
export function brmsfamily<N extends string>(
  family: N,
  options?: N extends FamilyName ? LinkOf<N> | FamilyOptions<N> : string | AnyFamilyOptions,
): Family {
  if (options !== undefined && options !== null && typeof options === "object") {
    if (Array.isArray(options)) throw new SpecError("brmsfamily(): options must be an object");
    return new Family(
      { ...(options as object), kind: "brmsfamily", family } as unknown as FamilyNode,
    );
  }
  if (options !== undefined && typeof options !== "string") {
    throw new SpecError(`brmsfamily(): the link must be a string, got ${describe(options)}`);
  }
  return new Family({ kind: "brmsfamily", family, link: options } as FamilyNode);
}

/** A family function: takes the link or the family's options. */
export type FamilyConstructor<F extends FamilyName> = (
  options?: LinkOf<F> | FamilyOptions<F>,
) => Family;

/**
 * Builds the family function of family `F` (used by `families.ts`).
 *
 * @example
 * ```ts
 * import { familyConstructor } from "./brmsfamily.ts";
 * const com_poisson = familyConstructor("com_poisson");
 * String(com_poisson("identity")); // brms::brmsfamily("com_poisson", link = "identity")
 * ```
 */
export function familyConstructor<F extends FamilyName>(family: F): FamilyConstructor<F> {
  return (options) => brmsfamily(family as FamilyName, options as never);
}

/**
 * A mixture of families, like `brms::mixture(...)`: components (family
 * values or names), optionally followed by `{ nmix, order }`.
 *
 * @example
 * ```ts
 * import { mixture } from "./mod.ts";
 * String(mixture("gaussian", "student", { order: false }));
 * // brms::mixture(brms::brmsfamily("gaussian", link = "identity"),
 * //   brms::brmsfamily("student", link = "identity"), order = FALSE)   (one line)
 * ```
 */
export function mixture(
  ...args: [...(Family | string)[], MixtureOptions] | (Family | string)[]
): Mixture {
  const last = args.at(-1);
  const hasOptions = isOptions(last);
  const options = (hasOptions ? last : {}) as MixtureOptions;
  checkKeys(options as Record<string, unknown>, ["nmix", "order"], "mixture()");
  const comps = (hasOptions ? args.slice(0, -1) : args) as (Family | string)[];
  const components = comps.map((c) => {
    const f = resolveFamily(c, "mixture()");
    if (!(f instanceof Family)) throw new SpecError("mixture(): components cannot be mixtures");
    return f;
  });
  return new Mixture({ kind: "mixture", components, nmix: options.nmix, order: options.order });
}

/**
 * Turns a family argument into a family value: names go through
 * {@linkcode brmsfamily}, family values are returned as they are, and plain
 * family trees (parsed JSON) are revived and checked.
 *
 * @example
 * ```ts
 * import { resolveFamily } from "./brmsfamily.ts";
 * String(resolveFamily("zi_poisson", "family")); // brms::brmsfamily("zero_inflated_poisson", link = "log")
 * ```
 */
export function resolveFamily(input: unknown, what: string): Family | Mixture | CustomFamily {
  if (input instanceof Family || input instanceof Mixture || input instanceof CustomFamily) {
    return input;
  }
  if (typeof input === "string") return brmsfamily(input);
  const kind = (input as { kind?: unknown } | null)?.kind;
  if (kind === "brmsfamily") return new Family(input as FamilyNode);
  if (kind === "mixture") return new Mixture(input as MixtureNode);
  if (kind === "customfamily") return new CustomFamily(input as CustomFamilyNode);
  throw new SpecError(`${what} expects a family (a family value or name), got ${describe(input)}`);
}
