/**
 * `RWorker`: the calls a worker client offers (evaluate R source, call an R function, report
 * status) on top of {@link WorkerClient}'s process and queue.
 *
 * @module
 */
import { checkFunctionName, encodeArgs } from "./arguments.ts";
import { WorkerClient } from "./client.ts";
import { checkString } from "./encode_leaf.ts";
import { RequestKind } from "../wire/protocol.ts";
import type { CallOptions, RResult, WorkerStatus } from "./types.ts";
import { BrmstsTypeError } from "../../errors.ts";

/**
 * A client for one R worker process. Most code uses the module-level functions (`evalR`,
 * `callR`, …) that share one default client; create more for parallel R sessions.
 *
 * @example
 * ```ts
 * const w = new RWorker();
 * console.log(await w.eval("1 + 1")); // 2
 * await w.shutdown();
 * ```
 */
export class RWorker extends WorkerClient {
  /** Evaluates R source; resolves to the converted value of the last expression. */
  async eval(code: string, opts: CallOptions = {}): Promise<unknown> {
    return (await this.evalResult(code, opts)).value;
  }

  /** Like `eval`, with the warnings and messages R raised. */
  evalResult(code: string, opts: CallOptions = {}): Promise<RResult> {
    if (typeof code !== "string") throw new BrmstsTypeError("evalR() takes R source as a string");
    try {
      checkString(code, "evalR() source"); // the rule every string sent to R follows
    } catch (e) {
      return Promise.reject(e);
    }
    return this.run({ kind: RequestKind.Eval, code, convert: opts.convert ?? "auto" }, opts);
  }

  /** Calls an R function: `fn` is `name` or `pkg::name`. */
  async call(
    fn: string,
    args?: unknown[] | Record<string, unknown>,
    opts: CallOptions = {},
  ): Promise<unknown> {
    return (await this.callResult(fn, args, opts)).value;
  }

  /** Like `call`, with the warnings and messages R raised. */
  callResult(
    fn: string,
    args?: unknown[] | Record<string, unknown>,
    opts: CallOptions = {},
  ): Promise<RResult> {
    try {
      checkFunctionName(fn);
      const { args: wire, plan } = encodeArgs(args, this);
      return this.run(
        {
          kind: RequestKind.Call,
          fn,
          args: wire,
          convert: opts.convert ?? "auto",
          ...(opts.heap ? { heap: opts.heap } : {}),
        },
        opts,
        plan,
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Versions, paths and resource counts of the worker (starts it if needed). */
  async status(opts: CallOptions = {}): Promise<WorkerStatus> {
    const res = await this.run({ kind: RequestKind.Status }, opts);
    const v = res.value as Omit<WorkerStatus, "pid" | "runtime" | "generation">;
    const info = this.info!;
    return {
      ...v,
      libPaths: ([] as string[]).concat(v.libPaths ?? []),
      pid: info.pid,
      runtime: info.runtime,
      generation: this.generation,
    };
  }
}
