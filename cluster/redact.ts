/**
 * A resolved connection's description (no secrets) and the redaction of secrets from text:
 * passwords, tokens and seeds never reach logs, events, job records or error messages.
 *
 * @module
 */
import type { Authenticator } from "@nats-io/nats-core";

/** Where the connection's settings came from, without secrets. */
export interface ResolvedConnection {
  /** Server URLs without user info. */
  servers: string[];
  /** Server URLs for messages: user info redacted. */
  display: string[];
  /** Whether the servers are WebSocket ones. */
  ws: boolean;
  /** The authenticator to use, if any. */
  authenticator?: Authenticator;
  /** Which kind of credential, and from where (`password from url`), or undefined. */
  credentials?: string;
  /** The TLS options for the transport, if any. */
  tls?: Record<string, string> | null;
  /** Secret strings (passwords, tokens, seeds) to scrub from any text. */
  secrets: string[];
}

/**
 * A URL with its password or token replaced by `***` (`nats://user:***@host:4222`).
 *
 * @example
 * ```ts
 * import { redactUrl } from "./redact.ts";
 * redactUrl("nats://bob:pw@h:4222"); // "nats://bob:***@h:4222"
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(
    /^([a-z]+:\/\/)([^@/]*)@/i,
    (_m, scheme: string, info: string) =>
      info.includes(":") ? `${scheme}${info.slice(0, info.indexOf(":"))}:***@` : `${scheme}***@`,
  );
}

/** `text` with every secret and every URL's user info replaced by `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let t = text.replace(/([a-z]+:\/\/)([^@\s/"']*)@/gi, (m) => redactUrl(m));
  for (const s of secrets) if (s.length >= 3) t = t.split(s).join("***");
  return t;
}
