// What a cluster worker writes when a job ends: its results in the object store, or the record
// of a job whose deliveries ran out.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { JetStreamClient } from "@nats-io/jetstream";
import { type FitResult, saveRds } from "../brms/mod.ts";
import type { RWorker } from "../worker/mod.ts";
import { toArrowIPC, toZarr } from "../idata/mod.ts";
import { summarizeDraws } from "../stats/mod.ts";
import {
  eventSubject,
  fromBytes,
  type Infra,
  JOB_STREAM,
  type JobEvent,
  type JobSpec,
  type JobState,
  type ResultManifest,
  toBytes,
} from "./protocol.ts";
import { filesUnder } from "./_job_files.ts";

/** A job's state once it has ended. */
export const TERMINAL: ReadonlySet<string> = new Set(["done", "failed", "cancelled"]);

/**
 * Stores a finished fit's results under `prefix` (the RDS, the posterior as Arrow, the summary,
 * the InferenceData as Zarr chunks) and returns their manifest. R writes the RDS while this
 * process writes and uploads the Zarr chunks.
 */
export async function storeResults(
  infra: Infra,
  w: RWorker,
  fit: FitResult,
  tmp: string,
  prefix: string,
  who: { worker: string; attempt: number },
): Promise<ResultManifest> {
  const put = (name: string, data: Uint8Array) =>
    infra.data.putBlob({ name: `${prefix}/${name}` }, data).then(() => `${prefix}/${name}`);
  const rdsSaved = saveRds(fit, join(tmp, "fit.rds"), { worker: w });
  rdsSaved.catch(() => {}); // awaited below; a failure there fails the job
  const zdir = join(tmp, "idata.zarr");
  toZarr(fit.idata, zdir);
  const zarr: Record<string, string> = {};
  const files = filesUnder(zdir);
  for (let i = 0; i < files.length; i += 16) {
    await Promise.all(
      files.slice(i, i + 16).map(async (f) => {
        const rel = relative(zdir, f);
        zarr[rel] = await put(`idata.zarr/${rel}`, readFileSync(f));
      }),
    );
  }
  await rdsSaved;
  return {
    rds: await put("fit.rds", readFileSync(join(tmp, "fit.rds"))),
    draws: await put("posterior.arrow", await toArrowIPC(fit.idata, "posterior")),
    summary: await put("summary.json", toBytes(summarizeDraws(fit.idata))),
    zarr,
    worker: who.worker,
    attempt: who.attempt,
  };
}

/**
 * Records a job whose last delivery went unanswered (a max-deliveries advisory) as failed with
 * kind `crashed`, tells its watchers and removes it from the stream; null when the job had ended
 * or another worker recorded it first.
 */
export async function recordExhausted(
  infra: Infra,
  js: JetStreamClient,
  name: string,
  data: Uint8Array,
): Promise<{ id: string; deliveries: number } | null> {
  const adv = fromBytes<{ stream_seq: number; deliveries: number }>(data);
  const sm = await infra.jsm.streams.getMessage(JOB_STREAM, { seq: adv.stream_seq })
    .catch(() => null);
  if (!sm) return null;
  const spec = fromBytes<JobSpec>(sm.data);
  const entry = await infra.state.get(spec.id);
  const st = entry && entry.length ? fromBytes<JobState>(entry.value) : null;
  if (st && TERMINAL.has(st.state)) return null;
  const error = {
    kind: "crashed",
    name: "WorkerLost",
    message: `the job's worker stopped without answering ${adv.deliveries} times (last: ` +
      `${st?.worker ?? "unknown"} on attempt ${st?.attempt ?? adv.deliveries}; no heartbeat ` +
      `within ack_wait); max_deliver reached`,
  };
  const next: JobState = {
    state: "failed",
    attempt: adv.deliveries,
    worker: st?.worker,
    error,
    updated: Date.now(),
  };
  try {
    await infra.state.update(spec.id, toBytes(next), entry?.revision ?? 0);
  } catch {
    return null; // another worker recorded it
  }
  const ev: JobEvent = {
    job: spec.id,
    seq: 0,
    attempt: adv.deliveries,
    worker: name,
    time: Date.now(),
    type: "failed",
    error,
  };
  await js.publish(eventSubject(spec.id), toBytes(ev));
  await infra.jsm.streams.deleteMessage(JOB_STREAM, adv.stream_seq).catch(() => {});
  return { id: spec.id, deliveries: adv.deliveries };
}
