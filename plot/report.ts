/**
 * `fitReport()`: one self-contained HTML page about a fit, for a data job to attach to its
 * output.
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import { type BrmsSummary, conditionalEffects, type FitResult, loo, summary } from "../brms/mod.ts";
import { divergences, treeDepthHits } from "../stats/mod.ts";
import { escapeHtml, type MimeBundle } from "../display/mod.ts";
import type { Plot } from "./plot.ts";
import { plotRank, plotTrace } from "./mcmc.ts";
import { ppCheck } from "./ppc.ts";
import { plotConditionalEffects, plotParetoK } from "./effects.ts";

/**
 * Options of {@link fitReport}.
 *
 * @example
 * ```ts
 * import type { FitReportOptions } from "./report.ts";
 * const o: FitReportOptions = { title: "Epilepsy model", maxParams: 6 };
 * ```
 */
export interface FitReportOptions {
  /** Page title (default: the formula). */
  title?: string;
  /** Parameters in the trace and rank plots (default: population-level, sd, cor and family
   * parameters, at most `maxParams`). */
  varNames?: readonly string[];
  /** Most parameters in the trace and rank plots (default 8). */
  maxParams?: number;
  /** Skip conditional effects and LOO (each a call to R). */
  quick?: boolean;
}

/**
 * What {@link fitReport} wrote, and what it had to leave out.
 *
 * @example
 * ```ts
 * import type { FitReportResult } from "./report.ts";
 * const show = (r: FitReportResult) => `${r.path}: ${r.sections.join(", ")}`;
 * ```
 */
export interface FitReportResult {
  /** The file written. */
  path: string;
  /** The section headings, in order. */
  sections: string[];
  /** Sections left out, with the reason (e.g. no posterior_predictive group). */
  skipped: string[];
}

const CSS =
  `body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222}h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;
margin-top:2em}pre{background:#f6f6f6;padding:.6em;overflow-x:auto}.ok{color:#1a7f37}
.warn{color:#b00;font-weight:bold}figure{margin:1em 0}figure svg{max-width:100%;height:auto}`;

function defaultVars(fit: FitResult, max: number): string[] {
  const names = fit.idata.group("posterior").varNames();
  const keep = names.filter((n) =>
    /^(b_|bs_|sd_|cor_|sds_|sigma|shape|nu|phi|zi|hu|disc|bsp_|Intercept)/.test(n) ||
    /^(sigma|shape|nu|phi|alpha|beta|kappa|theta)(_|$)/.test(n)
  );
  return (keep.length ? keep : names.filter((n) => n !== "lp__" && n !== "lprior")).slice(0, max);
}

async function figure(p: Plot, caption: string): Promise<string> {
  return `<figure role="img" aria-label="${escapeHtml(caption)}">${await p.toSVG()}` +
    `<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

/**
 * Writes one self-contained HTML page about a fit (no scripts, no network: the plots are inline
 * SVGs): the model (formula, family, links, data size), the priors, the sampler settings, brms's
 * summary table with Rhat > 1.01 and bulk/tail ESS < 400 highlighted, divergent transitions and
 * maximum tree depth hits, trace and rank plots, `ppCheck` (dens_overlay), conditional effects
 * and the Pareto k plot of `loo()`. Sections that cannot be made (no posterior_predictive group,
 * a model brms cannot compute conditional effects for) are listed in `skipped` and noted in the
 * page.
 *
 * @example
 * ```ts
 * import { brm } from "../brms/mod.ts";
 * import { fitReport } from "./report.ts";
 * const fit = await brm({ formula: "y ~ x", data: { y: [1, 2, 3, 5], x: [1, 2, 3, 4] } });
 * const { path } = await fitReport(fit, "report.html");
 * ```
 */
export async function fitReport(
  fit: FitResult,
  path: string,
  options: FitReportOptions = {},
): Promise<FitReportResult> {
  const sections: string[] = [];
  const skipped: string[] = [];
  const parts: string[] = [];
  const section = (h: string, body: string) => {
    sections.push(h);
    parts.push(`<section><h2>${escapeHtml(h)}</h2>\n${body}</section>`);
  };
  const skip = (h: string, why: string) => {
    skipped.push(`${h}: ${why}`);
    parts.push(
      `<section><h2>${escapeHtml(h)}</h2><p class="warn">Not available: ` +
        `${escapeHtml(why)}</p></section>`,
    );
    sections.push(h);
  };
  const s: BrmsSummary = await summary(fit, { priors: true });
  const title = options.title ?? s.formula.join(" ");
  const model = [
    `Family: ${s.family}`,
    `Links: ${s.links.join("; ")}`,
    `Formula: ${s.formula.join("\n         ")}`,
    `Data: ${s.dataName} (Number of observations: ${s.nobs})`,
    ...Object.entries(s.ngrps).map(([g, n]) => `Groups: ${g} (${n} levels)`),
  ].join("\n");
  section("Model", `<pre>${escapeHtml(model)}</pre>`);
  section(
    "Priors",
    `<pre>${escapeHtml(s.priorLines.join("\n") || "(brms defaults)")}</pre>`,
  );
  const settings = `Algorithm: ${algorithmLine(s)}\nChains: ${s.chains}, iter: ${s.iter}, ` +
    `warmup: ${s.warmup}, thin: ${s.thin}\nPost-warmup draws: ${s.draws}`;
  section("Sampler settings", `<pre>${escapeHtml(settings)}</pre>`);
  const bundle = (s as unknown as { [k: symbol]: () => MimeBundle })
    [Symbol.for("Jupyter.display")]();
  section(
    "Summary",
    String(bundle["text/html"]) +
      (s.warnings.length ? `<p class="warn">${s.warnings.map(escapeHtml).join("<br>")}</p>` : ""),
  );
  if (fit.idata.hasGroup("sample_stats")) {
    const ss = fit.idata.group("sample_stats");
    const lines: string[] = [];
    if (ss.has("diverging") || ss.has("divergent__")) {
      const d = divergences(fit.idata);
      lines.push(
        `<p class="${d.total ? "warn" : "ok"}">Divergent transitions: ${d.total} ` +
          `(per chain: ${d.perChain.join(", ")})</p>`,
      );
    }
    if (ss.has("tree_depth") || ss.has("treedepth__")) {
      const t = treeDepthHits(fit.idata, 10);
      lines.push(
        `<p class="${t.total ? "warn" : "ok"}">Transitions hitting the maximum tree ` +
          `depth (10): ${t.total} (per chain: ${t.perChain.join(", ")})</p>`,
      );
    }
    section("Sampler diagnostics", lines.join("\n") || "<p>No sampler statistics.</p>");
  } else skip("Sampler diagnostics", "the fit has no sample_stats group");
  const vars = options.varNames ?? defaultVars(fit, options.maxParams ?? 8);
  section(
    "Trace and rank plots",
    await figure(plotTrace(fit.idata, { varNames: vars, width: 220, height: 110 }), "Trace plots") +
      await figure(
        plotRank(fit.idata, { varNames: vars, width: 90, height: 50 }),
        "Rank histograms",
      ),
  );
  if (fit.idata.hasGroup("posterior_predictive") && fit.idata.hasGroup("observed_data")) {
    section(
      "Posterior predictive check",
      await figure(
        ppCheck(fit.idata, { type: "dens_overlay", ndraws: 20 }),
        "pp_check: dens_overlay",
      ),
    );
  } else skip("Posterior predictive check", "the fit has no posterior_predictive group");
  if (options.quick) {
    skip("Conditional effects", "quick report");
    skip("Pareto k", "quick report");
  } else {
    try {
      const ce = await conditionalEffects(fit);
      if (Object.keys(ce).length === 0) skip("Conditional effects", "the model has no predictors");
      else {section(
          "Conditional effects",
          await figure(plotConditionalEffects(ce), "Conditional effects"),
        );}
    } catch (e) {
      skip("Conditional effects", String((e as Error).message ?? e).split("\n")[0]);
    }
    try {
      const l = await loo(fit);
      const bad = l.paretoK ? Array.from(l.paretoK).filter((k) => k > 0.7).length : 0;
      section(
        "Pareto k",
        `<p>elpd_loo ${l.elpd.estimate.toFixed(1)} (SE ${l.elpd.se.toFixed(1)}), p_loo ` +
          `${l.p.estimate.toFixed(1)}; <span class="${bad ? "warn" : "ok"}">${bad} observations ` +
          `with k &gt; 0.7</span></p>` + await figure(plotParetoK(l), "PSIS diagnostic plot"),
      );
    } catch (e) {
      skip("Pareto k", String((e as Error).message ?? e).split("\n")[0]);
    }
  }
  const html = `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<title>${escapeHtml(title)}</title><style>${CSS}</style></head><body>\n` +
    `<h1>brms fit report</h1><p><code>${escapeHtml(title)}</code> &mdash; generated by brmsts ` +
    `${escapeHtml(new Date().toISOString())}</p>\n${parts.join("\n")}\n</body></html>\n`;
  writeFileSync(path, html);
  return { path, sections, skipped };
}

/** "sampling(NUTS)" (brms's sampler text already names the algorithm), else "meanfield …". */
function algorithmLine(s: BrmsSummary): string {
  if (!s.sampler) return s.algorithm;
  return s.sampler.startsWith(s.algorithm) ? s.sampler : `${s.algorithm} ${s.sampler}`;
}
