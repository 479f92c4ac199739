// Draws out of an InferenceData for plotting: every scalar parameter as its (chain, draw) values.
import type { Dataset, InferenceData } from "../idata/mod.ts";
import { PlotInputError } from "./errors.ts";
import type { IdataLike } from "./plot.ts";
export type { IdataLike };

/** The InferenceData of an {@link IdataLike}. */
export function asIdata(x: IdataLike): InferenceData {
  if (x !== null && typeof x === "object" && "idata" in x && x.idata) return x.idata;
  if (x !== null && typeof x === "object" && typeof (x as InferenceData).groups === "function") {
    return x as InferenceData;
  }
  throw new PlotInputError("expected an InferenceData or a fit (an object with `idata`)");
}

/** One scalar parameter: `values[c][d]` is draw d of chain c. */
export interface ParamDraws {
  name: string;
  chains: Float64Array[];
}

function group(idata: InferenceData, name: string): Dataset {
  if (!idata.hasGroup(name)) {
    throw new PlotInputError(
      `the InferenceData has no group "${name}" (have: ${idata.groups().join(", ") || "none"})`,
    );
  }
  return idata.group(name);
}

/**
 * The scalar parameters of `varNames` (default: every variable of the group except `lp__`),
 * variables with extra dimensions flattened to `name[label,label]` in C order.
 */
export function paramDraws(
  source: IdataLike,
  varNames?: readonly string[],
  groupName = "posterior",
): ParamDraws[] {
  const ds = group(asIdata(source), groupName);
  const names = varNames ?? ds.varNames().filter((v) => v !== "lp__");
  if (names.length === 0) throw new PlotInputError(`no variables to plot in "${groupName}"`);
  const out: ParamDraws[] = [];
  for (const name of names) {
    if (!ds.has(name)) {
      throw new PlotInputError(
        `no variable "${name}" in "${groupName}" (have: ${ds.varNames().slice(0, 20).join(", ")})`,
      );
    }
    const v = ds.get(name);
    const ci = v.dims.indexOf("chain"), di = v.dims.indexOf("draw");
    if (di < 0) throw new PlotInputError(`"${name}" has no "draw" dimension`);
    if ((ci >= 0 && ci !== 0) || di !== (ci >= 0 ? 1 : 0)) {
      throw new PlotInputError(`"${name}": dims must start with (chain, draw), got [${v.dims}]`);
    }
    const nc = ci >= 0 ? v.shape[0] : 1;
    const nd = v.shape[di];
    const rest = v.dims.slice(di + 1), restShape = v.shape.slice(di + 1);
    const inner = restShape.reduce((a, b) => a * b, 1);
    for (let k = 0; k < inner; k++) {
      let label = name;
      if (rest.length > 0) {
        const parts: string[] = [];
        let r = k;
        for (let j = rest.length - 1; j >= 0; j--) {
          const pos = r % restShape[j];
          r = Math.floor(r / restShape[j]);
          const coord = ds.coords.get(rest[j]);
          parts.unshift(coord ? String(coord[pos]) : String(pos + 1));
        }
        label = `${name}[${parts.join(",")}]`;
      }
      const chains: Float64Array[] = [];
      for (let c = 0; c < nc; c++) {
        const a = new Float64Array(nd);
        for (let d = 0; d < nd; d++) a[d] = Number(v.data[(c * nd + d) * inner + k]);
        chains.push(a);
      }
      out.push({ name: label, chains });
    }
  }
  return out;
}

/** All chains of a parameter, chain after chain (bayesplot's merge_chains). */
export function merged(p: ParamDraws): Float64Array {
  const n = p.chains.reduce((a, c) => a + c.length, 0);
  const out = new Float64Array(n);
  let o = 0;
  for (const c of p.chains) out.set(c, o), o += c.length;
  return out;
}

/**
 * A predictive variable (chain, draw, obs...) as a draws x observations matrix (chains stacked)
 * and the observed values of the same variable.
 */
export function predictive(
  source: IdataLike,
  varName?: string,
  groupName = "posterior_predictive",
): { name: string; yrep: Float64Array[]; y: Float64Array } {
  const idata = asIdata(source);
  const obs = group(idata, "observed_data");
  const pp = group(idata, groupName);
  const name = varName ?? pp.varNames().find((v) => obs.has(v));
  if (name === undefined || !pp.has(name) || !obs.has(name)) {
    throw new PlotInputError(
      varName === undefined
        ? `no variable in both "observed_data" and "${groupName}"`
        : `"${varName}" must be in both "observed_data" and "${groupName}"`,
    );
  }
  const yv = obs.get(name), v = pp.get(name);
  const y = Float64Array.from(yv.data as ArrayLike<number>, Number);
  const nobs = y.length;
  const ndraws = v.data.length / nobs;
  if (!Number.isInteger(ndraws) || v.dims[0] !== "chain" || v.dims[1] !== "draw") {
    throw new PlotInputError(`"${groupName}.${name}" does not match the observed data's shape`);
  }
  const yrep: Float64Array[] = [];
  for (let s = 0; s < ndraws; s++) {
    yrep.push(Float64Array.from(v.data.subarray(s * nobs, (s + 1) * nobs) as ArrayLike<number>));
  }
  return { name, yrep, y };
}

/** The parameters' names, comma-separated. */
export const names = (ps: ParamDraws[]): string => ps.map((p) => p.name).join(", ");
/** A short title for a list of parameters. */
export const short = (ps: ParamDraws[]): string =>
  ps.length > 4 ? `${ps.length} parameters` : names(ps);
