/**
 * Data types shared by the R bridge: data frames, factors, n-d arrays and NA helpers. Pure
 * TypeScript (no FFI, no worker). Arrow conversion lives in `data/arrow.ts` so that importing
 * this module does not load `apache-arrow`.
 *
 * @module
 */
export { Categorical, type CategoricalContrasts } from "./categorical.ts";
export { DataFrame, type DataFrameOptions } from "./frame.ts";
export type { Column, ColumnType } from "./column.ts";
export { type MemoryOrder, NdArray, type NdData } from "./ndarray.ts";
export { type DataFrameInput, toDataFrame } from "./convert.ts";
export {
  type ArrowTableLike,
  type DataLike,
  isArrowTable,
  type TypeLike,
  type VectorLike,
} from "./from_arrow.ts";
export { asInteger, doubles, isNA, NA_INTEGER, naMask, setNA } from "./na.ts";
