// One fit as the explorer sees it: variable names from metadata, draws of a few variables on
// demand (views on an in-memory InferenceData, or arrays read from a Zarr store when asked).
import { Dataset, InferenceData, type Variable } from "../idata/mod.ts";
import { ExploreInputError } from "./errors.ts";
import { LazyZarr } from "./_zarr.ts";

/** Extra text about a fit for the "More" panel (model code, priors, data summary). */
export interface FitMore {
  stancode?: string;
  priors?: Record<string, unknown>[];
  formula?: string;
}

const SMALL_GROUPS = ["sample_stats", "observed_data", "posterior_predictive", "log_likelihood"];

/** A fit served by the explorer. */
export class FitSource {
  readonly name: string;
  #idata?: InferenceData;
  #zarr?: LazyZarr;
  #names: string[];
  #small = new Map<string, Dataset | null>();
  more: FitMore = {};

  constructor(name: string, from: InferenceData | LazyZarr) {
    this.name = name;
    if (from instanceof LazyZarr) {
      this.#zarr = from;
      if (!from.groups().includes("posterior")) {
        throw new ExploreInputError(`${from.dir} has no posterior group`);
      }
      this.#names = from.varNames("posterior");
    } else {
      this.#idata = from;
      if (!from.hasGroup("posterior")) throw new ExploreInputError("the fit has no posterior");
      this.#names = from.group("posterior").varNames();
    }
  }

  /** Posterior variable names, in the fit's order (metadata only). */
  varNames(): string[] {
    return this.#names;
  }

  /** Groups present. */
  groups(): string[] {
    return this.#zarr ? this.#zarr.groups() : this.#idata!.groups();
  }

  /** Chains and draws of the posterior (metadata only). */
  shape(): { chains: number; draws: number } {
    const first = this.#names[0];
    if (first === undefined) return { chains: 0, draws: 0 };
    const info = this.#zarr
      ? this.#zarr.info("posterior", first)!
      : this.#idata!.get("posterior", first);
    const ci = info.dims.indexOf("chain"), di = info.dims.indexOf("draw");
    return { chains: ci >= 0 ? info.shape[ci] : 1, draws: di >= 0 ? info.shape[di] : 0 };
  }

  has(name: string): boolean {
    return this.#zarr
      ? this.#zarr.info("posterior", name) !== undefined
      : this.#idata!.group("posterior").has(name);
  }

  /** One posterior variable (read now from the store, or a view on the in-memory data). */
  variable(name: string): Variable {
    if (!this.has(name)) throw new ExploreInputError(`no variable "${name}" in fit "${this.name}"`);
    return this.#zarr
      ? this.#zarr.variable("posterior", name)
      : this.#idata!.get("posterior", name);
  }

  /** A small group (sampler statistics, observed data, predictions, log-likelihood), cached. */
  group(name: string): Dataset | undefined {
    if (!SMALL_GROUPS.includes(name)) throw new ExploreInputError(`group ${name} is not served`);
    if (!this.#small.has(name)) {
      let ds: Dataset | null = null;
      if (this.#zarr) ds = this.#zarr.groups().includes(name) ? this.#zarr.dataset(name) : null;
      else if (this.#idata!.hasGroup(name)) ds = this.#idata!.group(name);
      this.#small.set(name, ds);
    }
    return this.#small.get(name) ?? undefined;
  }

  /** An InferenceData with only these posterior variables plus the asked-for small groups. */
  subset(varNames: readonly string[], groups: readonly string[] = []): InferenceData {
    const post = new Map<string, Variable>();
    for (const n of varNames) post.set(n, this.variable(n));
    const out = new Map<string, Dataset>([["posterior", new Dataset(post)]]);
    for (const g of groups) {
      const ds = this.group(g);
      if (ds) out.set(g, ds);
    }
    return new InferenceData(out);
  }
}
