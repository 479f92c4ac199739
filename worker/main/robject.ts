/**
 * Handles on R objects that live in the worker.
 *
 * @module
 */
import { RHandleError } from "./errors.ts";

/** What a handle needs from the client that created it. */
export interface HandleOwner {
  /** The worker generation currently running (bumps on every restart). */
  readonly generation: number;
  /** Queues the release of a handle id of the given generation. */
  release(id: number, generation: number): void;
}

const registry = new FinalizationRegistry<{ owner: HandleOwner; id: number; gen: number }>(
  ({ owner, id, gen }) => owner.release(id, gen),
);

/**
 * An R object kept alive in the worker (an environment, function, formula, fitted model …).
 * Pass it back into `callR`/`evalR`-based calls to use the same R object. It is released when
 * disposed (`using`, `dispose()`) or when garbage-collected.
 *
 * @example
 * ```ts
 * import { callR, evalR, named } from "../../mod.ts";
 * using env = await evalR("new.env()") as RObject;
 * console.log(env.classes, env.repr); // ["environment"], "<environment>"
 * await callR("assign", ["x", 1, named({ envir: env })]);
 * ```
 */
export class RObject {
  #disposed = false;
  readonly #owner: HandleOwner;
  /** @internal */
  constructor(
    /** The worker-side id. */
    readonly id: number,
    /** R's `class()` of the object. */
    readonly classes: string[],
    /** R's `typeof()` of the object. */
    readonly type: string,
    /** A short printed form. */
    readonly repr: string,
    owner: HandleOwner,
    /** The worker generation that holds the object. */
    readonly generation: number,
  ) {
    this.#owner = owner;
    registry.register(this, { owner: this.#owner, id, gen: generation }, this);
  }

  /** The worker client that holds the object (an `RWorker`). */
  get owner(): HandleOwner {
    return this.#owner;
  }

  /** True while the object can still be used. */
  get alive(): boolean {
    return !this.#disposed && this.#owner.generation === this.generation;
  }

  /** True when the object's R class vector contains `cls`. */
  inherits(cls: string): boolean {
    return this.classes.includes(cls);
  }

  /** Throws RHandleError when the handle cannot be used any more. @internal */
  assertUsable(): void {
    if (this.#disposed) {
      throw new RHandleError(`RObject ${this.id} (${this.classes.join("/")}) was disposed`);
    }
    if (this.#owner.generation !== this.generation) {
      throw new RHandleError(
        `RObject ${this.id} (${this.classes.join("/")}) belonged to an R worker that has since ` +
          `exited (crash or restart); recreate the object in the current worker`,
      );
    }
  }

  /** Releases the R object now. Using the handle afterwards raises RHandleError. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    registry.unregister(this);
    this.#owner.release(this.id, this.generation);
  }

  /** `using` support. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The printed form. */
  toString(): string {
    return this.repr;
  }
}
