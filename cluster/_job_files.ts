// A cluster job's local files and small helpers of the worker: its options revived from JSON,
// its temporary directory (and the sweep of dead workers' ones), bounded waits.
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fromJSON } from "../formula/mod.ts";
import { deadOwnerTmpEntries } from "../native/process.ts";

/** A job's options with the formula, family and prior trees revived from JSON. */
export function reviveOptions(opts: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...opts };
  const revive = (v: unknown): unknown =>
    v && typeof v === "object" && !Array.isArray(v) && "kind" in v ? fromJSON(v) : v;
  for (const k of ["formula", "family"]) if (out[k] !== undefined) out[k] = revive(out[k]);
  for (const k of ["priors", "prior"]) {
    const v = out[k];
    if (Array.isArray(v)) out[k] = v.map(revive);
    else if (v !== undefined) out[k] = revive(v);
  }
  return out;
}

/** Job directories are `<tmpdir>/brmsts-job-<worker pid>-XXXXXX`. */
export const JOB_DIR_PREFIX = "brmsts-job-";

/**
 * Removes the job directories of cluster workers that are gone (killed mid-job: a SIGKILL leaves
 * no chance to clean up): at start, at stop and before each job, every worker tidies up after
 * its dead peers on this machine.
 */
export function sweepJobDirs(): void {
  for (const dir of deadOwnerTmpEntries(JOB_DIR_PREFIX)) {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `p`, or `fallback` once `ms` have passed (calling `onTimeout`). */
export function bounded<T, F>(
  p: Promise<T>,
  ms: number,
  fallback: F,
  onTimeout?: () => void,
): Promise<T | F> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<F>((res) => {
    timer = setTimeout(() => {
      onTimeout?.();
      res(fallback);
    }, ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}
