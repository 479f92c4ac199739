/**
 * `explore()`: a local, read-only web page to look around one or several fits (shinystan's
 * panels plus rank plots, rank-normalised R-hat, bulk/tail ESS, PSIS-LOO and fits side by side).
 *
 * @module
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { InferenceData } from "../idata/mod.ts";
import { Api } from "./_api.ts";
import { ExploreInputError } from "./errors.ts";
import {
  errorResponse,
  json,
  ownFile,
  randomToken,
  type RequestLogEntry,
  sameToken,
  SECURITY_HEADERS,
  startServer,
  staticScripts,
} from "./server.ts";
import { type FitMore, FitSource } from "./_source.ts";
import { LazyZarr } from "./_zarr.ts";

export type { RequestLogEntry } from "./server.ts";

/** A fit as `brm()` returns it: its InferenceData and, optionally, the brmsfit handle. */
export interface ExploreFitLike {
  /** The draws. */
  readonly idata: InferenceData;
  /** The brmsfit handle (model code and priors are asked from R through it). */
  readonly r?: unknown;
}

/**
 * What `explore()` shows: a fit, an InferenceData, a path (a `brmsts fit` output directory, an
 * `idata.zarr` store or an `.rds` file of your own; an RDS file is read by R, so open only files
 * you trust), or several of these by name.
 */
export type ExploreInput =
  | ExploreFitLike
  | InferenceData
  | string
  | Readonly<Record<string, ExploreFitLike | InferenceData | string>>;

/**
 * Options of {@link explore}.
 *
 * @example
 * ```ts
 * import type { ExploreOptions } from "./explore.ts";
 * const o: ExploreOptions = { port: 8123 };
 * ```
 */
export interface ExploreOptions {
  /** Interface to listen on (default `"127.0.0.1"`; anything else exposes the fit to the network). */
  host?: string;
  /** Port (default 0: a free port). */
  port?: number;
  /** The access token (default: 128 random bits). Every request must carry it. */
  token?: string;
  /** Ask R for the model code and priors of fits that have a brmsfit handle (default true). */
  more?: boolean;
}

/**
 * A running explorer. `close()` (or `await using`) stops the server.
 *
 * @example
 * ```ts
 * import type { Explorer } from "./explore.ts";
 * const show = (e: Explorer) => console.log(e.url);
 * ```
 */
export interface Explorer extends AsyncDisposable {
  /** The page's address, token included: open it in a browser. */
  readonly url: string;
  /** The token every request must carry (`?token=`). */
  readonly token: string;
  /** The port listened on. */
  readonly port: number;
  /** The interface listened on. */
  readonly host: string;
  /** Every request served so far (the token left out), oldest first. */
  readonly requests: readonly RequestLogEntry[];
  /** The fits served, by name. */
  readonly fitNames: readonly string[];
  /** Stops the server. */
  close(): Promise<void>;
}

function isSingle(x: unknown): boolean {
  return typeof x === "string" || x instanceof InferenceData ||
    (x !== null && typeof x === "object" && "idata" in x);
}

async function openOne(name: string, x: unknown, more: boolean): Promise<FitSource> {
  if (x instanceof InferenceData) return new FitSource(name, x);
  if (typeof x === "string") return await openPath(name, x, more);
  if (x !== null && typeof x === "object" && "idata" in x) {
    const fit = x as ExploreFitLike;
    if (!(fit.idata instanceof InferenceData)) {
      throw new ExploreInputError(`fit "${name}" has no InferenceData (returnIdata: false?)`);
    }
    const src = new FitSource(name, fit.idata);
    if (more && fit.r) src.more = await fetchMore(fit);
    return src;
  }
  throw new ExploreInputError(`"${name}" is not a fit, an InferenceData or a path`);
}

async function openPath(name: string, path: string, more: boolean): Promise<FitSource> {
  if (!existsSync(path)) throw new ExploreInputError(`${path} does not exist`);
  const st = statSync(path);
  if (st.isDirectory()) {
    if (existsSync(join(path, ".zmetadata")) || existsSync(join(path, ".zgroup"))) {
      return new FitSource(name, new LazyZarr(path));
    }
    if (existsSync(join(path, "idata.zarr"))) {
      return new FitSource(name, new LazyZarr(join(path, "idata.zarr")));
    }
    throw new ExploreInputError(`${path} is neither a Zarr store nor a \`brmsts fit\` directory`);
  }
  if (/\.rds$/i.test(path)) {
    // The user's own file: readRDS runs R's deserialiser on it (never open an untrusted RDS).
    const { readRdsFit } = await import("../brms/mod.ts");
    const fit = await readRdsFit(path);
    return await openOne(name, fit, more);
  }
  throw new ExploreInputError(
    `${path}: expected a fit directory, an idata.zarr store or an .rds file`,
  );
}

async function fetchMore(fit: ExploreFitLike): Promise<FitMore> {
  const out: FitMore = {};
  try {
    const b = await import("../brms/mod.ts");
    const f = fit as Parameters<typeof b.stancode>[0];
    out.stancode = await b.stancode(f);
    const pri = await b.priorSummary(f as Parameters<typeof b.priorSummary>[0]);
    out.priors = pri.toRecords();
  } catch (e) {
    out.stancode ??= `(model code unavailable: ${(e as Error).message})`;
  }
  return out;
}

/**
 * Serves a local, read-only page to explore fits: Diagnose (NUTS divergences, energy, tree
 * depth, step size, sampler table, R-hat, ESS, MCSE, autocorrelation, rank plots, posterior
 * predictive checks, PSIS-LOO with Pareto k and LOO-PIT), Estimate (parameter intervals with a
 * regex, summary table), Explore (trace, density, autocorrelation, histogram, bivariate scatter
 * with divergent and max-treedepth draws), More (model code, priors, data, glossary) and, for
 * several fits, a forest plot and `looCompare`. Listens on 127.0.0.1 only unless `host` says
 * otherwise; every request needs the random token in `url`. Draws are read per variable on
 * demand, so big fits open at once.
 *
 * @example
 * ```ts
 * import { InferenceData } from "../idata/mod.ts";
 * import { explore } from "./explore.ts";
 * const idata = InferenceData.fromObject({ posterior: { mu: new Float64Array(400).map(Math.random) } }, { chains: 4 });
 * await using ex = await explore(idata);
 * console.log(ex.url); // http://127.0.0.1:PORT/?token=...
 * ```
 */
export async function explore(
  input: ExploreInput,
  options: ExploreOptions = {},
): Promise<Explorer> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ExploreInputError(`port must be an integer in 0..65535, got ${port}`);
  }
  const token = options.token ?? randomToken();
  if (!/^[A-Za-z0-9_-]{16,}$/.test(token)) {
    throw new ExploreInputError("token: at least 16 characters of [A-Za-z0-9_-]");
  }
  const more = options.more ?? true;
  const fits = new Map<string, FitSource>();
  if (isSingle(input)) fits.set("fit", await openOne("fit", input, more));
  else {
    const entries = Object.entries(input as Record<string, unknown>);
    if (entries.length === 0) throw new ExploreInputError("no fits to explore");
    for (const [k, v] of entries) fits.set(k, await openOne(k, v, more));
  }
  const api = new Api(fits);
  const scripts = staticScripts();
  const page = ownFile("_page.html").replaceAll("__TOKEN__", token);
  const log: RequestLogEntry[] = [];
  const t0 = performance.now();
  const handler = (req: Request): Response => {
    const url = new URL(req.url);
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) if (k !== "token") query[k] = v;
    const entry: RequestLogEntry = {
      t: performance.now() - t0,
      method: req.method,
      path: url.pathname,
      query,
      vars: url.searchParams.getAll("var"),
      status: 0,
    };
    log.push(entry);
    const res = route(req, url);
    entry.status = res.status;
    return res;
  };
  const route = (req: Request, url: URL): Response => {
    const given = url.searchParams.get("token") ?? req.headers.get("x-brmsts-token") ?? "";
    if (!sameToken(given, token)) return json({ error: "forbidden" }, 403);
    if (req.method !== "GET" && req.method !== "HEAD") return json({ error: "read-only" }, 405);
    const p = url.pathname;
    if (p === "/") {
      // The fits' metadata rides along with the page (one round trip less); "<" is escaped.
      const meta = JSON.stringify(api.meta()).replaceAll("<", "\\u003c");
      const body = page.replace(
        "</body>",
        `<script type="application/json" id="meta">${meta}</script>\n</body>`,
      );
      return new Response(body, {
        headers: { "content-type": "text/html; charset=utf-8", ...SECURITY_HEADERS },
      });
    }
    if (p.startsWith("/static/")) {
      const body = scripts.get(p.slice("/static/".length));
      if (body === undefined) return json({ error: "not found" }, 404);
      return new Response(body, {
        headers: { "content-type": "text/javascript; charset=utf-8", ...SECURITY_HEADERS },
      });
    }
    if (p.startsWith("/api/")) {
      try {
        const r = api.handle(p.slice(5), url.searchParams);
        if ("json" in r) return json(r.json);
        return new Response(r.bytes, { headers: { "content-type": r.type, ...SECURITY_HEADERS } });
      } catch (e) {
        return errorResponse(e);
      }
    }
    return json({ error: "not found" }, 404);
  };
  const server = startServer(host, port, handler);
  const shown = host.includes(":") ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= server.stop());
  return {
    url: `http://${shown}:${server.port}/?token=${token}`,
    token,
    port: server.port,
    host,
    requests: log,
    fitNames: [...fits.keys()],
    close,
    [Symbol.asyncDispose]: close,
  };
}
