/**
 * The process-wide default worker, shared by the module-level functions (`evalR`, `callR`, …)
 * and everything in brmsts that does not take an explicit `RWorker`. It starts in the active
 * environment: its configuration is re-read from the environment store (`env/store/`, which
 * imports nothing from `worker/`) each time it starts.
 *
 * @module
 */
import { activeWorkerConfig } from "../../env/store/active.ts";
import { RWorker } from "./rworker.ts";
import type { CallOptions, LogEntry, RResult, WorkerConfig } from "./types.ts";

let client: RWorker | undefined;

/**
 * The process-wide default worker client.
 *
 * @example
 * ```ts
 * defaultWorker().setConsoleOutput("silent");
 * ```
 */
export function defaultWorker(): RWorker {
  return client ??= new RWorker({}, activeWorkerConfig);
}

/**
 * Evaluates R source in the worker's global environment and returns the converted value of the
 * last expression.
 *
 * @example
 * ```ts
 * await evalR("1 + 1"); // 2
 * await evalR("c(a = 1, b = 2)"); // { a: 1, b: 2 }
 * ```
 */
export function evalR(code: string, opts?: CallOptions): Promise<unknown> {
  return defaultWorker().eval(code, opts);
}

/**
 * Like {@link evalR}, also returning the warnings and messages R raised.
 *
 * @example
 * ```ts
 * const { value, warnings } = await evalRResult('warning("careful"); 1');
 * ```
 */
export function evalRResult(code: string, opts?: CallOptions): Promise<RResult> {
  return defaultWorker().evalResult(code, opts);
}

/**
 * Calls an R function (`name` or `pkg::name`): an array gives positional arguments, an object
 * named ones; `named({...})` inside an array mixes both. RObject handles and `rCode()` markers
 * are accepted as arguments.
 *
 * @example
 * ```ts
 * import { named } from "../../mod.ts";
 * await callR("sum", [[1, 2, 3]]); // 6
 * await callR("base::paste", ["a", "b", named({ sep: "-" })]); // "a-b"
 * await callR("stats::rnorm", { n: 3, mean: 10 });
 * ```
 */
export function callR(
  fn: string,
  args?: unknown[] | Record<string, unknown>,
  opts?: CallOptions,
): Promise<unknown> {
  return defaultWorker().call(fn, args, opts);
}

/**
 * Like {@link callR}, also returning the warnings and messages R raised.
 *
 * @example
 * ```ts
 * const { value, messages } = await callRResult("message", ["hello"]);
 * ```
 */
export function callRResult(
  fn: string,
  args?: unknown[] | Record<string, unknown>,
  opts?: CallOptions,
): Promise<RResult> {
  return defaultWorker().callResult(fn, args, opts);
}

/**
 * Stops the default worker (after queued calls). The next call starts a fresh one.
 *
 * @example
 * ```ts
 * await shutdown();
 * ```
 */
export function shutdown(): Promise<void> {
  return client ? client.shutdown() : Promise.resolve();
}

/**
 * Subscribes to the worker's console output (R's stdout/stderr and its child processes').
 *
 * @example
 * ```ts
 * declare const myLogger: any;
 * const off = onLog((e) => myLogger.info(e.text));
 * off();
 * ```
 */
export function onLog(listener: (entry: LogEntry) => void): () => void {
  return defaultWorker().onLog(listener);
}

/**
 * Where the worker's console output goes by default: the host's stderr, or nowhere.
 *
 * @example
 * ```ts
 * setConsoleOutput("silent");
 * ```
 */
export function setConsoleOutput(mode: "stderr" | "silent"): void {
  defaultWorker().setConsoleOutput(mode);
}

/**
 * Sets how the default worker starts (environment, R home, start-up scripts); a running worker
 * is stopped first and the next call starts one with the new configuration.
 *
 * @example
 * ```ts
 * await configureWorker({ env: { R_LIBS_USER: "/tmp/lib" } });
 * ```
 */
export function configureWorker(config: WorkerConfig): Promise<void> {
  return defaultWorker().configure(config);
}
