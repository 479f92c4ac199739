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
import { type IsolatedJob, runIsolated } from "./isolate.ts";
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

  /**
   * Runs `fn` as an isolated job: every R call on this worker while `fn` runs goes to a fresh
   * copy of the worker's warm R session (a fork of it: packages, helpers and preloaded models
   * included, in milliseconds instead of R's start), and the copy is thrown away afterwards.
   * Nothing the job does to R (globals, attached packages, options, a crash, `q()`) reaches
   * the worker; `RObject`s the job got are valid only inside it. Abort a call with its `signal`
   * as usual (the copy is killed, the worker lives on). While `fn` runs the worker serves only
   * the job: use another `RWorker` for concurrent work.
   *
   * @example
   * ```ts
   * const w = new RWorker();
   * await w.eval("library(stats)");
   * const n = await w.isolated(async (iw) => {
   *   await iw.eval("x <- 1; library(tools)");
   *   return await iw.eval("x + 1"); // 2
   * });
   * await w.eval("exists('x')"); // false: the job's state died with its copy
   * await w.shutdown();
   * ```
   */
  isolated<T>(
    fn: (worker: this, job: IsolatedJob) => T | Promise<T>,
    opts: CallOptions = {},
  ): Promise<T> {
    return runIsolated(this, fn, opts, (id) => this.#isolation = id);
  }
  #isolation = 0;

  /**
   * The isolated job this worker runs now (see {@link RWorker.isolated}), 0 when none: state
   * kept about the worker's R (helpers installed, …) that was made inside a job is valid only
   * while that job runs.
   */
  get isolation(): number {
    return this.#isolation;
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
