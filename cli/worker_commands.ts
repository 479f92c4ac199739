/**
 * The cluster worker's subcommands: `brmsts worker` (with its limits, job policy and model
 * signing flags) and `brmsts keygen`.
 *
 * @module
 */
import process from "node:process";
import { CliInputError } from "./errors.ts";
import { type Flags, int, natsOptions, seconds, str } from "./commands.ts";

/** `brmsts worker`. */
export async function workerCommand(f: Flags): Promise<void> {
  const nats = str(f, "nats") ?? (process.env.NATS_URL || undefined);
  if (!nats) {
    throw new CliInputError("--nats (or NATS_URL) is required, e.g. --nats nats://127.0.0.1:4222");
  }
  const { parseBytes, startWorker } = await import("../cluster/worker.ts");
  const ackWait = str(f, "ack-wait");
  if (ackWait !== undefined && !(Number(ackWait) > 0)) {
    throw new CliInputError(`--ack-wait must be a positive number of seconds, got "${ackWait}"`);
  }
  const json = f.json === true;
  const w = await startWorker({
    ...natsOptions(f, nats),
    concurrency: int(f, "concurrency") ?? 1,
    jobsPerR: int(f, "jobs-per-r") ?? 1,
    ...(f["fork-jobs"] === true ? { forkJobs: true } : {}),
    ...(ackWait ? { ackWaitMs: Number(ackWait) * 1000 } : {}),
    ...(int(f, "max-deliver") ? { maxDeliver: int(f, "max-deliver") } : {}),
    ...(str(f, "name") ? { name: str(f, "name") } : {}),
    shareModels: f["no-share-models"] !== true,
    ...(str(f, "stop-timeout") ? { stopTimeoutMs: seconds(f, "stop-timeout") * 1000 } : {}),
    ...workerSecurityOptions(f, parseBytes),
    onLog: (e) => {
      if (json) process.stdout.write(JSON.stringify(e) + "\n");
      else process.stderr.write(`[${e.worker}] ${e.event ?? ""} ${e.job ?? ""} ${e.error ?? ""}\n`);
    },
  });
  // A signal stops the worker within --stop-timeout (R processes ended); a second one at once.
  let stopped: Promise<void> | undefined;
  const signalled = new Promise<void>((resolve) => {
    const stop = () => {
      if (stopped) process.exit(143);
      stopped = w.stop().then(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await Promise.race([w.ready, signalled]);
  if (!stopped) {
    if (json) process.stdout.write(JSON.stringify({ event: "ready", worker: w.name }) + "\n");
    else process.stderr.write(`[${w.name}] ready\n`);
  }
  await Promise.race([w.done, signalled]);
  if (stopped) await stopped;
}

function workerSecurityOptions(
  f: Flags,
  parseBytes: (text: string) => number,
): Record<string, unknown> {
  const limits: Record<string, number> = {};
  for (
    const [flag, key, bytes] of [
      ["max-data-bytes", "maxDataBytes", true],
      ["max-iterations", "maxIterations", false],
      ["max-job-seconds", "maxJobSeconds", false],
      ["max-job-memory", "maxJobMemory", true],
    ] as const
  ) {
    const v = str(f, flag);
    if (v === undefined) continue;
    const n = bytes ? parseBytes(v) : Number(v);
    if (!(n >= 0)) throw new CliInputError(`--${flag} must be a number >= 0, got "${v}"`);
    limits[key] = n;
  }
  const keys = str(f, "trusted-keys");
  return {
    trustJobs: f["trust-jobs"] === true,
    limits,
    ...(str(f, "signing-key") ? { signingKey: str(f, "signing-key") } : {}),
    ...(keys ? { trustedKeys: keys.split(",").filter(Boolean) } : {}),
  };
}

/** `brmsts keygen`. */
export async function keygenCommand(f: Flags): Promise<void> {
  const out = str(f, "out");
  if (!out) throw new CliInputError("--out is required, e.g. --out /etc/brmsts/models");
  const { writeKeyPair } = await import("../cluster/signing.ts");
  const r = await writeKeyPair(out);
  if (f.json === true) process.stdout.write(JSON.stringify(r) + "\n");
  else {
    process.stdout.write(
      `private key ${r.privateKey} (mode 0600: only for workers that publish models)\n` +
        `public key  ${r.publicKey} (for every worker: --trusted-keys)\nkey id ${r.keyId}\n`,
    );
  }
}
