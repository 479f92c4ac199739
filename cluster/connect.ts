/**
 * Connections to NATS for the cluster client and worker: credentials (user and password,
 * token, nkey seed, creds file) and TLS (CA file, client certificate and key) from options, the
 * servers' URLs (`nats://user:password@host:4222`) and the environment variables the `nats`
 * command-line tool reads; typed errors for refused connections ({@link ClusterAuthError}) and
 * denied operations ({@link ClusterPermissionError}); secrets kept out of every message.
 *
 * Precedence, per setting: options (the CLI's flags are passed as options) > user info in a
 * server URL > environment (`NATS_URL`, `NATS_USER`, `NATS_PASSWORD`, `NATS_TOKEN`,
 * `NATS_NKEY`, `NATS_CREDS`, `NATS_CA`, `NATS_CERT`, `NATS_KEY`). Credentials come whole from
 * the first of these places that has any; within one place a creds file wins over an nkey,
 * an nkey over user and password, those over a token.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import type { Authenticator, NatsConnection } from "@nats-io/nats-core";
import { ClusterAuthError, ClusterInputError, ClusterPermissionError } from "./errors.ts";
import { redactUrl, type ResolvedConnection, scrub } from "./redact.ts";
import { probeInfo, runtimeName, translateConnectError } from "./_connect_errors.ts";

/**
 * TLS settings: `caFile` (PEM of the CA that signed the server's certificate), `certFile` and
 * `keyFile` (this client's certificate and key, for servers that verify clients).
 *
 * @example
 * ```ts
 * import type { ClusterTlsOptions } from "./connect.ts";
 * const tls: ClusterTlsOptions = { caFile: "ca.pem", certFile: "worker.pem", keyFile: "worker.key" };
 * ```
 */
export interface ClusterTlsOptions {
  /** PEM file of the CA that signed the server's certificate. */
  caFile?: string;
  /** PEM file of this client's certificate. */
  certFile?: string;
  /** PEM file of this client's private key. */
  keyFile?: string;
}

/**
 * How to reach and authenticate to NATS; shared by `connectCluster` and `startWorker`.
 *
 * @example
 * ```ts
 * import type { ClusterConnectionOptions } from "./connect.ts";
 * const o: ClusterConnectionOptions = {
 *   servers: ["nats://n1:4222", "nats://n2:4222"], credsFile: "/etc/brmsts/worker.creds",
 *   tls: { caFile: "/etc/brmsts/ca.pem" },
 * };
 * ```
 */
export interface ClusterConnectionOptions {
  /** NATS server URL(s) (default `NATS_URL`, comma separated); user info is read and removed. */
  servers?: string | string[];
  /** Connection name shown by the server. */
  name?: string;
  /** User name (with `password`). */
  user?: string;
  /** Password of `user`. */
  password?: string;
  /** Authentication token. */
  token?: string;
  /** An nkey seed (`SU…`) or the path of a file holding one. */
  nkey?: string;
  /** Path of a creds file (user JWT and nkey seed, as `nsc` writes it). */
  credsFile?: string;
  /** TLS: `true` requires TLS with the system's CAs; an object adds CA and client files. */
  tls?: boolean | ClusterTlsOptions;
  /** Environment read for the `NATS_*` variables (default `process.env`; `false`: none). */
  env?: Record<string, string | undefined> | false;
  /** Milliseconds to wait for the connection (default 10000). */
  connectTimeoutMs?: number;
}

type Source = "options" | "url" | "environment";

export { redactUrl, type ResolvedConnection, scrub };

function splitUserInfo(url: string): { url: string; user?: string; password?: string } {
  const m = /^([a-z]+:\/\/)([^@/]*)@(.*)$/i.exec(url.trim());
  if (!m) return { url: url.trim() };
  const info = m[2], colon = info.indexOf(":");
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return colon < 0
    ? { url: m[1] + m[3], user: dec(info) }
    : { url: m[1] + m[3], user: dec(info.slice(0, colon)), password: dec(info.slice(colon + 1)) };
}

function readSecretFile(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ClusterAuthError(
      `cannot read the ${what} file ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`,
      { code: "credentials-unreadable" },
    );
  }
}

interface Creds {
  user?: string;
  password?: string;
  token?: string;
  nkey?: string;
  credsFile?: string;
}

const hasCreds = (c: Creds) =>
  c.user !== undefined || c.token !== undefined || c.nkey !== undefined ||
  c.credsFile !== undefined;

async function authenticatorOf(c: Creds, secrets: string[]): Promise<[Authenticator, string]> {
  const core = await import("@nats-io/nats-core");
  if (c.credsFile) {
    const bytes = readSecretFile(c.credsFile, "creds");
    const seed = /SU[A-Z2-7]{50,}/.exec(new TextDecoder().decode(bytes))?.[0];
    if (seed) secrets.push(seed);
    return [core.credsAuthenticator(bytes), "creds file"];
  }
  if (c.nkey) {
    let text = c.nkey.trim();
    if (!/^SU[A-Z2-7]{50,}$/.test(text)) {
      text = new TextDecoder().decode(readSecretFile(c.nkey, "nkey"));
    }
    const seed = /SU[A-Z2-7]{50,}/.exec(text)?.[0];
    if (!seed) {
      throw new ClusterAuthError("the nkey holds no user seed (SU…)", {
        code: "credentials-unreadable",
      });
    }
    secrets.push(seed);
    return [core.nkeyAuthenticator(new TextEncoder().encode(seed)), "nkey"];
  }
  if (c.user !== undefined && c.password !== undefined) {
    secrets.push(c.password);
    return [core.usernamePasswordAuthenticator(c.user, c.password), `user ${c.user} and password`];
  }
  // A URL's user info without a password is a token, as for the `nats` tool.
  const token = c.token ?? c.user!;
  secrets.push(token);
  return [core.tokenAuthenticator(token), "token"];
}

/**
 * Resolves servers, credentials and TLS from options, URLs and the environment.
 *
 * @example
 * ```ts
 * import { resolveConnection } from "./connect.ts";
 * const r = await resolveConnection({ servers: "nats://bob:pw@127.0.0.1:4222", env: false });
 * r.display; // ["nats://bob:***@127.0.0.1:4222"]
 * ```
 */
export async function resolveConnection(o: ClusterConnectionOptions): Promise<ResolvedConnection> {
  const env = o.env === false ? {} : o.env ?? process.env;
  const raw = o.servers === undefined || (Array.isArray(o.servers) && o.servers.length === 0)
    ? (env.NATS_URL ? env.NATS_URL.split(",") : [])
    : Array.isArray(o.servers)
    ? o.servers
    : [o.servers];
  if (raw.length === 0) {
    throw new ClusterInputError("no NATS server: pass servers (--nats URL) or set NATS_URL");
  }
  const parsed = raw.map(splitUserInfo);
  const servers = parsed.map((p) => p.url);
  const display = raw.map((u) => redactUrl(u.trim()));
  const ws = servers.some((s) => /^wss?:\/\//i.test(s));
  const fromUrl = parsed.find((p) => p.user !== undefined);
  const sources: [Source, Creds][] = [
    ["options", {
      user: o.user,
      password: o.password,
      token: o.token,
      nkey: o.nkey,
      credsFile: o.credsFile,
    }],
    ["url", { user: fromUrl?.user, password: fromUrl?.password }],
    ["environment", {
      user: env.NATS_USER,
      password: env.NATS_PASSWORD,
      token: env.NATS_TOKEN,
      nkey: env.NATS_NKEY,
      credsFile: env.NATS_CREDS,
    }],
  ];
  const secrets: string[] = [];
  for (const [, c] of sources) for (const s of [c.password, c.token]) if (s) secrets.push(s);
  const out: ResolvedConnection = { servers, display, ws, secrets };
  const chosen = sources.find(([, c]) => hasCreds(c));
  if (chosen) {
    const [auth, kind] = await authenticatorOf(chosen[1], secrets);
    out.authenticator = auth;
    out.credentials = `${kind} from ${chosen[0]}`;
  }
  const t = typeof o.tls === "object" ? o.tls : {};
  const caFile = t.caFile ?? env.NATS_CA, certFile = t.certFile ?? env.NATS_CERT;
  const keyFile = t.keyFile ?? env.NATS_KEY;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ClusterInputError("a TLS client certificate needs both a certificate and a key file");
  }
  if (ws && (caFile || certFile)) {
    throw new ClusterAuthError(
      `${runtimeName()}'s WebSocket takes no TLS files, so a ${
        certFile ? "client certificate" : "CA file"
      } ` +
        "cannot be used with a ws:// or wss:// server: connect to a nats:// (TCP) URL, which " +
        "takes CA, certificate and key files under Deno, Bun and Node, or add the CA to the " +
        "runtime's trust store (Deno: DENO_CERT=ca.pem, Bun and Node: NODE_EXTRA_CA_CERTS=ca.pem)",
      { code: "tls-unsupported" },
    );
  }
  if (caFile || certFile || o.tls === true) {
    const tls: Record<string, string> = {};
    const files: [string, string | undefined][] = [
      ["caFile", caFile],
      ["certFile", certFile],
      ["keyFile", keyFile],
    ];
    for (const [k, f] of files) {
      if (f) {
        readSecretFile(f, k === "caFile" ? "CA" : k === "certFile" ? "certificate" : "key");
        tls[k] = f;
      }
    }
    out.tls = tls;
  }
  return out;
}

/**
 * A NATS connection with its permission watch: {@link guarded} makes a call fail at once with
 * {@link ClusterPermissionError} when the server reports a violation while it runs (the server
 * answers a denied publish or subscription with an asynchronous error, and a denied JetStream
 * API call would otherwise only time out).
 *
 * @example
 * ```ts
 * import { openConnection } from "./connect.ts";
 * const c = await openConnection({ servers: "nats://127.0.0.1:4222" });
 * await c.guarded(() => c.nc.flush());
 * await c.nc.close();
 * ```
 */
export class ClusterConnection {
  #listeners = new Set<(e: ClusterPermissionError) => void>();
  /** The last permission violation the server reported, if any. */
  lastDenied?: ClusterPermissionError;

  /**
   * Wraps a connection.
   * @param nc The connection.
   * @param resolved Its resolved settings (for messages).
   */
  constructor(readonly nc: NatsConnection, readonly resolved: ResolvedConnection) {
    void (async () => {
      for await (const s of nc.status()) {
        const err = (s as { error?: Error & { operation?: string; subject?: string } }).error;
        if (s.type !== "error" || err?.name !== "PermissionViolationError") continue;
        const op = err.operation === "subscription" ? "subscribe" : (err.operation ?? "publish");
        const denied = new ClusterPermissionError(
          `the NATS server denied this user (${resolved.credentials ?? "no credentials"}) ` +
            `to ${op} "${err.subject ?? "?"}"`,
          { operation: op, subject: err.subject ?? "" },
        );
        this.lastDenied = denied;
        for (const l of [...this.#listeners]) l(denied);
      }
    })().catch(() => {});
  }

  /** Calls a listener on each permission violation; returns the unsubscribe function. */
  onDenied(listener: (e: ClusterPermissionError) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Runs `fn`; rejects with {@link ClusterPermissionError} once the server denies something. */
  guarded<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const off = this.onDenied((e) => {
        off();
        reject(e);
      });
      let p: Promise<T>;
      try {
        p = fn();
      } catch (e) {
        off();
        return reject(e);
      }
      p.then(async (v) => {
        // A violation the server sent before its answer is still being dispatched: let it land.
        await new Promise((r) => setTimeout(r, 0));
        off();
        resolve(v);
      }, (e) => {
        off();
        reject(
          (e as Error)?.name === "PermissionViolationError"
            ? new ClusterPermissionError(scrub(String((e as Error).message), []), {
              operation: (e as { operation?: string }).operation ?? "publish",
              subject: (e as { subject?: string }).subject ?? "",
            })
            : e,
        );
      });
    });
  }
}

/**
 * Opens a NATS connection with the resolved credentials and TLS: TCP through
 * `@nats-io/transport-node`, WebSocket (`ws://`, `wss://`) through `wsconnect`. A refused
 * connection is a {@link ClusterAuthError}.
 *
 * @example
 * ```ts
 * import { openConnection } from "./connect.ts";
 * const c = await openConnection({ servers: "nats://127.0.0.1:4222", token: "s3cret" });
 * console.log(c.resolved.display, c.resolved.credentials); // no secret in either
 * await c.nc.close();
 * ```
 */
export async function openConnection(
  o: ClusterConnectionOptions,
  extra: Record<string, unknown> = {},
): Promise<ClusterConnection> {
  const r = await resolveConnection(o);
  const opts: Record<string, unknown> = {
    servers: r.servers,
    name: o.name ?? "brmsts",
    timeout: o.connectTimeoutMs ?? 10_000,
    ...extra,
  };
  if (r.authenticator) opts.authenticator = r.authenticator;
  if (r.tls) opts.tls = r.tls;
  const dial = r.ws
    ? import("@nats-io/nats-core").then(({ wsconnect }) => wsconnect(opts))
    : import("@nats-io/transport-node").then(({ connect }) => connect(opts));
  // A server that verifies client certificates drops a client without one only after its TLS
  // time-out, and the client then waits for its own: read the server's INFO meanwhile.
  const probe = !r.ws && r.tls && !r.tls.certFile ? probeInfo(r.servers[0]) : null;
  const early = probe?.then((info) => info?.tls_verify ? "tls-client-cert-required" : null);
  let nc: NatsConnection;
  try {
    const first = await Promise.race([dial, early ?? new Promise<never>(() => {})]);
    if (first === "tls-client-cert-required") {
      dial.then((c) => c.close(), () => {});
      throw new ClusterAuthError(
        `the NATS server at ${r.display.join(", ")} verifies client certificates and none was ` +
          "given (--nats-cert and --nats-key, or NATS_CERT and NATS_KEY)",
        { code: "tls-client-cert-required" },
      );
    }
    nc = first as NatsConnection;
  } catch (e) {
    if (e instanceof ClusterAuthError) throw e;
    throw await translateConnectError(e, r);
  }
  return new ClusterConnection(nc, r);
}
