/**
 * Reviving stored or logged trees.
 *
 * @module
 */

import { SpecError } from "./errors.ts";
import { kindOf } from "./_node.ts";
import { describe } from "./scan.ts";
import { type FormulaTerm, reviveTerm } from "./bf.ts";
import { Threading, type ThreadingNode } from "./threading.ts";
import { reviveStanvars, type Stanvars } from "./custom.ts";
import { Prior, PriorList, type PriorListNode, type PriorNode } from "./prior.ts";

/** Any value of the DSL: a formula or formula term, a family, a prior or a prior list, stanvars. */
export type Tree = FormulaTerm | Prior | PriorList | Stanvars | Threading;

/**
 * Rebuilds a DSL value from its JSON form (the parsed object, or the JSON
 * text itself), checking it exactly as the constructors do, so a stored or
 * logged specification can be sent again.
 *
 * @example
 * ```ts
 * import { bf, fromJSON, poisson } from "./mod.ts";
 * const f = bf("count ~ zAge + (1 | patient)").add(poisson());
 * const again = fromJSON(JSON.stringify(f));
 * String(again) === String(f); // true
 * ```
 */
export function fromJSON(tree: unknown): Tree {
  let value = tree;
  if (typeof tree === "string") {
    try {
      value = JSON.parse(tree);
    } catch (e) {
      throw new SpecError(`fromJSON(): invalid JSON: ${(e as Error).message}`);
    }
  }
  switch (kindOf(value)) {
    case undefined:
      throw new SpecError(`fromJSON() expects a tree with a 'kind', got ${describe(value)}`);
    case "brmsprior":
      return value instanceof Prior ? value : new Prior(value as PriorNode);
    case "threading":
      return value instanceof Threading ? value : new Threading(value as ThreadingNode);
    case "stanvars":
      return reviveStanvars(value, "fromJSON()");
    case "brmspriors":
      return value instanceof PriorList ? value : new PriorList(value as PriorListNode);
    default:
      return reviveTerm(value, "fromJSON()");
  }
}
