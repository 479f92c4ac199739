/**
 * The R worker process: `deno run -A worker/host/serve.ts` or `bun worker/host/serve.ts`, spawned by the
 * client. It initialises R on its own main thread and serves requests synchronously.
 *
 * File descriptors: requests (JSON lines) arrive on the `req` FIFO of the channel directory
 * the client names in `BRMSTS_CHANNEL`, and events leave on its `resp` FIFO; both are
 * close-on-exec and private to this process. fds 1 and 2 are pointed at a pipe that the
 * watcher thread forwards as log events, so nothing R or its child processes print can corrupt
 * the protocol.
 *
 * @module
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import process from "node:process";
import {
  cstr,
  F_GETFL,
  F_SETFD,
  F_SETFL,
  FD_CLOEXEC,
  loadLibC,
  O_CLOEXEC,
  O_NONBLOCK,
  O_RDONLY,
  O_WRONLY,
  runtimeName,
  SIGBUS,
  SIGKILL,
  SIGSEGV,
} from "../../native/mod.ts";
import {
  ABORTED,
  CURRENT,
  INTERRUPTED,
  LineReader,
  LockedWriter,
  orphanCleanup,
} from "./_channel.ts";
import type { WatcherInit } from "./_watcher.ts";
import { Session } from "./session.ts";
import { ShmWorker } from "./shared_memory.ts";
import { type Event, EventKind, FailureKind, type Request, RequestKind } from "../wire/protocol.ts";
import type { BufDesc } from "../wire/format.ts";
import { BrmstsSystemError } from "../../errors.ts";

const libc = await loadLibC();
const f = libc.fns;
// Its own process group, so that whatever R starts (compilers, forked chains, system() jobs)
// ends with the worker: the watcher and the client kill the group when the worker goes.
f.setpgid(0, 0);
const ctl = new Int32Array(new SharedArrayBuffer(16));
if (runtimeName() === "deno") {
  // Deno's V8 installs a WebAssembly trap handler on SIGSEGV and SIGBUS. For a signal that is
  // not a fault in WebAssembly code it uninstalls itself and returns: a real fault runs again
  // and kills, but a signal sent with kill() (nothing to run again) was swallowed once, so the
  // first `kill -SEGV` left the worker alive. The worker runs no WebAssembly: default action.
  f.signal(SIGSEGV, null);
  f.signal(SIGBUS, null);
}

const channel = process.env.BRMSTS_CHANNEL;
if (!channel) {
  console.error("worker/host/serve.ts is started by the brmsts client (BRMSTS_CHANNEL is not set)");
  process.exit(2);
}
// Opened non-blocking, so a client that died before we got here cannot leave us waiting in
// open(): `resp` then fails (no reader) and `req` reads end-of-file (no writer).
const openEnd = (name: string, flags: number) => {
  const fd = f.open(cstr(`${channel}/${name}`), flags | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0) {
    console.error(`cannot open the channel ${channel}/${name}: ${libc.lastError()}`);
    rmSync(channel, { recursive: true, force: true });
    orphanCleanup(f.getpid()); // the client died before we got here: nobody else will
    process.exit(2);
  }
  f.fcntl(fd, F_SETFL, f.fcntl(fd, F_GETFL, 0) & ~O_NONBLOCK);
  return fd;
};
const outFd = openEnd("resp", O_WRONLY);
const inFd = openEnd("req", O_RDONLY);
const out = new LockedWriter(libc, outFd, ctl);
rmSync(channel, { recursive: true, force: true }); // both ends are open: the names can go

const fds = new Int32Array(2);
if (f.pipe(fds) !== 0) throw new BrmstsSystemError(`pipe() failed: ${libc.lastError()}`);
const [rawR, rawW] = fds;
f.fcntl(rawR, F_SETFD, FD_CLOEXEC);
f.dup2(rawW, 1);
f.dup2(rawW, 2);
f.close(rawW);

if (!/utf-?8/i.test(process.env.LC_ALL ?? process.env.LANG ?? "")) {
  libc.setenv("LC_ALL", "C.UTF-8");
}

// Console output, line-buffered per stream so progress lines arrive whole and live.
const partial = { stdout: "", stderr: "" };
/** Sends what is left of partial lines; false when the client is gone. */
function flushConsole(): boolean {
  let ok = true;
  for (const stream of ["stdout", "stderr"] as const) {
    if (partial[stream]) {
      ok = out.send({
        kind: EventKind.Log,
        stream,
        text: partial[stream],
        id: Atomics.load(ctl, CURRENT),
      }) && ok;
      partial[stream] = "";
    }
  }
  return ok;
}
function sink(text: string, which: 0 | 1): void {
  const stream = which === 0 ? "stdout" : "stderr";
  const all = partial[stream] + text;
  const nl = all.lastIndexOf("\n");
  if (nl < 0) {
    partial[stream] = all;
    return;
  }
  partial[stream] = all.slice(nl + 1);
  out.send({
    kind: EventKind.Log,
    stream,
    text: all.slice(0, nl + 1),
    id: Atomics.load(ctl, CURRENT),
  });
}

// The watcher thread boots before R initialises, not while: R's start-up rewrites the process
// environment (setenv of R_HOME, Renviron's variables, R_SESSION_TMPDIR), and a thread whose
// runtime is booting reads it (getenv, which takes no lock) and loads its libraries at the
// same time. It gets its start-up data once R is up.
const watcher = new Worker(new URL("./_watcher.ts", import.meta.url).href, { type: "module" });
let fromWatcher: (m: unknown) => void = () => {};
watcher.onmessage = (e: MessageEvent) => fromWatcher(e.data);
const nextFromWatcher = () => new Promise((res) => fromWatcher = res);
await nextFromWatcher(); // "booted"

const shm = new ShmWorker(libc, `/brmsts-w${f.getpid()}-`);
let session: Session;
try {
  session = new Session(libc, process.env, sink, () => Atomics.load(ctl, INTERRUPTED) === 1, shm);
} catch (e) {
  const err = e as Error;
  out.send({ kind: EventKind.Fatal, name: err.name, message: err.message });
  process.exit(3);
}
const r = session.r;
const tempDir = r.tempDir();
const fifoPath = `${tempDir}/brmsts-abort.fifo`;
if (f.mkfifo(cstr(fifoPath), 0o600) !== 0) {
  out.send({ kind: EventKind.Fatal, name: "Error", message: `mkfifo failed: ${libc.lastError()}` });
  process.exit(3);
}

const init: WatcherInit = {
  ctl: ctl.buffer as SharedArrayBuffer,
  outFd,
  rawFd: rawR,
  hupFd: inFd,
  fifoPath,
  interruptAddr: r.interruptFlagAddress().toString(),
  tempDir,
  orphanGraceMs: Number(process.env.BRMSTS_ORPHAN_GRACE_MS ?? 5000),
};
const watcherReady = nextFromWatcher();
watcher.postMessage(init);
await watcherReady;

const pid = f.getpid();
// Every send reports whether the client still reads the channel; when it does not (it died),
// the serve loop ends and the clean-up at the bottom runs.
let connected = out.send({
  kind: EventKind.Ready,
  info: {
    pid,
    runtime: runtimeName(),
    rVersion: session.rVersion(),
    rHome: r.rhome.home,
    tempDir,
    abortFifo: fifoPath,
    shmPrefix: `/brmsts-w${pid}-`,
  },
});

// After each reply the host stays awake for a moment (BRMSTS_SPIN_US, default 200 µs; 0 turns
// it off) in case the next request follows at once.
const reader = new LineReader(libc, inFd, Number(process.env.BRMSTS_SPIN_US ?? 200) / 1000);
// The first time nothing has arrived for a while (BRMSTS_COMPILE_IDLE_MS, default 50), the
// worker byte-compiles its trap (~100 ms): off the path of the start-up and of the first calls.
const compileIdleMs = Number(process.env.BRMSTS_COMPILE_IDLE_MS ?? 50);
let compiled = false;
let orphaned = false; // the client went away without asking us to shut down
while (connected) {
  if (!compiled && reader.idle(compileIdleMs)) {
    session.compileTrap();
    compiled = true;
  }
  const line = reader.next();
  if (line === null) {
    orphaned = true;
    break;
  }
  if (!line.trim()) continue;
  let req = JSON.parse(line) as Request & { line?: BufDesc };
  if (req.line) {
    // A long request travels in the main process's shared memory (see ShmMain.wrapLine).
    try {
      req = JSON.parse(shm.line(req.line));
    } catch (e) {
      connected = out.send(
        failure(req.id, `the request could not be read: ${(e as Error).message}`),
      );
      continue;
    }
  }
  if (req.kind === RequestKind.Shutdown) break;
  r.setInterruptPending(false);
  Atomics.store(ctl, INTERRUPTED, 0);
  Atomics.store(ctl, CURRENT, req.id);
  // Aborted while it waited in the channel (the watcher records the id before it checks
  // CURRENT, and this checks after setting CURRENT, so one of the two always sees the other).
  if (Atomics.load(ctl, ABORTED) === req.id) {
    Atomics.store(ctl, INTERRUPTED, 1);
    r.setInterruptPending(true);
  }
  let ev: Event | null;
  try {
    shm.begin(req as Parameters<ShmWorker["begin"]>[0]);
    ev = session.handle(req);
    if (ev?.kind === EventKind.Result) {
      const drop = shm.takeDropped();
      if (drop.length) ev.drop = drop;
    }
  } catch (e) {
    ev = failure(req.id, (e as Error).message);
  }
  connected = flushConsole(); // still tagged with the request's id
  Atomics.store(ctl, CURRENT, 0);
  if (ev) connected = out.send(ev) && connected;
}
if (!flushConsole() || !connected) orphaned = true;
shm.close();
r.cleanup();
endGroup();
if (orphaned) orphanCleanup(pid);
process.exit(0);

/** A conversion failure event for request `id`. */
function failure(id: number, message: string): Event {
  return {
    kind: EventKind.Error,
    id,
    failure: FailureKind.Conversion,
    message,
    rCall: null,
    rTraceback: [],
    warnings: [],
    messages: [],
  };
}

/**
 * Kills what R started and left running in this worker's process group (a compiler R was
 * waiting for when it was interrupted, background jobs), so that nothing outlives the worker.
 */
function endGroup(): void {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return; // no procfs: the client kills the group once this process is gone
  }
  for (const name of names) {
    const p = Number(name);
    if (!p || p === pid) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      // Fields after the command's closing parenthesis: state, ppid, pgrp, …
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (pgrp === pid) f.kill(p, SIGKILL);
    } catch { /* gone meanwhile */ }
  }
}
