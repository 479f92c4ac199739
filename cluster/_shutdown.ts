/**
 * A cluster worker's bounded stop: however NATS is doing (server gone, reconnecting, a JetStream
 * call stuck in its retries), `stop()` returns within its time-out with every R process of the
 * worker ended, as process managers expect between SIGTERM and SIGKILL.
 *
 * @module
 */
import process from "node:process";
import type { NatsConnection } from "@nats-io/nats-core";
import type { RWorker } from "../worker/mod.ts";

/** The abort reason of jobs interrupted by a stop: they are handed back to the queue. */
export const SHUTDOWN = "brmsts-worker-shutdown";

/** Default milliseconds `stop()` may take. */
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;

/** Resolves with `p`'s outcome (`true`) or `false` after `ms`. */
export function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.then(() => true, () => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), Math.max(0, ms)))),
  ]).finally(() => clearTimeout(timer));
}

/** The R workers a cluster worker owns, so that a stop can end them whatever they do. */
export class RWorkerSet {
  #all = new Set<RWorker>();

  /** Adds `w`; returns it. */
  track(w: RWorker): RWorker {
    this.#all.add(w);
    return w;
  }

  /** Shuts `w` down and forgets it. */
  async retire(w: RWorker): Promise<void> {
    this.#all.delete(w);
    await w.shutdown().catch(() => {});
  }

  /** SIGKILLs every R worker process still running; returns their pids. */
  killAll(): number[] {
    const pids: number[] = [];
    for (const w of this.#all) {
      const pid = w.info?.pid;
      if (!pid) continue;
      try {
        process.kill(pid, "SIGKILL");
        pids.push(pid);
      } catch { /* gone already */ }
    }
    return pids;
  }

  /** Shuts every R worker down (each bounded by the worker's own SIGKILL after 5 s). */
  async shutdownAll(): Promise<void> {
    await Promise.all([...this.#all].map((w) => this.retire(w)));
  }
}

/** Drains `nc` (bounded), then closes it (bounded): a dead server cannot hold it up. */
export async function closeBounded(nc: NatsConnection, ms = 2000): Promise<void> {
  if (nc.isClosed()) return;
  if (!nc.isDraining()) await within(nc.drain(), ms);
  if (!nc.isClosed()) await within(nc.close(), ms);
}

/**
 * Stops within `ms`: waits for `done` for half the time, then aborts the running jobs (they are
 * handed back to the queue: R is interrupted), then, at 80 %, SIGKILLs the R processes left and
 * closes the connection. Returns whether `done` resolved in time.
 */
export async function stopWithin(
  ms: number,
  done: Promise<unknown>,
  steps: {
    abortJobs: () => void;
    rs: RWorkerSet;
    nc: NatsConnection;
    log: (e: Record<string, unknown>) => void;
  },
): Promise<boolean> {
  const t0 = Date.now();
  const left = () => ms - (Date.now() - t0);
  if (await within(done, ms * 0.5)) return true;
  steps.log({ event: "stop-abort-jobs" });
  steps.abortJobs();
  if (await within(done, left() - ms * 0.2)) return true;
  const killed = steps.rs.killAll();
  steps.log({ event: "stop-forced", killed: killed.length });
  await within(closeBounded(steps.nc, Math.max(100, left() / 2)), Math.max(100, left() / 2));
  await within(steps.rs.shutdownAll(), Math.max(0, left()));
  return await within(done, Math.max(0, left()));
}
