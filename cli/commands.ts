/**
 * The `brmsts` subcommands. `cli.ts` parses the command line and imports this module only
 * once a command runs, so `--help` loads nothing heavy; this module imports the rest lazily
 * too (a fit on a cluster never loads R).
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import type { InferenceData } from "../idata/mod.ts";
import { CliInputError } from "./errors.ts";
import { columnNames, readData } from "./read.ts";

/** Parsed flags of a command (what node:util's parseArgs returns). */
export type Flags = Record<string, string | boolean | string[] | undefined>;

/** Where a fit's error happened (R errors while brms checks the call are bad input). */
export interface FailureContext {
  phase?: string;
}

/** A string flag, or undefined. */
export const str = (f: Flags, k: string): string | undefined =>
  typeof f[k] === "string" ? f[k] as string : undefined;
const list = (f: Flags, k: string): string[] =>
  Array.isArray(f[k]) ? f[k] as string[] : typeof f[k] === "string" ? [f[k] as string] : [];

/** An integer flag, or undefined. */
export function int(f: Flags, k: string): number | undefined {
  const v = str(f, k);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new CliInputError(`--${k} must be an integer, got "${v}"`);
  return n;
}

/** `--nats` and its credential/TLS flags as connection options (the rest from NATS_*). */
/** The NATS connection options of a command's flags. */
export function natsOptions(f: Flags, nats: string | undefined): Record<string, unknown> {
  const o: Record<string, unknown> = nats ? { servers: nats.split(",") } : {};
  const map = [["nats-user", "user"], ["nats-password", "password"], ["nats-token", "token"], [
    "nats-nkey",
    "nkey",
  ], ["nats-creds", "credsFile"]];
  for (const [flag, key] of map) if (str(f, flag) !== undefined) o[key] = str(f, flag);
  const tls: Record<string, string> = {};
  for (
    const [flag, key] of [["nats-ca", "caFile"], ["nats-cert", "certFile"], ["nats-key", "keyFile"]]
  ) {
    if (str(f, flag) !== undefined) tls[key] = str(f, flag)!;
  }
  if (Object.keys(tls).length) o.tls = tls;
  const replicas = int(f, "replicas");
  if (replicas !== undefined) {
    if (replicas < 1 || replicas > 5) {
      throw new CliInputError(`--replicas must be between 1 and 5, got ${replicas}`);
    }
    o.replicas = replicas;
  }
  return o;
}

/** A flag in seconds (a positive number). */
export function seconds(f: Flags, k: string): number {
  const v = str(f, k), n = Number(v);
  if (!(n > 0)) throw new CliInputError(`--${k} must be a positive number of seconds, got "${v}"`);
  return n;
}

const PRIOR_LHS = /^([A-Za-z_.][\w.]*)(?::([^|]+))?(?:\|(.+))?$/;

/**
 * Parses `--prior` values: `CLASS[:COEF][|GROUP]=PRIOR` (`b=normal(0, 1)`,
 * `sd|patient=exponential(1)`, `b:zAge=normal(0, 0.5)`) or a JSON object
 * `{"prior": "...", "class": "..."}`.
 */
export function parsePrior(text: string): Record<string, string> {
  const t = text.trim();
  if (t.startsWith("{")) {
    try {
      return JSON.parse(t);
    } catch (e) {
      throw new CliInputError(`--prior ${text}: invalid JSON (${(e as Error).message})`);
    }
  }
  const eq = t.indexOf("=");
  const m = eq > 0 ? PRIOR_LHS.exec(t.slice(0, eq).trim()) : null;
  if (!m) {
    throw new CliInputError(
      `--prior "${text}": expected CLASS[:COEF][|GROUP]=PRIOR, e.g. "b=normal(0, 1)"`,
    );
  }
  const out: Record<string, string> = { prior: t.slice(eq + 1).trim(), class: m[1] };
  if (m[2]) out.coef = m[2].trim();
  if (m[3]) out.group = m[3].trim();
  return out;
}

/** `--set key=value` (value parsed as JSON when it parses, else a string). */
function parseSets(f: Flags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of list(f, "set")) {
    const eq = s.indexOf("=");
    if (eq <= 0) throw new CliInputError(`--set "${s}": expected KEY=VALUE`);
    const v = s.slice(eq + 1);
    try {
      out[s.slice(0, eq)] = JSON.parse(v);
    } catch {
      out[s.slice(0, eq)] = v;
    }
  }
  return out;
}

/** Formula variables that are not columns of the data (checked before R starts). */
function checkColumns(formula: string, columns: string[]): void {
  // Only the plain response, e.g. `count ~ ...`: brms checks the rest and names it.
  const lhs = /^\s*([A-Za-z.][\w.]*)\s*(?:\||~)/.exec(formula);
  if (lhs && !columns.includes(lhs[1])) {
    throw new CliInputError(
      `the response "${lhs[1]}" of the formula is not a column of the data ` +
        `(columns: ${columns.join(", ")})`,
    );
  }
}

function emitter(json: boolean) {
  return (e: Record<string, unknown>) => {
    if (json) process.stdout.write(JSON.stringify(e) + "\n");
  };
}

function prepareOut(out: string, force: boolean): string {
  const dir = resolve(out);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!force) {
      throw new CliInputError(`output directory ${out} is not empty (use --force to replace it)`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function writeResults(
  dir: string,
  idata: InferenceData,
  summary: unknown,
  writeRds: (path: string) => Promise<void>,
): Promise<void> {
  const { toZarr, toArrowIPC } = await import("../idata/mod.ts");
  toZarr(idata, join(dir, "idata.zarr"));
  writeFileSync(join(dir, "posterior.arrow"), await toArrowIPC(idata, "posterior"));
  writeFileSync(join(dir, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  await writeRds(join(dir, "fit.rds"));
}

/** `brmsts fit`. */
export async function fitCommand(f: Flags, ctx: FailureContext): Promise<void> {
  const formula = str(f, "formula");
  const dataFile = str(f, "data");
  const out = str(f, "out");
  if (!formula) throw new CliInputError("--formula is required");
  if (!dataFile) throw new CliInputError("--data is required");
  if (!out) throw new CliInputError("--out is required");
  const json = f.json === true;
  const emit = emitter(json);
  const data = await readData(dataFile);
  checkColumns(formula, columnNames(data));
  const options: Record<string, unknown> = {
    ...parseSets(f),
    formula,
    ...(str(f, "family") ? { family: str(f, "family") } : {}),
    ...(list(f, "prior").length ? { priors: list(f, "prior").map(parsePrior) } : {}),
  };
  for (const k of ["chains", "iter", "warmup", "thin", "cores", "seed"]) {
    const v = int(f, k);
    if (v !== undefined) options[k] = v;
  }
  for (const k of ["backend", "algorithm"]) if (str(f, k)) options[k] = str(f, k);
  const dir = prepareOut(out, f.force === true);
  const nats = str(f, "nats");
  if (nats) {
    const { connectCluster } = await import("../cluster/client.ts");
    const cluster = await connectCluster(natsOptions(f, nats));
    try {
      const job = await cluster.submit({ ...options, data } as never);
      emit({ event: "submitted", job: job.id });
      for await (const e of job.events()) {
        if (e.type === "progress") {
          const p = e.progress as Record<string, unknown>;
          if (p.kind === "phase") ctx.phase = p.phase as string;
          emit({ event: "progress", job: job.id, attempt: e.attempt, ...p });
          if (!json && process.stderr.isTTY && p.kind === "sampling") {
            process.stderr.write(`\rchain ${p.chain}: ${Math.round(p.percent as number)}%   `);
          }
        } else emit({ event: e.type, job: job.id, worker: e.worker, attempt: e.attempt });
      }
      const r = await job.result();
      await writeResults(dir, r.idata, r.summary, (p) => Promise.resolve(writeFileSync(p, r.rds)));
    } finally {
      await cluster.close();
    }
  } else {
    const { brm, saveRds, summarizeDraws, shutdown } = await import("../mod.ts");
    try {
      const fit = await brm({
        ...options,
        formula,
        data,
        ...(json ? { progress: false } : {}),
        onProgress: (p) => {
          if (p.kind === "phase") ctx.phase = p.phase;
          emit({ event: "progress", ...p });
        },
      });
      ctx.phase = "store";
      await writeResults(dir, fit.idata, summarizeDraws(fit.idata), (p) => saveRds(fit, p));
    } finally {
      await shutdown();
    }
  }
  emit({ event: "done", out: dir });
  if (!json) {
    process.stderr.write(`\nwrote ${dir}: idata.zarr, posterior.arrow, summary.json, fit.rds\n`);
  }
}

function fitDir(f: Flags): string {
  const d = str(f, "fit");
  if (!d) throw new CliInputError("--fit is required (the --out directory of `brmsts fit`)");
  if (!existsSync(join(d, "idata.zarr"))) {
    throw new CliInputError(`${d} has no idata.zarr: not the output of \`brmsts fit\``);
  }
  return d;
}

function printTable(rows: Record<string, unknown>[]): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]);
  const cell = (v: unknown) =>
    typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : String(v);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) =>
    vals.map((v, i) => (i === 0 ? v.padEnd(width[i]) : v.padStart(width[i]))).join("  ");
  process.stdout.write(line(cols) + "\n");
  for (const r of rows) process.stdout.write(line(cols.map((c) => cell(r[c]))) + "\n");
}

/** `brmsts summary` (no R: from the saved InferenceData). */
export async function summaryCommand(f: Flags): Promise<void> {
  const dir = fitDir(f);
  const [{ fromZarr }, { summarizeDraws }] = await Promise.all([
    import("../idata/mod.ts"),
    import("../stats/mod.ts"),
  ]);
  const probs = str(f, "probs")?.split(",").map(Number);
  const rows = summarizeDraws(fromZarr(join(dir, "idata.zarr")), probs ? { probs } : {});
  if (f.json === true) process.stdout.write(JSON.stringify(rows) + "\n");
  else printTable(rows as unknown as Record<string, unknown>[]);
}

/** `brmsts loo` (no R: PSIS-LOO from the saved log-likelihood). */
export async function looCommand(f: Flags): Promise<void> {
  const dir = fitDir(f);
  const [{ fromZarr }, { loo: psisLoo }] = await Promise.all([
    import("../idata/mod.ts"),
    import("../stats/mod.ts"),
  ]);
  const idata = fromZarr(join(dir, "idata.zarr"));
  if (!idata.groups().includes("log_likelihood")) {
    throw new CliInputError(`${dir}: the fit has no log_likelihood group`);
  }
  const l = psisLoo(idata);
  const k = l.diagnostics.pareto_k;
  const res = {
    elpd_loo: l.elpd_loo,
    se_elpd_loo: l.se_elpd_loo,
    p_loo: l.p_loo,
    se_p_loo: l.se_p_loo,
    looic: l.looic,
    se_looic: l.se_looic,
    pareto_k_over_0_7: k.filter((x) => x > 0.7).length,
    n: k.length,
  };
  if (f.json === true) process.stdout.write(JSON.stringify(res) + "\n");
  else printTable([res]);
}

/** `brmsts predict` (R: brms's posterior_predict / epred / linpred on the saved brmsfit). */
export async function predictCommand(f: Flags, ctx: FailureContext): Promise<void> {
  const dir = str(f, "fit");
  if (!dir) throw new CliInputError("--fit is required (the --out directory of `brmsts fit`)");
  const rds = join(dir, "fit.rds");
  if (!existsSync(rds)) throw new CliInputError(`${dir} has no fit.rds`);
  const out = str(f, "out");
  if (!out) throw new CliInputError("--out is required (an .arrow file)");
  const kind = str(f, "kind") ?? "predict";
  if (!["predict", "epred", "linpred"].includes(kind)) {
    throw new CliInputError(`--kind must be predict, epred or linpred, got "${kind}"`);
  }
  const newdata = str(f, "newdata") ? await readData(str(f, "newdata")!) : undefined;
  const m = await import("../mod.ts");
  const { toArrowIPC } = await import("../idata/mod.ts");
  try {
    ctx.phase = "prepare";
    const fit = await m.readRdsFit(rds, { idataGroups: [] as never });
    const fn = kind === "predict"
      ? m.posteriorPredict
      : kind === "epred"
      ? m.posteriorEpred
      : m.posteriorLinpred;
    const opts: Record<string, unknown> = {};
    if (newdata) opts.newdata = newdata;
    const nd = int(f, "ndraws"), seed = int(f, "seed");
    if (nd !== undefined) opts.ndraws = nd;
    if (seed !== undefined) opts.seed = seed;
    const res = await fn(fit.r, opts);
    const group = res.idata.groups()[0];
    writeFileSync(out, await toArrowIPC(res.idata, group));
    if (f.json === true) process.stdout.write(JSON.stringify({ event: "done", out, group }) + "\n");
    else process.stderr.write(`wrote ${out} (${group})\n`);
  } finally {
    await m.shutdown();
  }
}

/** `brmsts status`: the local R (and, with --nats, the cluster's queue). */
export async function statusCommand(f: Flags): Promise<void> {
  const out: Record<string, unknown> = {};
  const nats = str(f, "nats");
  if (nats) {
    const { connectCluster } = await import("../cluster/client.ts");
    const c = await connectCluster(natsOptions(f, nats));
    try {
      out.cluster = await c.queueStatus();
    } finally {
      await c.close();
    }
  }
  if (f["no-local"] !== true) {
    const m = await import("../mod.ts");
    try {
      out.local = await m.status();
    } finally {
      await m.shutdown();
    }
  }
  if (f.json === true) process.stdout.write(JSON.stringify(out) + "\n");
  else process.stdout.write(JSON.stringify(out, null, 2) + "\n");
}

/** `brmsts export-scorer` (R: reads DIR/fit.rds, writes a scorer artifact for brmsts/score). */
export async function exportScorerCommand(f: Flags, ctx: FailureContext): Promise<void> {
  const dir = str(f, "fit");
  if (!dir) throw new CliInputError("--fit is required (the --out directory of `brmsts fit`)");
  const rds = join(dir, "fit.rds");
  if (!existsSync(rds)) throw new CliInputError(`${dir} has no fit.rds`);
  const out = str(f, "out");
  if (!out) throw new CliInputError("--out is required (the scorer file to write)");
  const m = await import("../mod.ts");
  try {
    ctx.phase = "prepare";
    const fit = await m.readRdsFit(rds, { idataGroups: [] as never });
    const bytes = await m.exportScorer(fit.r, { ndraws: int(f, "ndraws"), thin: int(f, "thin") });
    writeFileSync(out, bytes);
    if (f.json === true) {
      process.stdout.write(JSON.stringify({ event: "done", out, bytes: bytes.length }) + "\n");
    } else process.stderr.write(`wrote ${out} (${bytes.length} bytes)\n`);
  } finally {
    await m.shutdown();
  }
}

/**
 * `brmsts explore PATH | NAME=PATH ...`: serves the explorer, prints its URL (token included)
 * on stdout, and serves until SIGINT/SIGTERM. Binds 127.0.0.1 unless `--host` is given.
 */
export async function exploreCommand(f: Flags): Promise<void> {
  const paths = (f._ as string[] | undefined) ?? [];
  if (paths.length === 0) {
    throw new CliInputError("give a fit directory, an idata.zarr store or a fit.rds to explore");
  }
  const port = int(f, "port") ?? 0;
  const named = paths.every((p) => /^[A-Za-z0-9_.-]+=/.test(p)) && paths.length > 1;
  const input = named
    ? Object.fromEntries(
      paths.map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]),
    )
    : paths.length === 1
    ? paths[0]
    : Object.fromEntries(paths.map((p, i) => [`fit${i + 1}`, p]));
  for (const p of Object.values(typeof input === "string" ? { p: input } : input)) {
    if (!existsSync(p)) throw new CliInputError(`${p} does not exist`);
  }
  const { explore } = await import("../explore/mod.ts");
  const ex = await explore(input, { host: str(f, "host") ?? "127.0.0.1", port });
  // The handlers are in place before the URL is printed: whoever reads it may stop us at once.
  const stopped = new Promise<void>((res) => {
    const deno = (globalThis as { Deno?: { addSignalListener(s: string, f: () => void): void } })
      .Deno;
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      if (deno) deno.addSignalListener(sig, () => res());
      else process.once(sig, () => res());
    }
  });
  process.stdout.write(ex.url + "\n");
  await stopped;
  await ex.close();
}

/** `brmsts worker`'s policy, limit and signing flags (issue 27). */
