/**
 * Apache Arrow export in the layout of posterior's `draws_df`: `.chain`, `.iteration`, `.draw`
 * (int32, 1-based) and one Float64 column per scalar element (`theta[1,2]`, first index
 * fastest). `apache-arrow` is imported on the first call, not with brmsts (see `_load_arrow.ts`),
 * so both functions are async.
 *
 * @module
 */
// deno-lint-ignore no-import-prefix -- types must resolve in a Deno project that maps nothing
import type { Data, DataType, Table } from "npm:apache-arrow@21.2.0";
import { loadArrow } from "./_load_arrow.ts";
import { Dataset } from "./dataset.ts";
import type { InferenceData } from "./inference_data.ts";
import { elements } from "./flatten.ts";
import { isNA } from "../data/na.ts";
import { BrmstsInputError } from "../errors.ts";

/**
 * Options of {@link toArrow}.
 *
 * @example
 * ```ts
 * import type { ToArrowOptions } from "./arrow.ts";
 * const opts: ToArrowOptions = { varNames: ["b_Intercept", "sigma"], metaColumns: "last" };
 * ```
 */
export interface ToArrowOptions {
  /** Variables to include (default: all variables with a `draw` dimension). */
  varNames?: readonly string[];
  /**
   * Where `.chain`, `.iteration` and `.draw` go: `"first"` (default) or `"last"` (the column
   * order of posterior's draws_df).
   */
  metaColumns?: "first" | "last";
}

/**
 * An Arrow table of one group's draws, one row per draw (chain-major). Float64 variables whose
 * elements are contiguous (scalar variables) are wrapped without copying. Async because it
 * imports `apache-arrow` on first use.
 *
 * @example
 * ```ts
 * import { InferenceData, toArrow } from "./mod.ts";
 * import { tableToIPC } from "apache-arrow";
 * const idata = InferenceData.fromObject({ posterior: { mu: new Float64Array(8) } }, {
 *   chains: 2,
 * });
 * const table = await toArrow(idata);
 * table.schema.fields.map((f) => f.name); // [".chain", ".iteration", ".draw", "mu"]
 * const ipc = tableToIPC(table, "file"); // Arrow IPC file bytes
 * ```
 */
export async function toArrow(
  idata: InferenceData | Dataset,
  group = "posterior",
  options: ToArrowOptions = {},
): Promise<Table> {
  const arrow = await loadArrow();
  const { Field, Float64, Int32, makeData, makeVector, RecordBatch, Schema, Struct } = arrow;
  const ds = idata instanceof Dataset ? idata : idata.group(group);
  const names = options.varNames ?? ds.varNames().filter((n) => ds.get(n).dims.includes("draw"));
  const fields: InstanceType<typeof Field>[] = [];
  const children: Data<DataType>[] = [];
  let chains = -1;
  let draws = -1;
  for (const name of names) {
    const el = elements(name, ds.get(name));
    if (chains < 0) {
      chains = el.chains;
      draws = el.draws;
    } else if (el.chains !== chains || el.draws !== draws) {
      throw new BrmstsInputError(
        `variable "${name}" has ${el.chains} x ${el.draws} draws, not ${chains} x ${draws}`,
      );
    }
    el.names.forEach((n, k) => {
      fields.push(new Field(n, new Float64(), true));
      children.push(float64Data(arrow, el.values(k)));
    });
  }
  if (chains < 0) ({ chains, draws } = chainsDraws(ds));
  const n = chains * draws;
  const chain = new Int32Array(n);
  const iteration = new Int32Array(n);
  const draw = new Int32Array(n);
  for (let c = 0; c < chains; c++) {
    for (let d = 0; d < draws; d++) {
      const i = c * draws + d;
      chain[i] = c + 1;
      iteration[i] = d + 1;
      draw[i] = i + 1;
    }
  }
  const metaFields = [".chain", ".iteration", ".draw"].map((m) => new Field(m, new Int32(), false));
  const metaData = [chain, iteration, draw].map((a) => makeVector(a).data[0]);
  const first = (options.metaColumns ?? "first") === "first";
  const allFields = first ? [...metaFields, ...fields] : [...fields, ...metaFields];
  const allData = first ? [...metaData, ...children] : [...children, ...metaData];
  const schema = new Schema(allFields);
  const data = makeData({
    type: new Struct(allFields),
    length: n,
    nullCount: 0,
    children: allData,
  });
  return new arrow.Table([new RecordBatch(schema, data)]);
}

/** A Float64 column on `values` (no copy); R's NA_real_ become nulls, other NaN stay NaN. */
function float64Data(
  arrow: Awaited<ReturnType<typeof loadArrow>>,
  values: Float64Array,
): Data<DataType> {
  let bitmap: Uint8Array | undefined;
  let nulls = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== values[i] && isNA(values, i)) {
      bitmap ??= new Uint8Array(Math.ceil(values.length / 8)).fill(0xff);
      bitmap[i >> 3] &= ~(1 << (i & 7));
      nulls++;
    }
  }
  return arrow.makeData({
    type: new arrow.Float64(),
    length: values.length,
    nullCount: nulls,
    data: values,
    ...(bitmap ? { nullBitmap: bitmap } : {}),
  }) as Data<DataType>;
}

function chainsDraws(ds: Dataset): { chains: number; draws: number } {
  const s = ds.sizes;
  return { chains: s.chain ?? 1, draws: s.draw ?? 0 };
}

/**
 * {@link toArrow} serialised as Arrow IPC (`"file"` format by default, `"stream"` on request).
 *
 * @example
 * ```ts
 * import { InferenceData, toArrowIPC } from "./mod.ts";
 * import { writeFileSync } from "node:fs";
 * const idata = InferenceData.fromObject({ posterior: { mu: new Float64Array(8) } });
 * writeFileSync("/tmp/draws.arrow", await toArrowIPC(idata));
 * ```
 */
export async function toArrowIPC(
  idata: InferenceData | Dataset,
  group = "posterior",
  options: ToArrowOptions & { format?: "file" | "stream" } = {},
): Promise<Uint8Array> {
  const { tableToIPC } = await loadArrow();
  return tableToIPC(await toArrow(idata, group, options), options.format ?? "file");
}
