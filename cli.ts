#!/usr/bin/env -S bun
/**
 * The `brmsts` command line: `fit`, `predict`, `summary`, `loo`, `status`, `worker`.
 *
 * Run it with `deno run -A cli.ts <command> …`, `bun cli.ts <command> …`, or, installed as a
 * package, `bunx brmsts <command> …` (the package's `bin`; Bun runs the TypeScript directly).
 * Exit status: 0 success, 2 bad input (flags, data files, a formula or data brms rejects),
 * 1 R/Stan failures and anything else.
 *
 * @example
 * ```ts
 * // deno run -A cli.ts fit --formula "count ~ zAge + (1|patient)" --data epilepsy.csv \
 * //   --family poisson --chains 2 --seed 1 --out fit/
 * import { main } from "./cli.ts";
 * const code = await main(["summary", "--fit", "fit/"]);
 * ```
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";

type OptSpec = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

interface Command {
  summary: string;
  usage: string;
  options: OptSpec;
  help: string;
  /** Accepts positional arguments (passed as `values._`). */
  positionals?: boolean;
}

const S = { type: "string" } as const, B = { type: "boolean" } as const;

/** Credentials and TLS of `--nats` (each also read from the `nats` tool's NATS_* variables). */
const NATS_FLAGS: OptSpec = {
  "nats-user": S,
  "nats-password": S,
  "nats-token": S,
  "nats-nkey": S,
  "nats-creds": S,
  "nats-ca": S,
  "nats-cert": S,
  "nats-key": S,
  replicas: S,
};
const NATS_HELP = `
      --nats-creds FILE   NATS creds file (JWT + nkey seed; or NATS_CREDS)
      --nats-nkey FILE    NATS nkey seed file (or NATS_NKEY)
      --nats-user U --nats-password P   (or NATS_USER / NATS_PASSWORD, or nats://U:P@host;
                          prefer the environment: flags show in the process list)
      --nats-token T      (or NATS_TOKEN)
      --nats-ca FILE      CA of the server's TLS certificate (or NATS_CA)
      --nats-cert FILE --nats-key FILE   TLS client certificate (or NATS_CERT / NATS_KEY)
                          Precedence: flags > user info in the URL > NATS_* environment.
      --replicas N        replicas of the streams and buckets created (default: the NATS
                          cluster's servers, at most 3)`;

const COMMANDS: Record<string, Command> = {
  fit: {
    summary: "fit a brms model to a CSV, Arrow or Parquet file",
    usage: "brmsts fit --formula F --data FILE --out DIR [options]",
    options: {
      formula: { ...S, short: "f" },
      data: { ...S, short: "d" },
      family: S,
      prior: { ...S, multiple: true },
      chains: S,
      iter: S,
      warmup: S,
      thin: S,
      cores: S,
      seed: S,
      backend: S,
      algorithm: S,
      set: { ...S, multiple: true },
      out: { ...S, short: "o" },
      force: B,
      nats: S,
      ...NATS_FLAGS,
      json: B,
    },
    help: `  -f, --formula F     model formula, e.g. "count ~ zAge + (1 | patient)"
  -d, --data FILE     .csv, .arrow/.feather/.ipc (Arrow IPC) or .parquet
      --family NAME   brms family (gaussian, poisson, bernoulli, ...)
      --prior P       CLASS[:COEF][|GROUP]=PRIOR, repeatable: "b=normal(0, 1)",
                      "sd|patient=exponential(1)"; or a JSON object
      --chains N --iter N --warmup N --thin N --cores N --seed N
      --backend rstan|cmdstanr  --algorithm sampling|meanfield|fullrank
      --set KEY=VALUE any other brm() option (VALUE as JSON when it parses),
                      e.g. --set 'control={"adapt_delta":0.95}'
  -o, --out DIR       writes DIR/idata.zarr (ArviZ), posterior.arrow (draws, Arrow IPC),
                      summary.json, fit.rds (the brmsfit)
      --force         replace a non-empty DIR
      --nats URL      run the fit on a brmsts cluster (nats:// or ws://); R is not loaded here
      --json          one JSON line per event on stdout (else a progress bar on a TTY)${NATS_HELP}`,
  },
  predict: {
    summary: "posterior predictions of a saved fit",
    usage: "brmsts predict --fit DIR --out FILE.arrow [--newdata FILE] [options]",
    options: {
      fit: S,
      newdata: S,
      out: { ...S, short: "o" },
      kind: S,
      ndraws: S,
      seed: S,
      json: B,
    },
    help: `      --fit DIR       the --out directory of \`brmsts fit\` (uses DIR/fit.rds)
      --newdata FILE  .csv, .arrow or .parquet (default: the fitted data)
      --kind K        predict (posterior_predict, default), epred or linpred
      --ndraws N --seed N
  -o, --out FILE      the draws as Arrow IPC
      --json          a JSON line when done`,
  },
  "export-scorer": {
    summary: "export a saved fit to a scorer file (brmsts/score predicts without R)",
    usage: "brmsts export-scorer --fit DIR --out FILE.scorer [--ndraws N] [--thin N]",
    options: { fit: S, out: { ...S, short: "o" }, ndraws: S, thin: S, json: B },
    help: `      --fit DIR       the --out directory of \`brmsts fit\` (uses DIR/fit.rds)
  -o, --out FILE      the scorer artifact (load it with loadScorer from brmsts/score)
      --ndraws N      keep N draws, evenly spaced; --thin N keeps every N-th
      --json          a JSON line when done`,
  },
  summary: {
    summary: "summary of a saved fit's draws (no R needed)",
    usage: "brmsts summary --fit DIR [--probs 0.05,0.95] [--json]",
    options: { fit: S, probs: S, json: B },
    help: `      --fit DIR       the --out directory of \`brmsts fit\`
      --probs P,Q     quantiles (default 0.05,0.95)
      --json          the rows as JSON`,
  },
  loo: {
    summary: "PSIS-LOO of a saved fit (no R needed)",
    usage: "brmsts loo --fit DIR [--json]",
    options: { fit: S, json: B },
    help: `      --fit DIR       the --out directory of \`brmsts fit\`
      --json          the estimates as JSON`,
  },
  status: {
    summary: "the local R, brms and toolchain; with --nats, the cluster's queue",
    usage: "brmsts status [--nats URL] [--no-local] [--json]",
    options: { nats: S, ...NATS_FLAGS, "no-local": B, json: B },
    help: `      --nats URL      also report the cluster's queue (queued, running, redelivered)
      --no-local      do not start R for the local status
      --json          one JSON line${NATS_HELP}`,
  },
  explore: {
    summary: "explore saved fits in the browser (local web page, read-only)",
    usage: "brmsts explore PATH | NAME=PATH ... [--host H] [--port N]",
    options: { host: S, port: S },
    positionals: true,
    help: `      PATH            a \`brmsts fit\` directory, an idata.zarr store, or a fit.rds of
                      your own (an RDS is read by R: never open one you do not trust);
                      NAME=PATH to show several fits side by side
      --host H        interface to listen on (default 127.0.0.1; anything else exposes the
                      fit to the network: prefer SSH port forwarding)
      --port N        port (default: a free one)
  Prints the page's URL (with its access token) on stdout and serves until interrupted.`,
  },
  worker: {
    summary: "run a cluster worker that fits jobs from NATS JetStream",
    usage: "brmsts worker --nats URL [--concurrency N] [options]",
    options: {
      nats: S,
      ...NATS_FLAGS,
      concurrency: S,
      "jobs-per-r": S,
      "fork-jobs": B,
      "ack-wait": S,
      "max-deliver": S,
      name: S,
      "no-share-models": B,
      "stop-timeout": S,
      json: B,
      "trust-jobs": B,
      "max-data-bytes": S,
      "max-iterations": S,
      "max-job-seconds": S,
      "max-job-memory": S,
      "signing-key": S,
      "trusted-keys": S,
    },
    help: `      --nats URL          NATS server(s), comma separated (nats://host:4222)
      --concurrency N     jobs at once, each in its own warm R worker (default 1)
      --jobs-per-r N      jobs one R runs before a fresh one replaces it (default 1: every
                          job gets a fresh R; more trades isolation for throughput)
      --fork-jobs         with --jobs-per-r 1, run each job in a fresh fork of a warm
                          template R instead of a fresh R process (opt-in; see README)
      --ack-wait SEC      seconds without heartbeat before a job is redelivered (default 60)
      --max-deliver N     deliveries of a job before it fails (default 3)
      --name NAME         this worker's name in events (default host:pid)
      --no-share-models   do not share compiled models through the object store
      --stop-timeout SEC  on SIGTERM/SIGINT, stop within SEC seconds whatever NATS does
                          (default 10): jobs get half to finish, are then handed back to
                          the queue; R processes are ended (a second signal exits at once)
      --json              one JSON line per event on stdout
      --trust-jobs        run jobs as written (R code, any function in formulas, any option);
                          only where every submitter is trusted (default: jobs are data,
                          checked against an allow-list; a refused job fails with kind policy)
      --max-data-bytes N  bytes of a job's data, e.g. 64M (default 256M)
      --max-iterations N  chains x iterations of a job (default 10000000)
      --max-job-seconds S wall time of a job; then it is stopped (default 3600; 0: none)
      --max-job-memory N  resident memory of the job's R and its children, e.g. 4G; R is
                          killed past it (default 8G; 0: none). Over a limit: kind limit
      --signing-key FILE  Ed25519 private key (brmsts keygen): sign the models this worker
                          uploads to the shared bucket
      --trusted-keys F,.. public keys whose signatures make a shared model loadable; without
                          them shared models are not downloaded (see docs/model-signing.md)${NATS_HELP}`,
  },
  keygen: {
    summary: "make an Ed25519 key pair for signing shared compiled models",
    usage: "brmsts keygen --out PREFIX",
    options: { out: S, json: B },
    help: `      --out PREFIX        writes PREFIX.key (private, mode 0600) and PREFIX.pub
      --json              the file names and the key id as JSON`,
  },
};

function topHelp(): string {
  const rows = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(9)}${c.summary}`);
  return `brmsts: real R brms from the command line and on a NATS JetStream cluster

Usage: brmsts <command> [options]   (brmsts <command> --help for its options)

Commands:
${rows.join("\n")}

Exit status: 0 success, 2 bad input, 1 R/Stan failure.
`;
}

function commandHelp(name: string): string {
  const c = COMMANDS[name];
  return `brmsts ${name}: ${c.summary}\n\nUsage: ${c.usage}\n\nOptions:\n${c.help}\n  -h, --help          this help\n`;
}

function isBadInput(e: unknown, phase: string | undefined): boolean {
  const name = (e as Error)?.name ?? "";
  if (
    ["CliInputError", "SpecError", "ClusterInputError", "TypeError", "RangeError"].includes(name) ||
    name === "ClusterAuthError"
  ) return true;
  if (name === "ClusterJobError") return (e as { kind?: string }).kind === "bad-input";
  // R errors while brms checks the call (formula, data, priors) are bad input.
  if ((name === "RError" || name === "RParseError") && (phase ?? "prepare") === "prepare") {
    return true;
  }
  return false;
}

/**
 * Runs the command line `argv` (without the runtime and script) and returns the exit status.
 *
 * @example
 * ```ts
 * import { main } from "./cli.ts";
 * const status = await main(["loo", "--fit", "fit/", "--json"]);
 * ```
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(topHelp());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`brmsts: unknown command "${name}"\n\n${topHelp()}`);
    return 2;
  }
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...cmd.options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: cmd.positionals ?? false,
    });
    values = parsed.values as typeof values;
    if (cmd.positionals) values._ = parsed.positionals;
  } catch (e) {
    process.stderr.write(`brmsts ${name}: ${(e as Error).message}\n\n${commandHelp(name)}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(commandHelp(name));
    return 0;
  }
  const ctx: { phase?: string } = {};
  try {
    const c = await import("./cli/commands.ts");
    const cw = () => import("./cli/worker_commands.ts");
    const run = {
      fit: () => c.fitCommand(values, ctx),
      predict: () => c.predictCommand(values, ctx),
      "export-scorer": () => c.exportScorerCommand(values, ctx),
      summary: () => c.summaryCommand(values),
      loo: () => c.looCommand(values),
      status: () => c.statusCommand(values),
      worker: async () => (await cw()).workerCommand(values),
      explore: () => c.exploreCommand(values),
      keygen: async () => (await cw()).keygenCommand(values),
    }[name]!;
    await run();
    return 0;
  } catch (e) {
    const bad = isBadInput(e, ctx.phase);
    const err = e as Error;
    if (values.json) {
      process.stdout.write(
        JSON.stringify({ event: "error", name: err?.name, message: err?.message, badInput: bad }) +
          "\n",
      );
    }
    process.stderr.write(`brmsts ${name}: ${err?.name ?? "Error"}: ${err?.message ?? e}\n`);
    return bad ? 2 : 1;
  }
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  process.exit(code);
}
