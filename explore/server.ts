// The HTTP side: one server per explorer on the runtime's own API (Deno.serve or Bun.serve),
// a random token required on every request, GET only, and a log of the requests served.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ExploreInputError, ExploreServerError } from "./errors.ts";

/** One request the server answered (kept for tests and diagnostics). */
export interface RequestLogEntry {
  /** Milliseconds since the server started. */
  t: number;
  /** HTTP method. */
  method: string;
  /** URL path. */
  path: string;
  /** Query parameters, the token left out. */
  query: Record<string, string>;
  /** The variables the request named (`var`, repeated). */
  vars: string[];
  /** HTTP status answered. */
  status: number;
}

/** A running server. */
export interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

type Handler = (req: Request) => Response | Promise<Response>;

interface DenoLike {
  serve(
    o: { hostname: string; port: number; onListen?: (a: unknown) => void },
    h: Handler,
  ): { addr: { port: number }; shutdown(): Promise<void> };
}
interface BunLike {
  serve(o: { hostname: string; port: number; fetch: Handler }): {
    port: number;
    stop(force?: boolean): Promise<void> | void;
  };
}

/** Starts `handler` on `hostname:port` (0: any free port) with the runtime's server. */
export function startServer(hostname: string, port: number, handler: Handler): RunningServer {
  const g = globalThis as unknown as { Deno?: DenoLike; Bun?: BunLike };
  try {
    if (g.Bun) {
      const s = g.Bun.serve({ hostname, port, fetch: handler });
      return { port: s.port, stop: async () => void await s.stop(true) };
    }
    if (g.Deno) {
      const s = g.Deno.serve({ hostname, port, onListen: () => {} }, handler);
      return { port: s.addr.port, stop: () => s.shutdown() };
    }
  } catch (e) {
    throw new ExploreServerError(`cannot listen on ${hostname}:${port}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  throw new ExploreServerError("the explorer needs Deno or Bun (Deno.serve / Bun.serve)");
}

/** A random token: 128 bits, hex. */
export function randomToken(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Constant-time string comparison. */
export function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** A file of an npm package, looked up in the node_modules folders above this package. */
export function npmFile(pkg: string, file: string): string {
  for (let dir = dirname(HERE);; dir = dirname(dir)) {
    for (const p of [join(dir, "node_modules", pkg, file), join(dir, pkg, file)]) {
      if (dir.endsWith("node_modules") || p.includes("node_modules")) {
        if (existsSync(p)) return p;
      }
    }
    if (dirname(dir) === dir) break;
  }
  throw new ExploreServerError(
    `the npm package ${pkg} is not installed (npm install vega vega-lite vega-embed)`,
  );
}

/** The page's own files, next to this module. */
export function ownFile(name: string): string {
  return readFileSync(join(HERE, name), "utf8");
}

/** The static scripts the page loads, read once per server. */
export function staticScripts(): Map<string, string> {
  return new Map([
    ["vega.js", readFileSync(npmFile("vega", "build/vega.min.js"), "utf8")],
    ["vega-lite.js", readFileSync(npmFile("vega-lite", "build/vega-lite.min.js"), "utf8")],
    ["vega-embed.js", readFileSync(npmFile("vega-embed", "build/vega-embed.min.js"), "utf8")],
    ["explore.js", ownFile("_page.js")],
  ]);
}

/** The response to a failed request: 400 for bad input, 500 otherwise (no stack trace). */
export function errorResponse(e: unknown): Response {
  const status = e instanceof ExploreInputError ? 400 : 500;
  const name = e instanceof Error ? e.name : "Error";
  const message = e instanceof Error ? e.message : String(e);
  return json({ error: name, message }, status);
}

/** A JSON response (NaN and infinities as null). */
export function json(value: unknown, status = 200): Response {
  return new Response(
    JSON.stringify(value, (_k, v) => (typeof v === "number" && !isFinite(v) ? null : v)),
    {
      status,
      headers: { "content-type": "application/json; charset=utf-8", ...SECURITY_HEADERS },
    },
  );
}

/** Headers on every response: no caching, no framing, scripts only from this server. */
export const SECURITY_HEADERS: Record<string, string> = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "content-security-policy":
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'",
};
