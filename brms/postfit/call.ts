/**
 * `call()`: any brms or R function by name, with arguments through the codecs.
 *
 * @module
 */
import { type CallOptions, defaultWorker, NamedArgs, type RWorker } from "../../worker/mod.ts";
import { unwrapFit } from "./args.ts";

/**
 * Options of one {@link call}, given with {@link callOptions} as its last argument.
 *
 * @deprecated One name per concept: call R functions with `callR(name, [args...], options)` (or
 * `worker.call(...)` on a given worker), which takes the same arguments, fits included.
 *
 * @example
 * ```ts
 * const opts: CallWithOptions = { convert: "handle", signal: AbortSignal.timeout(5000) };
 * ```
 */
export interface CallWithOptions extends CallOptions {
  /** The worker to call in (default: the shared default worker). */
  worker?: RWorker;
}

/**
 * Marks the options of {@link call}.
 *
 * @deprecated One name per concept: call R functions with `callR(name, [args...], options)` (or
 * `worker.call(...)` on a given worker), which takes the same arguments, fits included.
 *
 * @example
 * ```ts
 * const m: CallOptionsMarker = callOptions({ convert: "value" });
 * ```
 */
export class CallOptionsMarker {
  /** @internal */
  constructor(readonly options: CallWithOptions) {}
}

/**
 * Options for {@link call} (cancellation, conversion, console output, worker), passed as the
 * last argument.
 *
 * @deprecated One name per concept: call R functions with `callR(name, [args...], options)` (or
 * `worker.call(...)` on a given worker), which takes the same arguments, fits included.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * const ac = new AbortController();
 * await call("brms::bayes_R2", fit, callOptions({ signal: ac.signal }));
 * ```
 */
export function callOptions(options: CallWithOptions): CallOptionsMarker {
  return new CallOptionsMarker(options);
}

/**
 * Calls any R function by name (`fn` or `pkg::fn`, so every brms function): arguments are
 * positional, `named({...})` gives named ones (R's names, verbatim), values go through the
 * codecs (DataFrame → data.frame, NdArray → array, …), `RObject` handles and fits (the result of
 * `brm()`) are passed as the R objects. The result is converted as by `callR` (R objects with
 * no plain form come back as `RObject`). A {@link callOptions} last argument sets call options.
 *
 * @deprecated One name per concept: call R functions with `callR(name, [args...], options)` (or
 * `worker.call(...)` on a given worker), which takes the same arguments, fits included.
 *
 * @example
 * ```ts
 * import { type FitResult } from "../../mod.ts";
 * declare const fit: FitResult;
 * import { named } from "../../worker/mod.ts";
 * const r2 = await call("brms::bayes_R2", fit); // NdArray [1, 4]: Estimate, Est.Error, Q2.5, Q97.5
 * const nd = await call("brms::ndraws", fit); // 300
 * await call("brms::hypothesis", fit, "gb > 0", named({ alpha: 0.1 }));
 * ```
 */
export async function call(name: string, ...args: unknown[]): Promise<unknown> {
  let opts: CallWithOptions = {};
  if (args.at(-1) instanceof CallOptionsMarker) opts = (args.pop() as CallOptionsMarker).options;
  const wire = args.map((a) => {
    if (a instanceof NamedArgs) {
      return new NamedArgs(
        Object.fromEntries(Object.entries(a.args).map(([k, v]) => [k, unwrapFit(v)])),
      );
    }
    return unwrapFit(a);
  });
  const { worker, ...callOpts } = opts;
  const w = worker ?? defaultWorker();
  return await w.call(name, wire, callOpts);
}
