/**
 * A call's arguments: the forms `callR` accepts (a positional array, an object of named
 * arguments, `named({...})` inside an array) encoded to wire arguments, with the copy plan of
 * their bulk data. The plan travels with the call's task to the transport, which runs it into
 * the request's region when the request is sent.
 *
 * @module
 */
import { ArgEncoder, type CopyPlan } from "./encode.ts";
import { NamedArgs } from "./markers.ts";
import type { HandleOwner } from "./robject.ts";
import type { WireArg } from "../wire/protocol.ts";
import { BrmstsTypeError } from "../../errors.ts";

/**
 * A call's encoded arguments and the copy plan of their bulk data (absent when they need no
 * region).
 *
 * @example
 * ```ts
 * import { named } from "../../mod.ts";
 * const { args, plan } = encodeArgs([new Float64Array([1, 2]), named({ na_rm: true })]);
 * ```
 */
export interface EncodedArgs {
  args: WireArg[];
  plan?: CopyPlan;
}

/**
 * Encodes `callR` arguments. Everything is validated here, before anything is sent. With
 * `owner` (the worker client the call goes to), an RObject of another client is refused.
 *
 * @throws {TypeError} for arguments that are neither an array nor an object, or values with
 * no R form; {@link RangeError} for numbers R cannot hold or data that does not fit /dev/shm.
 *
 * @example
 * ```ts
 * encodeArgs({ n: 3, mean: 10 }).args.map((a) => a.name); // ["n", "mean"]
 * ```
 */
export function encodeArgs(
  args: unknown[] | Record<string, unknown> | undefined,
  owner?: HandleOwner,
): EncodedArgs {
  if (args === undefined || args === null) return { args: [] };
  const out: WireArg[] = [];
  const enc = new ArgEncoder(owner);
  const addNamed = (obj: Record<string, unknown>) => {
    for (const [name, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      out.push({ name, value: enc.encode(v, name) });
    }
  };
  if (Array.isArray(args)) {
    args.forEach((a, i) => {
      if (a instanceof NamedArgs) addNamed(a.args);
      else out.push({ value: enc.encode(a, `args[${i}]`) });
    });
  } else if (typeof args === "object") {
    addNamed(args as Record<string, unknown>);
  } else {
    throw new BrmstsTypeError("callR args must be an array (positional) or an object (named)");
  }
  const plan = enc.finish();
  return plan ? { args: out, plan } : { args: out };
}

const FN_NAME = /^(?:[A-Za-z.][A-Za-z0-9._]*:::?)?(?:[A-Za-z.][A-Za-z0-9._]*|`[^`]+`)$/;

/**
 * Checks that `fn` names an R function (`name`, `pkg::name`, `pkg:::name` or a backquoted
 * name): anything else is never sent.
 *
 * @throws {TypeError} otherwise.
 *
 * @example
 * ```ts
 * checkFunctionName("stats::rnorm"); // ok
 * ```
 */
export function checkFunctionName(fn: unknown): asserts fn is string {
  if (typeof fn !== "string" || !FN_NAME.test(fn)) {
    throw new BrmstsTypeError(
      `callR: ${JSON.stringify(fn)} is not an R function name (name or pkg::name)`,
    );
  }
}
