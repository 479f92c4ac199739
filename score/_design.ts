/**
 * Design matrices as R's `model.matrix` builds them from brms's model frame: each variable
 * evaluated from the raw columns (with the training constants of poly() and scale()), factors
 * coded with their training contrasts, terms multiplied out with the first variable varying
 * fastest.
 *
 * @module
 */
import { ScorerFormatError, ScorerInputError } from "./errors.ts";
import { evalExpr, nums } from "./_expr.ts";
import { factorCodes, type Table } from "./data.ts";
import type { DesignSpec, VariableSpec } from "./types.ts";

/** A variable's value on the new data. */
type VarValue =
  | { kind: "cols"; cols: Float64Array[] }
  | { kind: "factor"; codes: Int32Array };

/** Column blocks of one variable in a term: names and how to compute them. */
function blockNames(v: VariableSpec, code: number): string[] {
  switch (v.kind) {
    case "one":
    case "numeric":
      return [v.name];
    case "matrix": {
      const k = v.ncol ?? 1;
      if (!v.colnames) {
        return k === 1 ? [v.name] : Array.from({ length: k }, (_, j) => `${v.name}${j + 1}`);
      }
      return v.colnames.map((c) => v.name + c);
    }
    case "factor": {
      if (code === 2) return v.levels!.map((l) => v.name + l);
      const names = v.contrastNames ??
        Array.from({ length: v.ncontrasts! }, (_, j) => String(j + 1));
      return names.map((c) => v.name + c);
    }
  }
}

/** model.matrix's column names of a design (checked against R's at load). */
export function designNames(d: DesignSpec, vars: Map<string, VariableSpec>): string[] {
  const out: string[] = d.intercept ? ["(Intercept)"] : [];
  for (const t of d.terms) {
    let names = [""];
    t.vars.forEach((vn, k) => {
      const v = vars.get(vn);
      if (!v) throw new ScorerFormatError("bad-header", `variable ${vn} missing from the header`);
      const b = blockNames(v, t.codes[k]);
      const next: string[] = [];
      for (const bn of b) for (const p of names) next.push(p === "" ? bn : `${p}:${bn}`);
      names = next;
    });
    out.push(...names);
  }
  return out;
}

/** Evaluated variables of one new-data table. */
export class Frame {
  readonly #t: Table;
  readonly #vars: Map<string, VariableSpec>;
  readonly #cache = new Map<string, VarValue>();

  /** Frame over a table. */
  constructor(t: Table, vars: Map<string, VariableSpec>) {
    this.#t = t;
    this.#vars = vars;
  }

  /** The table. */
  get table(): Table {
    return this.#t;
  }

  /** A variable's value, evaluated once. */
  value(name: string): VarValue {
    let v = this.#cache.get(name);
    if (v) return v;
    const spec = this.#vars.get(name)!;
    const n = this.#t.n;
    if (spec.kind === "one") v = { kind: "cols", cols: [new Float64Array(n).fill(1)] };
    else if (spec.kind === "factor") {
      v = { kind: "factor", codes: factorCodes(this.#t, name, spec.levels!) };
    } else {
      this.#t.need(spec.raw ?? []);
      const r = evalExpr(spec.expr!, n, (c) => this.#t.numeric(c));
      v = { kind: "cols", cols: r instanceof Float64Array ? [r] : r };
    }
    this.#cache.set(name, v);
    return v;
  }

  /** Design columns of rows [s, e). */
  design(d: DesignSpec, s: number, e: number): Float64Array[] {
    const nr = e - s;
    const out: Float64Array[] = d.intercept ? [new Float64Array(nr).fill(1)] : [];
    for (const t of d.terms) {
      let cols: Float64Array[] | null = null;
      t.vars.forEach((vn, k) => {
        const block = this.#block(vn, t.codes[k], s, e);
        if (cols === null) cols = block;
        else {
          const next: Float64Array[] = [];
          for (const b of block) {
            for (const p of cols) {
              const c = new Float64Array(nr);
              for (let i = 0; i < nr; i++) c[i] = p[i] * b[i];
              next.push(c);
            }
          }
          cols = next;
        }
      });
      out.push(...(cols ?? []));
    }
    return out;
  }

  #block(name: string, code: number, s: number, e: number): Float64Array[] {
    const v = this.value(name);
    if (v.kind === "cols") return v.cols.map((c) => c.subarray(s, e));
    const spec = this.#vars.get(name)!;
    const L = spec.levels!.length, nr = e - s, codes = v.codes;
    if (code === 2) {
      return spec.levels!.map((_, l) => {
        const c = new Float64Array(nr);
        for (let i = 0; i < nr; i++) {
          const k = codes[s + i];
          if (k < 0) {
            throw new ScorerInputError("na", name, `NA in factor '${name}' with full dummy coding`);
          }
          c[i] = k === l ? 1 : 0;
        }
        return c;
      });
    }
    const cm = nums(spec.contrasts);
    return Array.from({ length: spec.ncontrasts! }, (_, j) => {
      const c = new Float64Array(nr);
      for (let i = 0; i < nr; i++) {
        const k = codes[s + i];
        c[i] = k < 0 ? 0 : cm[j * L + k];
      }
      return c;
    });
  }
}
