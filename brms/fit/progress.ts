/**
 * Progress of a `brm()` call: the phases (prepare, compile, sample, extract), rstan's sampling
 * lines parsed from the console stream, and a one-line progress bar on stderr.
 *
 * rstan prints `Chain 1: Iteration:  200 / 1000 [ 20%]  (Warmup)` through R's console with
 * `cores = 1` (`stdout` log events) and from forked child processes with `cores > 1` (`raw` log
 * events, in chunks that may split lines): {@link ProgressTracker.feed} buffers per stream.
 *
 * @module
 */
import process from "node:process";

/**
 * The phases of a `brm()` call, in order.
 *
 * @example
 * ```ts
 * import type { FitPhase } from "./progress.ts";
 * const slow: FitPhase[] = ["compile", "sample"];
 * ```
 */
export type FitPhase = "prepare" | "compile" | "load" | "sample" | "extract" | "done";

/**
 * A progress event of `brm()`: a phase change (with the elapsed time of the call), or the
 * state of the sampler after a parsed console line.
 *
 * @example
 * ```ts
 * import type { ProgressEvent } from "./progress.ts";
 * const show = (e: ProgressEvent) =>
 *   e.kind === "sampling" ? `chain ${e.chain}: ${e.percent}%` : `${e.phase} ${e.elapsedMs} ms`;
 * ```
 */
export type ProgressEvent = PhaseEvent | SamplingEvent;

/**
 * A phase of `brm()` started (or, for `done`, the call finished). `compile` repeats about every
 * second while the Stan model compiles, with the compile's own elapsed time in `phaseMs`.
 *
 * @example
 * ```ts
 * import type { PhaseEvent } from "./progress.ts";
 * const e: PhaseEvent = { kind: "phase", phase: "compile", elapsedMs: 1200, phaseMs: 1000 };
 * ```
 */
export interface PhaseEvent {
  /** A phase started. */
  kind: "phase";
  /** The phase that started. */
  phase: FitPhase;
  /** Milliseconds since `brm()` was called. */
  elapsedMs: number;
  /** Milliseconds since this phase started. */
  phaseMs: number;
  /**
   * Extra information: `"waiting for another process"` while compiling, the group being
   * extracted.
   */
  detail?: string;
}

/**
 * The sampler's state after a progress line of one chain.
 *
 * @example
 * ```ts
 * import type { SamplingEvent } from "./progress.ts";
 * const e: SamplingEvent = {
 *   kind: "sampling", chain: 1, chains: 4, iteration: 200, iterations: 1000, percent: 20,
 *   stage: "warmup", overallPercent: 5, elapsedMs: 800,
 * };
 * ```
 */
export interface SamplingEvent {
  /** Sampling progress of one chain. */
  kind: "sampling";
  /** The chain this line is about (1-based, as rstan numbers them). */
  chain: number;
  /** Number of chains of the fit. */
  chains: number;
  /** Iteration reached by this chain (warmup included). */
  iteration: number;
  /** Iterations per chain (warmup included). */
  iterations: number;
  /** This chain's progress, 0–100. */
  percent: number;
  /** `warmup` or `sampling`; `done` once rstan reported the chain's elapsed time. */
  stage: "warmup" | "sampling" | "done";
  /** Progress over all chains, 0–100. */
  overallPercent: number;
  /** Milliseconds since `brm()` was called. */
  elapsedMs: number;
}

const ITER_RE =
  /(?:^|Chain )(\d+):\s+Iteration:\s*(\d+)\s*\/\s*(\d+)\s*\[\s*(\d+)%\]\s*\((Warmup|Sampling)\)/;
const NOTABLE = /warn|error|exception|reject|fail|diverg|not done/i;
/** brms's own message from brmsts's compile-only step (chains = 0): not worth showing. */
const INTERNAL = /number of chains is less than 1; sampling not done/;
const LABEL: Record<FitPhase, string> = {
  prepare: "Preparing model",
  compile: "Compiling Stan model",
  load: "Loading compiled model",
  sample: "Sampling",
  extract: "Extracting draws",
  done: "Done",
};
const DONE_RE = /(?:^|Chain )(\d+):\s+[\d.e+-]+ seconds \(Total\)/;

/**
 * Parses one console line of rstan; `null` for anything else.
 *
 * @example
 * ```ts
 * import { parseProgressLine } from "./progress.ts";
 * parseProgressLine("Chain 2: Iteration:  200 / 1000 [ 20%]  (Warmup)");
 * // { chain: 2, iteration: 200, iterations: 1000, percent: 20, stage: "warmup" }
 * ```
 */
export function parseProgressLine(
  line: string,
): {
  chain: number;
  iteration: number;
  iterations: number;
  percent: number;
  stage: SamplingEvent["stage"];
} | null {
  const m = ITER_RE.exec(line);
  if (m) {
    return {
      chain: Number(m[1]),
      iteration: Number(m[2]),
      iterations: Number(m[3]),
      percent: Number(m[4]),
      stage: m[5] === "Warmup" ? "warmup" : "sampling",
    };
  }
  const d = DONE_RE.exec(line);
  if (d) return { chain: Number(d[1]), iteration: -1, iterations: -1, percent: 100, stage: "done" };
  return null;
}

/**
 * Options of {@link ProgressTracker}.
 *
 * @example
 * ```ts
 * import type { TrackerOptions } from "./progress.ts";
 * const opts: TrackerOptions = { chains: 4, bar: false, onProgress: (e) => console.log(e) };
 * ```
 */
export interface TrackerOptions {
  /** Receives every event. */
  onProgress?: (e: ProgressEvent) => void;
  /** Draw a bar on stderr (default: when stderr is a TTY and `onProgress` is not given). */
  bar?: boolean;
  /** Where non-progress console text goes while the bar is shown (default: stderr). */
  echo?: (text: string) => void;
  /**
   * Structured progress lines instead of a bar (for a stderr that is not a terminal): one line
   * per phase change and per chain every 10% of sampling, written with `write`.
   */
  lines?: boolean;
  /** Where the structured lines go (default: stderr). */
  write?: (text: string) => void;
  /** Number of chains. */
  chains: number;
}

/**
 * Follows one `brm()` call: emits phase and sampling events, keeps the console log of the
 * call, and draws the bar. `feed()` takes the worker's log events.
 *
 * @example
 * ```ts
 * import { ProgressTracker } from "./progress.ts";
 * const t = new ProgressTracker({ chains: 1, bar: false, onProgress: (e) => console.log(e) });
 * t.phase("sample");
 * t.feed("stdout", "Chain 1: Iteration: 1 / 10 [ 10%]  (Warmup)\n");
 * t.finish();
 * ```
 */
export class ProgressTracker {
  readonly #opts: TrackerOptions;
  readonly #t0 = performance.now();
  #phase: FitPhase = "prepare";
  #phaseT0 = performance.now();
  #detail?: string;
  readonly #partial = new Map<string, string>();
  readonly #chains = new Map<
    number,
    { percent: number; stage: SamplingEvent["stage"]; iteration: number; iterations: number }
  >();
  #ticker?: ReturnType<typeof setInterval>;
  #barShown = false;
  /** Per chain, the last tenth of sampling reported in lines mode. */
  readonly #reported = new Map<number, number>();
  /** Console text of the call (all streams), for error reports. */
  readonly log: string[] = [];

  constructor(opts: TrackerOptions) {
    this.#opts = opts;
  }

  /** Whether the bar is drawn. */
  get barActive(): boolean {
    return this.#opts.bar === true;
  }

  /** Milliseconds since the call started. */
  get elapsedMs(): number {
    return performance.now() - this.#t0;
  }

  /** Starts a phase (emits an event; `compile` keeps emitting about once a second). */
  phase(phase: FitPhase, detail?: string): void {
    this.#phase = phase;
    this.#phaseT0 = performance.now();
    this.#detail = detail;
    clearInterval(this.#ticker);
    this.#ticker = undefined;
    this.#emitPhase();
    if (this.#opts.lines) {
      const secs = (this.elapsedMs / 1000).toFixed(1);
      this.#write(
        phase === "done"
          ? `brm: done in ${secs}s`
          : `brm: ${LABEL[phase].toLowerCase()}${detail ? ` (${detail})` : ""} at ${secs}s`,
      );
    }
    if (phase === "compile") {
      this.#ticker = setInterval(() => this.#emitPhase(), this.#opts.bar ? 250 : 1000);
      // Never keep the process alive for a progress tick.
      (this.#ticker as { unref?: () => void }).unref?.();
    }
  }

  #emitPhase(): void {
    const now = performance.now();
    this.#emit({
      kind: "phase",
      phase: this.#phase,
      elapsedMs: now - this.#t0,
      phaseMs: now - this.#phaseT0,
      ...(this.#detail ? { detail: this.#detail } : {}),
    });
  }

  /** Takes console text of the worker; complete lines are parsed, the rest buffered. */
  feed(stream: string, text: string): void {
    const all = (this.#partial.get(stream) ?? "") + text;
    const nl = all.lastIndexOf("\n");
    if (nl < 0) {
      this.#partial.set(stream, all);
      return;
    }
    this.#partial.set(stream, all.slice(nl + 1));
    for (const line of all.slice(0, nl).split("\n")) this.#line(line);
  }

  #line(line: string): void {
    this.log.push(line);
    if (this.log.length > 2000) this.log.splice(0, this.log.length - 1000);
    const p = parseProgressLine(line);
    if (!p) {
      // With the bar, only what may need attention is shown (rstan's chatter and the
      // compiler's warnings stay in the log).
      if (
        (this.#opts.bar || this.#opts.lines) && this.#phase !== "compile" && NOTABLE.test(line) &&
        !INTERNAL.test(line)
      ) this.#echo(line);
      return;
    }
    const prev = this.#chains.get(p.chain);
    const iterations = p.iterations > 0 ? p.iterations : prev?.iterations ?? 0;
    const iteration = p.stage === "done" ? iterations : p.iteration;
    this.#chains.set(p.chain, { percent: p.percent, stage: p.stage, iteration, iterations });
    const chains = Math.max(this.#opts.chains, this.#chains.size, 1);
    let sum = 0;
    for (const c of this.#chains.values()) sum += c.percent;
    const ev: SamplingEvent = {
      kind: "sampling",
      chain: p.chain,
      chains,
      iteration,
      iterations,
      percent: p.percent,
      stage: p.stage,
      overallPercent: Math.min(100, Math.round((sum / chains) * 10) / 10),
      elapsedMs: performance.now() - this.#t0,
    };
    this.#emit(ev);
    if (this.#opts.lines) {
      const tenth = Math.floor(p.percent / 10);
      if (tenth > (this.#reported.get(p.chain) ?? -1) && (tenth > 0 || p.stage === "done")) {
        this.#reported.set(p.chain, tenth);
        this.#write(
          `brm: chain ${p.chain}/${chains} ${p.percent}% ${p.stage} at ${
            (ev.elapsedMs / 1000).toFixed(1)
          }s`,
        );
      }
    }
  }

  #write(line: string): void {
    const write = this.#opts.write ?? ((t: string) => process.stderr.write(t));
    write(line + "\n");
  }

  #emit(e: ProgressEvent): void {
    try {
      this.#opts.onProgress?.(e);
    } catch { /* a listener's error must not break the fit */ }
    if (this.#opts.bar) this.#draw();
  }

  #echo(text: string): void {
    const echo = this.#opts.echo ?? ((t: string) => process.stderr.write(t));
    this.#clear();
    echo(text + "\n");
    if (this.#opts.bar) this.#draw();
  }

  #clear(): void {
    if (this.#barShown) process.stderr.write("\r\x1b[2K");
    this.#barShown = false;
  }

  #draw(): void {
    const secs = ((performance.now() - this.#t0) / 1000).toFixed(1);
    let text: string;
    if (this.#phase === "sample" && this.#chains.size > 0) {
      const chains = Math.max(this.#opts.chains, this.#chains.size, 1);
      let sum = 0;
      for (const c of this.#chains.values()) sum += c.percent;
      const pct = sum / chains;
      const width = 24;
      const fill = Math.round((pct / 100) * width);
      const per = [...this.#chains.entries()].sort((a, b) => a[0] - b[0]).map(([k, c]) =>
        `c${k} ${String(c.percent).padStart(3)}%${
          c.stage === "warmup" ? " W" : c.stage === "done" ? " ✓" : " S"
        }`
      ).join("  ");
      text = `Sampling [${"#".repeat(fill)}${"-".repeat(width - fill)}] ${
        pct.toFixed(0).padStart(3)
      }%  ${per}  ${secs}s`;
    } else {
      const label = LABEL;
      const phaseSecs = ((performance.now() - this.#phaseT0) / 1000).toFixed(1);
      text = `${label[this.#phase]}${this.#detail ? ` (${this.#detail})` : ""} … ${phaseSecs}s`;
    }
    const cols = (process.stderr as { columns?: number }).columns ?? 100;
    if (text.length > cols - 1) text = text.slice(0, cols - 1);
    process.stderr.write(`\r\x1b[2K${text}`);
    this.#barShown = true;
  }

  /** Flushes buffered partial lines, stops the ticker and removes the bar. */
  finish(): void {
    for (const [stream, rest] of this.#partial) {
      if (rest) {
        this.#partial.set(stream, "");
        this.#line(rest);
      }
    }
    clearInterval(this.#ticker);
    this.#ticker = undefined;
    if (this.#opts.bar) this.#clear();
  }
}

/**
 * Whether a progress bar is drawn by default: stderr is a TTY and `NO_COLOR`/`CI` do not ask
 * otherwise.
 *
 * @example
 * ```ts
 * import { defaultBar } from "./progress.ts";
 * const bar = defaultBar(); // false when stderr is a pipe or a file
 * ```
 */
export function defaultBar(): boolean {
  return process.stderr.isTTY === true && !process.env.CI;
}
