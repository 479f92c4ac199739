/**
 * Refused connections: what a NATS connect error means, as a {@link ClusterAuthError}, with the
 * server's INFO line read when TLS timed out. Private to cluster/.
 *
 * @module
 */
import { connect as netConnect } from "node:net";
import { ClusterAuthError } from "./errors.ts";
import { type ResolvedConnection, scrub } from "./redact.ts";

export function runtimeName(): string {
  const g = globalThis as Record<string, unknown>;
  return g.Deno ? "Deno" : g.Bun ? "Bun" : "Node";
}

/** The server's INFO line (a plain TCP read, no TLS): what it requires of clients. */
export function probeInfo(url: string, ms = 3000): Promise<Record<string, unknown> | null> {
  return new Promise((res) => {
    let u: URL;
    try {
      u = new URL(url.includes("://") ? url : `nats://${url}`);
    } catch {
      return res(null);
    }
    const sock = netConnect({ host: u.hostname, port: Number(u.port || 4222) });
    let buf = "";
    const done = (v: Record<string, unknown> | null) => {
      clearTimeout(timer);
      sock.destroy();
      res(v);
    };
    const timer = setTimeout(() => done(null), ms);
    sock.on("data", (b) => {
      buf += b.toString();
      const m = /^INFO\s+(\{.*\})\s*\n/.exec(buf);
      if (m) {
        try {
          done(JSON.parse(m[1]));
        } catch {
          done(null);
        }
      }
    });
    sock.on("error", () => done(null));
  });
}

/** A refused connection as a {@link ClusterAuthError}, or the error scrubbed of secrets. */
export async function translateConnectError(e: unknown, r: ResolvedConnection): Promise<unknown> {
  const err = e as Error & { code?: string };
  const name = err?.name ?? "", msg = String(err?.message ?? e);
  const where = r.display.join(", ");
  const creds = r.credentials ?? "no credentials";
  if (name === "AuthorizationError" || /authorization violation|authentication/i.test(msg)) {
    return new ClusterAuthError(
      r.credentials
        ? `the NATS server at ${where} refused the credentials (${creds})`
        : `the NATS server at ${where} requires credentials and none were given (options, ` +
          "--nats-* flags, user info in the URL, or NATS_USER/NATS_PASSWORD, NATS_TOKEN, " +
          "NATS_NKEY, NATS_CREDS)",
      { code: r.credentials ? "auth-failed" : "no-credentials" },
    );
  }
  const tlsCode = /CERT|TLS|SSL|UNABLE_TO|SELF_SIGNED|DEPTH_ZERO|HOSTNAME|ALTNAME/i
    .test(err?.code ?? "");
  if (tlsCode || /certificate|tls|ssl|handshake/i.test(msg)) {
    return new ClusterAuthError(
      `TLS with the NATS server at ${where} failed: ${scrub(msg, r.secrets)}` +
        (r.tls?.caFile ? "" : " (pass the CA that signed its certificate: --nats-ca or NATS_CA)"),
      { code: "tls-failed" },
    );
  }
  if (name === "TimeoutError" || /timeout/i.test(msg)) {
    const info = r.ws ? null : await probeInfo(r.servers[0]);
    if (info?.tls_verify && !r.tls?.certFile) {
      return new ClusterAuthError(
        `the NATS server at ${where} verifies client certificates and none was given ` +
          "(--nats-cert and --nats-key, or NATS_CERT and NATS_KEY)",
        { code: "tls-client-cert-required" },
      );
    }
    if (info?.tls_verify) {
      return new ClusterAuthError(
        `the NATS server at ${where} did not accept this client's certificate (TLS handshake ` +
          "timed out)",
        { code: "tls-failed" },
      );
    }
  }
  if (err instanceof Error) {
    const scrubbed = scrub(msg, r.secrets);
    if (scrubbed !== msg) err.message = scrubbed;
  }
  return e;
}
