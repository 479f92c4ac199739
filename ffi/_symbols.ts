/**
 * The libR functions and globals brmsts binds. Functions that allocate may longjmp on
 * out-of-memory; everything that evaluates R code goes through `R_tryEvalSilent` plus the R-level
 * trap in `worker/_bootstrap.R.ts`.
 *
 * @module
 */

/** libR functions (SEXP = "ptr"). */
export const R_FUNCTIONS = {
  Rf_initialize_R: { parameters: ["i32", "buf"], result: "i32" },
  setup_Rmainloop: { parameters: [], result: "void" },
  R_ParseVector: { parameters: ["ptr", "i32", "buf", "ptr"], result: "ptr" },
  R_tryEvalSilent: { parameters: ["ptr", "ptr", "buf"], result: "ptr" },
  R_CleanTempDir: { parameters: [], result: "void" },
  R_RunExitFinalizers: { parameters: [], result: "void" },
  Rf_protect: { parameters: ["ptr"], result: "ptr" },
  Rf_unprotect: { parameters: ["i32"], result: "void" },
  R_PreserveObject: { parameters: ["ptr"], result: "void" },
  R_ReleaseObject: { parameters: ["ptr"], result: "void" },
  Rf_allocVector: { parameters: ["u32", "i64"], result: "ptr" },
  Rf_install: { parameters: ["buf"], result: "ptr" },
  Rf_mkString: { parameters: ["buf"], result: "ptr" },
  Rf_mkCharLenCE: { parameters: ["ptr", "i32", "i32"], result: "ptr" },
  Rf_lcons: { parameters: ["ptr", "ptr"], result: "ptr" },
  Rf_lang1: { parameters: ["ptr"], result: "ptr" },
  Rf_lang2: { parameters: ["ptr", "ptr"], result: "ptr" },
  Rf_lang3: { parameters: ["ptr", "ptr", "ptr"], result: "ptr" },
  Rf_ScalarString: { parameters: ["ptr"], result: "ptr" },
  Rf_cons: { parameters: ["ptr", "ptr"], result: "ptr" },
  TYPEOF: { parameters: ["ptr"], result: "i32" },
  OBJECT: { parameters: ["ptr"], result: "i32" },
  ATTRIB: { parameters: ["ptr"], result: "ptr" },
  Rf_xlength: { parameters: ["ptr"], result: "i64" },
  LENGTH: { parameters: ["ptr"], result: "i32" },
  DATAPTR: { parameters: ["ptr"], result: "ptr" },
  STRING_ELT: { parameters: ["ptr", "i64"], result: "ptr" },
  SET_STRING_ELT: { parameters: ["ptr", "i64", "ptr"], result: "void" },
  VECTOR_ELT: { parameters: ["ptr", "i64"], result: "ptr" },
  SET_VECTOR_ELT: { parameters: ["ptr", "i64", "ptr"], result: "ptr" },
  R_CHAR: { parameters: ["ptr"], result: "ptr" },
  Rf_getCharCE: { parameters: ["ptr"], result: "i32" },
  Rf_translateCharUTF8: { parameters: ["ptr"], result: "ptr" },
  Rf_getAttrib: { parameters: ["ptr", "ptr"], result: "ptr" },
  Rf_setAttrib: { parameters: ["ptr", "ptr", "ptr"], result: "ptr" },
  Rf_isFrame: { parameters: ["ptr"], result: "i32" },
  Rf_isFactor: { parameters: ["ptr"], result: "i32" },
  Rf_inherits: { parameters: ["ptr", "buf"], result: "i32" },
} as const;

/** libR globals whose addresses are looked up (values are read/written through memory views). */
export const R_GLOBALS = [
  "R_SignalHandlers",
  "R_CStackStart",
  "R_CStackLimit",
  "R_CStackDir",
  "R_Interactive",
  "R_interrupts_pending",
  "ptr_R_WriteConsoleEx",
  "ptr_R_WriteConsole",
  "R_Outputfile",
  "R_Consolefile",
  "R_NilValue",
  "R_GlobalEnv",
  "R_NaString",
  "R_NamesSymbol",
  "R_DimSymbol",
  "R_DimNamesSymbol",
  "R_ClassSymbol",
  "R_LevelsSymbol",
  "R_RowNamesSymbol",
  "R_TempDir",
] as const;

/** A libR global's name. */
export type RGlobal = typeof R_GLOBALS[number];

/** SEXPTYPE codes. */
export const SEXPTYPE = {
  NILSXP: 0,
  SYMSXP: 1,
  LISTSXP: 2,
  CLOSXP: 3,
  ENVSXP: 4,
  PROMSXP: 5,
  LANGSXP: 6,
  SPECIALSXP: 7,
  BUILTINSXP: 8,
  CHARSXP: 9,
  LGLSXP: 10,
  INTSXP: 13,
  REALSXP: 14,
  CPLXSXP: 15,
  STRSXP: 16,
  DOTSXP: 17,
  VECSXP: 19,
  EXPRSXP: 20,
  EXTPTRSXP: 22,
  RAWSXP: 24,
  S4SXP: 25,
} as const;

/** cetype_t values. */
export const CE_UTF8 = 1;
/** R's NA_INTEGER (and NA_LOGICAL). */
export const NA_INTEGER = -2147483648;
