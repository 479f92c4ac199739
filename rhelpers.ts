/**
 * The R helpers of brmsts: every `brmsts_*` R function lives in a `.R` file beside the code
 * that calls it, and this module is the one installer. A block (one or more `.R` files) is read
 * once, and installed once per worker session into its own attached environment
 * (`brmsts:<name>`), never the user's global environment; it is replaced whenever its source
 * changes (a hash of it is the version). {@link R_HELPERS} is the table of the functions TypeScript
 * calls: name → block, and {@link RHelperSignatures} their argument and result types.
 *
 * @example
 * ```ts
 * import { defaultWorker } from "./worker/mod.ts";
 * import { rHelperBlock } from "./rhelpers.ts";
 * const demo = rHelperBlock("demo", [], () => "brmsts_twice <- function(x) 2 * x");
 * await demo.ensure(defaultWorker());
 * ```
 *
 * @module
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { CallOptions, RObject, RResult, RWorker } from "./worker/mod.ts";
import { BrmstsInternalError } from "./errors.ts";
import type { DataFrame } from "./data/mod.ts";

/** Per worker: the generation and isolated job each helper block was installed in. */
const installed = new WeakMap<RWorker, Map<string, string>>();

/**
 * Makes sure `brmsts:<name>` holds the functions of `source` in this worker session (the one
 * installer; {@link rHelperBlock} uses it).
 *
 * @example
 * ```ts
 * import { defaultWorker } from "./worker/mod.ts";
 * import { installRHelpers } from "./rhelpers.ts";
 * await installRHelpers(defaultWorker(), "demo", "brmsts_twice <- function(x) 2 * x");
 * ```
 */
export async function installRHelpers(
  w: RWorker,
  name: string,
  source: string,
  signal?: AbortSignal,
): Promise<void> {
  let mine = installed.get(w);
  if (!mine) installed.set(w, mine = new Map());
  // Installed in this worker's R, or in the isolated job that runs now (RWorker.isolated).
  const stamp = `${w.generation}/${w.isolation}`, here = mine.get(name);
  if (w.info && (here === `${w.generation}/0` || here === stamp)) return;
  const version = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const env = JSON.stringify(`brmsts:${name}`);
  await w.eval(
    `local({
  if (!${env} %in% search() ||
      !identical(get0(".brmsts_version", as.environment(${env})), "${version}")) {
    if (${env} %in% search()) detach(${env}, character.only = TRUE)
    e <- attach(NULL, name = ${env}, warn.conflicts = FALSE)
    eval(parse(text = ${JSON.stringify(source)}, keep.source = FALSE), envir = e)
    assign(".brmsts_version", "${version}", envir = e)
  }
  invisible(NULL)
})`,
    { signal },
  );
  mine.set(name, stamp);
}

/**
 * A block of R helpers: its `.R` files, installed together once per worker session after the
 * blocks it needs.
 *
 * @example
 * ```ts
 * import type { RHelperBlock } from "./rhelpers.ts";
 * declare const block: RHelperBlock;
 * block.source().includes("<- function"); // true
 * ```
 */
export interface RHelperBlock {
  /** The block's name (its R environment is `brmsts:<name>`). */
  readonly name: string;
  /** The `.R` files it is made of. */
  readonly files: readonly URL[];
  /** The blocks installed before it. */
  readonly after: readonly RHelperBlock[];
  /** Its R source: the files' text, read once. */
  source(): string;
  /** Installs it (and the blocks it needs) in `w` unless this worker session has it. */
  ensure(w: RWorker, signal?: AbortSignal): Promise<void>;
}

/**
 * Declares a block of R helpers made of `files` (read once, on first use), installed after the
 * blocks in `after`. `text` replaces the files for a block made in code (tests).
 *
 * @example
 * ```ts
 * import { rHelperBlock } from "./rhelpers.ts";
 * const block = rHelperBlock("plots", [new URL("./plot/bayesplot.R", import.meta.url)]);
 * block.name; // "plots"
 * ```
 */
export function rHelperBlock(
  name: string,
  files: readonly URL[],
  text?: () => string,
  after: readonly RHelperBlock[] = [],
): RHelperBlock {
  let src: string | undefined;
  const block: RHelperBlock = {
    name,
    files,
    after,
    source: () => src ??= text ? text() : files.map((f) => readFileSync(f, "utf8")).join("\n"),
    async ensure(w, signal) {
      for (const b of after) await b.ensure(w, signal);
      await installRHelpers(w, name, block.source(), signal);
    },
  };
  return block;
}

/** A brmsfit (or other R object) handle, as the helpers receive it. */
type Fit = RObject;
/** Arguments passed by name, as brms takes them. */
type Named = Record<string, unknown>;

/**
 * The `brmsts_*` functions TypeScript calls: argument types (a tuple: positional; an object:
 * by name) and result types (as converted by the worker). Values the callers decode further
 * are `unknown` here.
 *
 * @example
 * ```ts
 * import type { RHelperSignatures } from "./rhelpers.ts";
 * type IdataArgs = RHelperSignatures["brmsts_idata"]["args"]; // { fit, data, groups, seed }
 * ```
 */
export interface RHelperSignatures {
  brmsts_prepare: { args: Named; result: unknown };
  brmsts_make: { args: Named & { what: string }; result: unknown };
  brmsts_load: { args: [key: string, file: string | null, code: string]; result: string };
  brmsts_compile: {
    args: [spec: RObject, key: string, file: string | null, code: string, compiler: Named | null];
    result: unknown;
  };
  brmsts_sample: { args: [spec: RObject, key: string, extra: Named]; result: unknown };
  brmsts_direct: { args: [spec: RObject, extra: Named]; result: unknown };
  brmsts_idata: {
    args: { fit: Fit; data: RObject | null; groups: readonly string[]; seed: number | null };
    result: unknown;
  };
  brmsts_cc_plan: { args: [makevars: string]; result: unknown };
  brmsts_cc_build: {
    args: [dir: string, makevars: string, header: string | undefined];
    result: unknown;
  };
  brmsts_check_priors: { args: [spec: RObject]; result: unknown };
  brmsts_pf_predict: { args: Named & { fit: Fit; what: string }; result: unknown };
  brmsts_pf_tab_call: { args: [fn: string, fit: Fit, args: Named]; result: unknown };
  brmsts_pf_validate: { args: Named; result: DataFrame };
  brmsts_pf_get_prior: { args: Named; result: DataFrame };
  brmsts_pf_prior_summary: { args: [fit: Fit, args: Named]; result: DataFrame };
  brmsts_pf_summary: { args: [fit: Fit, args: Named]; result: Named };
  brmsts_pf_ranef: { args: [fit: Fit, args: Named]; result: Record<string, unknown> };
  brmsts_pf_ce: { args: [fit: Fit, args: Named]; result: Record<string, unknown> | null };
  brmsts_pf_criterion: { args: [fit: Fit, name: string, args: Named]; result: unknown };
  brmsts_pf_compare: {
    args: [fits: RObject[], names: string[], criterion: string];
    result: { models: unknown; table: DataFrame };
  };
  brmsts_pf_add: { args: [fit: Fit, criteria: string[], args: Named]; result: unknown };
  brmsts_pf_read_raw: { args: [path: string]; result: RObject };
  brmsts_pf_read_fit: { args: [path: string]; result: RObject };
  brmsts_x_r2: {
    args: [fit: Fit, what: string, args: Named, seed: number | null];
    result: unknown;
  };
  brmsts_x_bridge: { args: [fit: Fit, args: Named, seed: number | null]; result: unknown };
  brmsts_x_bf: {
    args: [fit1: Fit, fit2: Fit, args: Named, seed: number | null];
    result: { bf: number; log: boolean };
  };
  brmsts_x_update: { args: Named & { fit: Fit }; result: unknown };
  brmsts_x_expose: { args: [fit: Fit, vectorize: boolean, dir: string | null]; result: unknown };
  brmsts_x_multiple: { args: Named & { fit: Fit }; result: unknown };
  brmsts_x_first: { args: [datasets: RObject]; result: RObject };
  brmsts_ip_info: { args: [fit: Fit]; result: unknown };
  brmsts_ip_draws: { args: Named; result: unknown };
  brmsts_ip_seed_begin: { args: [seed: number]; result: unknown };
  brmsts_ip_seed_end: { args: []; result: unknown };
  brmsts_ip_hypothesis: { args: Named; result: unknown };
  brmsts_sc_export: {
    args: [fit: Fit, ndraws: number | null, thin: number];
    result: unknown;
  };
  brmsts_plot_bayesplot: {
    args: [fit: unknown, fun: string, args: Named, width: number, height: number];
    result: string | string[];
  };
}

/** The name of an R helper TypeScript calls. */
export type RHelperName = keyof RHelperSignatures;

/**
 * The table of the R helpers TypeScript calls: name → the block (and so the `.R` file) that
 * defines it. `tests/rhelpers_test.ts` checks it against the `.R` files and every call site.
 *
 * @example
 * ```ts
 * import { R_HELPERS } from "./rhelpers.ts";
 * R_HELPERS.brmsts_idata; // "brm"
 * ```
 */
export const R_HELPERS: { readonly [N in RHelperName]: string } = {
  brmsts_prepare: "brm",
  brmsts_make: "brm",
  brmsts_load: "brm",
  brmsts_compile: "brm",
  brmsts_sample: "brm",
  brmsts_direct: "brm",
  brmsts_idata: "brm",
  brmsts_cc_plan: "brm",
  brmsts_cc_build: "brm",
  brmsts_check_priors: "prior_check",
  brmsts_pf_predict: "postfit",
  brmsts_pf_tab_call: "postfit",
  brmsts_pf_validate: "postfit",
  brmsts_pf_get_prior: "postfit",
  brmsts_pf_prior_summary: "postfit",
  brmsts_pf_summary: "postfit",
  brmsts_pf_ranef: "postfit",
  brmsts_pf_ce: "postfit",
  brmsts_pf_criterion: "postfit",
  brmsts_pf_compare: "postfit",
  brmsts_pf_add: "postfit",
  brmsts_pf_read_raw: "postfit",
  brmsts_pf_read_fit: "postfit",
  brmsts_x_r2: "extras",
  brmsts_x_bridge: "extras",
  brmsts_x_bf: "extras",
  brmsts_x_update: "extras",
  brmsts_x_expose: "extras",
  brmsts_x_multiple: "extras",
  brmsts_x_first: "extras",
  brmsts_ip_info: "interpret",
  brmsts_ip_draws: "interpret",
  brmsts_ip_seed_begin: "interpret",
  brmsts_ip_seed_end: "interpret",
  brmsts_ip_hypothesis: "interpret",
  brmsts_sc_export: "scorer",
  brmsts_plot_bayesplot: "bayesplot",
};

/**
 * What {@link callRHelper} returns: the worker's result with the helper's typed value.
 *
 * @example
 * ```ts
 * import type { RHelperResult } from "./rhelpers.ts";
 * declare const r: RHelperResult<"brmsts_load">;
 * r.value.startsWith("invalid"); // a string
 * ```
 */
export type RHelperResult<N extends RHelperName> = Omit<RResult, "value"> & {
  value: RHelperSignatures[N]["result"];
};

/**
 * Calls an R helper of the table with its typed arguments, after installing `block` (which
 * must be the block the table names), and returns the worker's result with the typed value.
 *
 * @example
 * ```ts
 * import { defaultWorker, type RObject } from "./worker/mod.ts";
 * import { callRHelper, type RHelperBlock } from "./rhelpers.ts";
 * declare const brmBlock: RHelperBlock;
 * declare const fit: RObject;
 * const res = await callRHelper(defaultWorker(), brmBlock, "brmsts_idata", {
 *   fit, data: null, groups: ["posterior"], seed: null,
 * });
 * ```
 */
export async function callRHelper<N extends RHelperName>(
  w: RWorker,
  block: RHelperBlock,
  name: N,
  args: RHelperSignatures[N]["args"],
  opts: CallOptions = {},
): Promise<RHelperResult<N>> {
  if (R_HELPERS[name] !== block.name) {
    throw new BrmstsInternalError(
      `${name} is in block "${R_HELPERS[name]}", not "${block.name}"`,
    );
  }
  await block.ensure(w, opts.signal);
  const res = await w.callResult(name, args as unknown as Named | unknown[], opts);
  return res as RHelperResult<N>;
}

/**
 * {@link callRHelper}'s value alone (what `RWorker.call` returns).
 *
 * @example
 * ```ts
 * import { defaultWorker } from "./worker/mod.ts";
 * import { callRHelperValue, type RHelperBlock } from "./rhelpers.ts";
 * declare const brmBlock: RHelperBlock;
 * const state = await callRHelperValue(defaultWorker(), brmBlock, "brmsts_load", ["k", "/x.rds", ""]);
 * ```
 */
export async function callRHelperValue<N extends RHelperName>(
  w: RWorker,
  block: RHelperBlock,
  name: N,
  args: RHelperSignatures[N]["args"],
  opts: CallOptions = {},
): Promise<RHelperSignatures[N]["result"]> {
  return (await callRHelper(w, block, name, args, opts)).value;
}
