/**
 * InferenceData: ArviZ-shaped posterior containers on typed arrays, with Zarr and Arrow
 * exports.
 *
 * @module
 */
export { InferenceData } from "./inference_data.ts";
export type { ChainDrawSelection, FromObjectOptions, GroupInput } from "./inference_data.ts";
export { Dataset } from "./dataset.ts";
export type { Keyed } from "./dataset.ts";
export { isTypedArray } from "./types.ts";
export type { Coord, Selector, TypedArray, Variable, VariableInput } from "./types.ts";
export { fromZarr, toZarr } from "./zarr.ts";
export type { ToZarrOptions } from "./zarr.ts";
export { toArrow, toArrowIPC } from "./arrow.ts";
export type { ToArrowOptions } from "./arrow.ts";
export { DataFormatError } from "./errors.ts";
