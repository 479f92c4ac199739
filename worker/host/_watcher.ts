/**
 * The worker's watcher thread (a Web Worker inside the worker process). It never touches R's
 * API; it only:
 * - forwards the raw output written to the worker's fd 1/2 (R's child processes: rstan chains
 *   with cores > 1, the compiler) as log events;
 * - reads abort requests from a FIFO and sets `R_interrupts_pending` when they name the
 *   running request;
 * - notices the parent's death (the request channel hangs up) while R is busy, interrupts R,
 *   and ends the process after a grace period, removing R's temp dir.
 *
 * @module
 */
import { rmSync } from "node:fs";
import { cstr, loadLibC, O_RDWR, POLLHUP, POLLIN, SIGKILL } from "../../native/mod.ts";
import { ABORTED, CURRENT, INTERRUPTED, LockedWriter, orphanCleanup } from "./_channel.ts";
import { EventKind } from "../wire/protocol.ts";

/** Start-up data posted by the host. */
export interface WatcherInit {
  ctl: SharedArrayBuffer;
  outFd: number;
  rawFd: number;
  /** The read end of the request channel: it hangs up when the parent dies. */
  hupFd: number;
  fifoPath: string;
  interruptAddr: string;
  tempDir: string;
  /** ms the host gets to exit after the parent died before the watcher ends the process. */
  orphanGraceMs: number;
}

// deno-lint-ignore no-explicit-any
const self_ = globalThis as any;
const libcLoaded = loadLibC();
// The host initialises R once this thread has booted (see serve.ts).
const booted = () => self_.postMessage("booted");
libcLoaded.then(booted, booted); // a failed load surfaces below, when the data arrives
self_.onmessage = async (e: MessageEvent<WatcherInit>) => {
  self_.onmessage = null;
  const init = e.data;
  const libc = await libcLoaded;
  const ctl = new Int32Array(init.ctl);
  const out = new LockedWriter(libc, init.outFd, ctl);
  const flag = new Int32Array(
    libc.native.view(libc.native.fromValue(BigInt(init.interruptAddr)), 4),
  );
  const fifo = libc.fns.open(cstr(init.fifoPath), O_RDWR, 0);
  const fds = new Uint8Array(24);
  const dv = new DataView(fds.buffer);
  const set = (i: number, fd: number, events: number) => {
    dv.setInt32(i * 8, fd, true);
    dv.setInt16(i * 8 + 4, events, true);
    dv.setInt16(i * 8 + 6, 0, true);
  };
  set(0, init.rawFd, POLLIN);
  set(1, fifo, POLLIN);
  set(2, init.hupFd, 0); // the request channel: only hang-up matters
  let nfds = 3;
  let orphanSince = 0;
  const buf = new Uint8Array(1 << 16);
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true }); // U+FEFF in R output is text
  self_.postMessage("ready");
  for (;;) {
    const n = libc.fns.poll(fds, BigInt(nfds), orphanSince ? 100 : -1);
    if (orphanSince && Date.now() - orphanSince > init.orphanGraceMs) {
      try {
        rmSync(init.tempDir, { recursive: true, force: true });
        orphanCleanup(libc.fns.getpid());
      } finally {
        libc.fns.kill(-libc.fns.getpid(), SIGKILL); // the worker's group: R's children and us
        libc.fns._exit(1);
      }
    }
    if (n <= 0) continue;
    if (dv.getInt16(6, true) & POLLIN) {
      const k = Number(libc.fns.read(init.rawFd, buf, BigInt(buf.length)));
      if (k > 0) {
        out.send({
          kind: EventKind.Log,
          stream: "raw",
          text: decoder.decode(buf.subarray(0, k), { stream: true }),
        });
      }
    }
    if (dv.getInt16(14, true) & POLLIN) {
      const k = Number(libc.fns.read(fifo, buf, BigInt(buf.length)));
      for (const line of decoder.decode(buf.subarray(0, Math.max(k, 0))).split("\n")) {
        const id = Number(line.trim());
        if (!line.trim()) continue;
        // Recorded first: a request not read yet is interrupted by the host when it starts.
        Atomics.store(ctl, ABORTED, id);
        if (id === Atomics.load(ctl, CURRENT)) {
          Atomics.store(ctl, INTERRUPTED, 1);
          flag[0] = 1;
        }
      }
    }
    if (nfds === 3 && dv.getInt16(22, true) & POLLHUP) {
      // The parent is gone. If R is busy, interrupt it; the host exits on end-of-file when idle.
      nfds = 2;
      orphanSince = Date.now();
      if (Atomics.load(ctl, CURRENT) !== 0) {
        Atomics.store(ctl, INTERRUPTED, 1);
        flag[0] = 1;
      }
    }
  }
};
