/**
 * The R worker: evaluate R code and call R functions in an isolated worker process.
 *
 * Layout: `main/` runs in the user's process (client, arguments, results, shared-memory
 * reader), `host/` runs in the worker process (R session, SEXP conversion, shared-memory
 * writer), `wire/` is what both share (protocol, wire format, region layout). The module-level
 * functions share one lazily started worker (`main/default.ts`).
 *
 * @module
 */
export { RWorker } from "./main/rworker.ts";
export type { IsolatedJob } from "./main/isolate.ts";
// RWorker's base class, public only because RWorker extends it (deno doc --lint); use RWorker.
export { WorkerClient } from "./main/client.ts";
export type { CallOptions, LogEntry, RResult, WorkerConfig, WorkerStatus } from "./main/types.ts";
export { RObject } from "./main/robject.ts";
export { named, NamedArgs, RCode, rCode } from "./main/markers.ts";
export { fitHandleOf } from "./main/encode.ts";
export {
  RAbortError,
  RError,
  RHandleError,
  RParseError,
  RStartupError,
  RWorkerCrashedError,
} from "./main/errors.ts";
export type { HandleOwner } from "./main/robject.ts";
export type { LogStream, ReadyInfo } from "./wire/protocol.ts";
export type { ConvertMode, HeapPolicy } from "./wire/protocol.ts";
export { releaseShared } from "./main/shared_memory.ts";
export {
  callR,
  callRResult,
  configureWorker,
  defaultWorker,
  evalR,
  evalRResult,
  onLog,
  setConsoleOutput,
  shutdown,
} from "./main/default.ts";
