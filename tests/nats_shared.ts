/**
 * A real nats-server for the cluster tests: JetStream with file storage in a temp dir, on free
 * loopback ports (TCP and WebSocket), stoppable and restartable on the same ports and store.
 *
 * @module
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pidAlive, waitFor } from "./_util.ts";

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** A running nats-server. */
export interface NatsServer {
  url: string;
  wsUrl: string;
  pid(): number;
  /** Stops the server (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and store. */
  start(): Promise<void>;
  /** Stops it and removes its store. */
  dispose(): Promise<void>;
}

/** PEM files a test CA issued: the CA, the server's (127.0.0.1) and a client's certificate. */
export interface TestCerts {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** Makes a CA, a server certificate for 127.0.0.1 and a client certificate with openssl. */
export function makeCerts(dir: string): TestCerts {
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const key = (name: string) =>
    ssl(
      "genpkey",
      "-algorithm",
      "EC",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-out",
      `${name}.key`,
    );
  key("ca");
  ssl(
    "req",
    "-x509",
    "-new",
    "-key",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=brmsts test CA",
  );
  const issue = (name: string, ext: string) => {
    key(name);
    ssl("req", "-new", "-key", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`);
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    );
  };
  issue("server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  issue("client", "extendedKeyUsage=clientAuth\n");
  const f = (n: string) => join(dir, n);
  return {
    dir,
    ca: f("ca.pem"),
    serverCert: f("server.pem"),
    serverKey: f("server.key"),
    clientCert: f("client.pem"),
    clientKey: f("client.key"),
  };
}

/** Options of {@link startNats}: more configuration (users, TLS, cluster) appended as is. */
export interface NatsStartOptions {
  /** Configuration text appended to the generated one. */
  config?: string;
  /** Leave out the WebSocket listener. */
  noWebsocket?: boolean;
  /** Environment of nats-server (added to this process's; the config may read `$VAR`s). */
  env?: Record<string, string>;
}

/** Starts nats-server with JetStream (file store in a temp dir) and a WebSocket listener. */
export async function startNats(opts: NatsStartOptions = {}): Promise<NatsServer> {
  const dir = mkdtempSync(join(tmpdir(), "brmsts-nats-"));
  const port = await freePort(), wsPort = await freePort();
  const conf = join(dir, "nats.conf");
  writeFileSync(
    conf,
    `listen: "127.0.0.1:${port}"
jetstream { store_dir: "${join(dir, "js")}" }
${opts.noWebsocket ? "" : `websocket { host: "127.0.0.1", port: ${wsPort}, no_tls: true }`}
${opts.config ?? ""}
`,
  );
  let proc: ChildProcess | null = null;
  const ready = (p: ChildProcess) =>
    new Promise<void>((res, rej) => {
      let log = "";
      const t = setTimeout(() => rej(new Error(`nats-server did not start:\n${log}`)), 20_000);
      const on = (b: Buffer) => {
        log += b.toString();
        if (log.includes("Server is ready")) {
          clearTimeout(t);
          res();
        }
      };
      p.stderr!.on("data", on);
      p.once("exit", (c) => {
        clearTimeout(t);
        rej(new Error(`nats-server exited (${c}):\n${log}`));
      });
    });
  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    pid: () => proc?.pid ?? -1,
    async start() {
      proc = spawn("nats-server", ["-c", conf], {
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, ...opts.env },
      });
      await ready(proc);
      proc.stderr!.resume();
    },
    async stop() {
      const p = proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const gone = new Promise((r) => p.once("exit", r));
      p.kill("SIGTERM");
      const t = setTimeout(() => p.kill("SIGKILL"), 5000);
      await gone;
      clearTimeout(t);
      await waitFor(() => !pidAlive(p.pid!), 5000);
    },
    async dispose() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** A JetStream cluster of nats-servers on loopback (see {@link startNatsCluster}). */
export interface NatsCluster {
  servers: NatsServer[];
  /** The client URLs of all servers. */
  urls: string[];
  /** Stops every server and removes their stores. */
  dispose(): Promise<void>;
}

/**
 * Starts `n` nats-servers clustered on 127.0.0.1 with JetStream (distinct `server_name`s, free
 * client and route ports, a store each), and waits until every server lists all `n` in its
 * `connect_urls` and JetStream answers (a meta leader is elected).
 */
export async function startNatsCluster(n = 3): Promise<NatsCluster> {
  const routePorts = await Promise.all(Array.from({ length: n }, () => freePort()));
  const routes = routePorts.map((p) => `"nats-route://127.0.0.1:${p}"`).join(", ");
  const servers: NatsServer[] = [];
  const cluster: NatsCluster = {
    servers,
    get urls() {
      return servers.map((s) => s.url);
    },
    async dispose() {
      await Promise.all(servers.map((s) => s.dispose()));
    },
  };
  try {
    for (let i = 0; i < n; i++) {
      servers.push(
        await startNats({
          noWebsocket: true,
          config: `server_name: "brmsts-n${i}"
cluster { name: "brmsts-test", listen: "127.0.0.1:${routePorts[i]}", routes: [${routes}] }`,
        }),
      );
    }
    const { connect } = await import("@nats-io/transport-node");
    const { jetstreamManager } = await import("@nats-io/jetstream");
    for (const s of servers) {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const nc = await connect({ servers: s.url });
        try {
          const full = (nc.info?.connect_urls?.length ?? 0) >= n;
          const ok = full &&
            await jetstreamManager(nc).then((m) => m.getAccountInfo()).then(
              () => true,
              () => false,
            );
          if (ok) break;
        } finally {
          await nc.close();
        }
        if (Date.now() > deadline) throw new Error(`nats cluster not formed at ${s.url}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } catch (e) {
    await cluster.dispose();
    throw e;
  }
  return cluster;
}
