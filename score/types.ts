/**
 * The JSON header of a scorer artifact, as written by brms/postfit/export_scorer.R. Doubles are
 * strings written with 17 significant digits (exact round trip).
 *
 * @module
 */

/** A whitelisted expression: numbers, variables, arithmetic, elementary functions. */
export type Expr =
  | { t: "num"; v: string[] }
  | { t: "var"; v: string }
  | { t: "call"; f: string; a: Expr[] }
  | { t: "poly"; x: Expr; degree: number; raw: boolean; alpha?: string[]; norm2?: string[] }
  | { t: "scale"; x: Expr; center: string[] | null; scale: string[] | null };

/** A term of a design formula: its variables and model.matrix's coding (1 contrasts, 2 full). */
export interface TermSpec {
  /** R's term label (`x:f`). */
  label: string;
  /** Variable names (deparsed, as in the model frame). */
  vars: string[];
  /** 1 = contrasts, 2 = full dummy coding (factors); ignored for numeric. */
  codes: number[];
}

/** How to build one design matrix (model.matrix of one formula). */
export interface DesignSpec {
  /** Whether the `(Intercept)` column is kept. */
  intercept: boolean;
  /** The terms, in model.matrix's order. */
  terms: TermSpec[];
  /** brms's column names. */
  columns: string[];
  /** model.matrix's own column names (checked at load). */
  rawColumns: string[];
  /** Draw names of the coefficients (population-level only). */
  b?: string[];
}

/** One variable of the model frame. */
export interface VariableSpec {
  /** Deparsed name (`poly(x, 2)`). */
  name: string;
  /** `numeric`, `matrix` (poly, scale), `factor`, or `one` (brms's `Intercept`). */
  kind: "numeric" | "matrix" | "factor" | "one";
  /** Raw data columns it reads. */
  raw?: string[];
  /** How it is computed from the raw columns (numeric and matrix). */
  expr?: Expr;
  /** Matrix: columns and their names. */
  ncol?: number;
  /** Matrix column names (poly: "1", "2"). */
  colnames?: string[] | null;
  /** Factor: training levels, ordered flag, contrast matrix (column-major) and names. */
  levels?: string[];
  /** Factor: ordered. */
  ordered?: boolean;
  /** Factor: contrast matrix, column-major, levels × ncontrasts. */
  contrasts?: string[];
  /** Factor: contrast column names (null: 1, 2, ...). */
  contrastNames?: string[] | null;
  /** Factor: number of contrast columns. */
  ncontrasts?: number;
}

/** Group-level effects of one grouping factor in one distributional parameter. */
export interface RanefSpec {
  /** brms's group name (`g`, `a:b`). */
  group: string;
  /** Raw variables pasted with "_" (nested groups). */
  vars: string[];
  /** Training levels. */
  levels: string[];
  /** Coefficient names. */
  coefs: string[];
  /** The term's formula (`~1 + x`). */
  form: string;
  /** Correlated. */
  cor: boolean;
  /** Design of Z. */
  design: DesignSpec;
  /** Draw names `r_g[level,coef]`, levels fastest. */
  r: string[];
}

/** A monotonic effect `mo(x)`. */
export interface MoSpec {
  /** The variable. */
  var: string;
  /** Draw name of its coefficient. */
  bsp: string;
  /** Draw names of its simplex. */
  simo: string[];
  /** Simplex length. */
  D: number;
  /** Ordered factor levels, or numeric min and max. */
  levels?: string[];
  /** Numeric minimum in the training data. */
  min?: string[];
  /** Numeric maximum in the training data. */
  max?: string[];
}

/** One predicted distributional parameter. */
export interface DparSpec {
  /** `mu`, `sigma`, `mu2`, ... */
  name: string;
  /** Its link. */
  link: string;
  /** Population-level design. */
  fe?: DesignSpec;
  /** Monotonic effects. */
  sp?: MoSpec[];
  /** Offsets. */
  offset?: Expr[];
  /** Group-level effects. */
  re: RanefSpec[];
}

/** The header. */
export interface ScorerHeader {
  /** Always `brmsts-scorer`. */
  format: string;
  /** brms version that fitted the model. */
  brms: string;
  /** brms family name. */
  family: string;
  /** Link of mu. */
  link: string;
  /** Predicted distributional parameters. */
  dpars: Record<string, DparSpec>;
  /** Distributional parameters not predicted: a draw column or a constant. */
  fixed: Record<string, { draws?: string; value?: string[] }>;
  /** The model formula, for display. */
  formula: string;
  /** Cumulative: threshold draw names. */
  thresholds?: string[];
  /** Ordinal/categorical: category labels. */
  cats?: string[];
  /** Categorical: reference category (index 1-based or label). */
  refcat?: string | number;
  /** Categorical: the mu dpars in order. */
  mu?: string[];
  /** Binomial: how trials are computed from new data. */
  trials?: Expr;
  /** Variables of the model frame used. */
  variables: VariableSpec[];
  /** 1-based draw ids of the fit kept. */
  drawIds: number[];
  /** Number of draws. */
  ndraws: number;
  /** Parameter names, in draw-column order. */
  params: string[];
}

/** A block of scores: values for rows × categories × draws. */
export interface Block {
  /** Values. */
  buf: Float64Array;
  /** Categories per row (1 without a category dimension). */
  ncat: number;
  /** Category labels. */
  categories?: string[];
}
