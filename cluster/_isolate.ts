/**
 * The cluster worker's default slot: one warm template R per slot, and each job in a fresh copy
 * of it (`RWorker.isolated`, a fork of the template: brms, the helpers and the recent models
 * loaded) instead of a fresh R process per job. The job's R state dies with its copy; a crash,
 * `q()` or cancel in the copy leaves the template serving the next job. A template that died
 * (its process, not a copy) is replaced by a fresh warm one.
 *
 * @module
 */
import process from "node:process";
import type { Consumer, JsMsg } from "@nats-io/jetstream";
import { preloadModel } from "../brms/mod.ts";
import type { RWorker } from "../worker/mod.ts";

/**
 * What a forked slot needs of its cluster worker.
 *
 * @example
 * ```ts
 * import type { ForkSlotContext } from "./_isolate.ts";
 * declare const ctx: ForkSlotContext;
 * ctx.stopping(); // false while the worker runs
 * ```
 */
export interface ForkSlotContext {
  /** A fresh R with brms loaded and the recent models preloaded. */
  warm(): Promise<RWorker>;
  /** The job consumer. */
  consumer(): Promise<Consumer>;
  /** Runs one job in `w`; resolves to the cache key of its model when it ran a fit. */
  handle(m: JsMsg, w: RWorker): Promise<string | undefined>;
  /** Whether the worker is stopping. */
  stopping(): boolean;
  /** JetStream `ack_wait` (ms): the heartbeat runs at a third of it. */
  ackWaitMs: number;
  /** Logs one entry. */
  log(entry: Record<string, unknown>): void;
}

/**
 * Whether cluster jobs run in forked copies (default yes; `BRMSTS_FORK_JOBS=0` turns it off:
 * a fresh R process per job, as before).
 *
 * @example
 * ```ts
 * import { forkJobsByDefault } from "./_isolate.ts";
 * forkJobsByDefault(); // false unless BRMSTS_FORK_JOBS=1
 * ```
 */
export function forkJobsByDefault(): boolean {
  return process.env.BRMSTS_FORK_JOBS === "1";
}

/**
 * Pulls and runs jobs, each in a fresh copy of the slot's template R, until the worker stops.
 *
 * @example
 * ```ts
 * import { forkSlot, type ForkSlotContext } from "./_isolate.ts";
 * declare const ctx: ForkSlotContext;
 * await forkSlot(ctx, () => {});
 * ```
 */
export async function forkSlot(c: ForkSlotContext, warmed: () => void): Promise<void> {
  let template: RWorker | null = null;
  /** Models already loaded into the template (a job's own load dies with its copy). */
  let loaded = new Set<string>();
  const ready = async (): Promise<RWorker> => {
    if (template?.info) return template;
    if (template) await template.shutdown().catch(() => {});
    template = null;
    loaded = new Set();
    return template = await c.warm();
  };
  const first = ready();
  first.then(warmed, warmed);
  await first.catch(() => {});
  const consumer = await c.consumer();
  try {
    while (!c.stopping()) {
      const m = await consumer.next({ expires: 1000 }).catch(async () => {
        await new Promise((r) => setTimeout(r, 250)); // disconnected: retry shortly
        return null;
      });
      if (!m) continue;
      const hb = setInterval(() => m.working(), Math.max(500, c.ackWaitMs / 3));
      try {
        const t = await ready();
        const t0 = Date.now();
        const key = await t.isolated((w, job) => {
          c.log({ event: "copy", pid: job.pid, forkMs: job.forkMs, startMs: Date.now() - t0 });
          return c.handle(m, w);
        });
        // The next copy finds the job's model in memory.
        if (key && t.info && !loaded.has(key)) {
          if (await preloadModel(key, { worker: t }).catch(() => false)) loaded.add(key);
        }
      } catch (e) {
        c.log({ event: "slot-error", error: String(e) });
      } finally {
        clearInterval(hb);
      }
    }
  } finally {
    if (template) await (template as RWorker).shutdown().catch(() => {});
  }
}
