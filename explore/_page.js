// The explorer page (served by explore/; no build step, no network): view state in the URL
// hash, data from the token-protected /api endpoints, plots are brmsts's Vega-Lite specs.
"use strict";
(() => {
  const TOKEN = new URLSearchParams(location.search).get("token") ?? "";
  const PANELS = ["diagnose", "estimate", "explore", "compare", "more"];
  const $ = (id) => document.getElementById(id);
  let meta = { fits: [] };
  let renderSeq = 0;

  const api = async (path, params = {}) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...params, token: TOKEN })) {
      for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
    }
    const r = await fetch(`api/${path}?${q}`);
    const body = await r.json();
    if (!r.ok) throw new Error(body.message ?? body.error ?? r.statusText);
    return body;
  };

  // ---- view state: #panel=..&fit=..&v=a&v=b&q=..
  const state = () => {
    const h = new URLSearchParams(location.hash.slice(1));
    return {
      panel: PANELS.includes(h.get("panel")) ? h.get("panel") : "diagnose",
      fit: h.get("fit") ?? meta.fits[0]?.name,
      vars: h.getAll("v").filter(Boolean),
      q: h.get("q") ?? "",
      stat: h.get("stat") ?? "mean",
    };
  };
  const setState = (patch) => {
    const s = { ...state(), ...patch };
    const h = new URLSearchParams();
    h.set("panel", s.panel);
    if (s.fit) h.set("fit", s.fit);
    for (const v of s.vars) h.append("v", v);
    if (s.q) h.set("q", s.q);
    if (s.stat !== "mean") h.set("stat", s.stat);
    location.hash = h.toString();
  };

  // ---- small DOM helpers
  const el = (tag, attrs = {}, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "onclick") e.onclick = v;
      else e.setAttribute(k, v);
    }
    for (const k of kids) e.append(k instanceof Node ? k : String(k));
    return e;
  };
  const section = (title, id) => {
    const s = el("section", { id }, el("h2", {}, title));
    $("main").append(s);
    return s;
  };
  const fmt = (v, col) => {
    if (v === null || v === undefined) return "NA";
    if (typeof v !== "number") return String(v);
    if (/^ess|^n$|^n_|count/.test(col)) return String(Math.round(v));
    if (col === "rhat" || col === "pareto_k") return v.toFixed(2);
    if (/mcse|se_/.test(col)) return v.toFixed(3);
    if (Number.isInteger(v)) return String(v);
    return v.toFixed(2);
  };
  const table = (rows, cols, key) => {
    const t = el("table");
    t.append(el("tr", {}, ...cols.map((c) => el("th", {}, c))));
    for (const r of rows) {
      const tr = el("tr", { "data-row": String(r[key] ?? "") });
      for (const c of cols) {
        const td = el("td", { "data-col": c }, fmt(r[c], c));
        if ((c === "rhat" && r[c] > 1.01) || (/^ess_/.test(c) && r[c] < 400)) td.className = "warn";
        tr.append(td);
      }
      t.append(tr);
    }
    return t;
  };

  // ---- plots: every spec comes from the server (plot/'s functions)
  const pending = new Set();
  const plot = (parent, kind, params = {}) => {
    const box = el("div", { class: "plot", "data-plot": kind });
    parent.append(box);
    const seq = renderSeq;
    const job = (async () => {
      try {
        const spec = await api("plot", { fit: state().fit, kind, ...params });
        if (seq !== renderSeq) return;
        if (spec === null) {
          box.append(el("small", {}, `${kind}: not available for this fit`));
          box.dataset.rendered = "none";
          return;
        }
        await globalThis.vegaEmbed(box, spec, { actions: false, renderer: "svg" });
        box.dataset.rendered = "1";
      } catch (e) {
        box.append(el("div", { class: "error" }, `${kind}: ${e.message}`));
        box.dataset.rendered = "error";
      }
    })();
    pending.add(job);
    return job;
  };

  const selected = async (s, n = 4) => {
    if (s.vars.length) return s.vars;
    const f = meta.fits.find((x) => x.name === s.fit);
    if (!s.q && f?.first) return f.first.slice(0, n);
    const r = await api("vars", { fit: s.fit, q: s.q, limit: String(n) });
    return r.names.filter((v) => v !== "lp__").slice(0, n);
  };

  // ---- panels
  const panels = {
    async diagnose(s) {
      const f = meta.fits.find((x) => x.name === s.fit);
      const vars = await selected(s);
      // Every section is laid out at once and every request goes out together.
      const diag = section("R-hat, ESS and MCSE (rank-normalised, as posterior)", "diag");
      const tables = [
        api("summary", { fit: s.fit, var: vars }).then((sum) =>
          diag.append(
            table(
              sum.rows,
              ["variable", "rhat", "ess_bulk", "ess_tail", "mcse_mean", "mcse_sd"],
              "variable",
            ),
          )
        ),
      ];
      plot(section("Rank plots", "rank"), "rank", { var: vars });
      plot(section(`Autocorrelation: ${vars[0]}`, "acf"), "acf", { var: vars[0] });
      if (f?.nuts) {
        const nuts = section("NUTS sampler", "nuts");
        const head = el("div");
        const p = el("div", { class: "plots" });
        nuts.append(head, p);
        for (const k of ["divergence", "energy", "treedepth", "stepsize"]) plot(p, k);
        tables.push(
          api("nuts", { fit: s.fit }).then((info) => {
            if (info.divergences) {
              head.append(el(
                "p",
                { id: "divcount" },
                `divergent transitions: ${info.divergences.total}; at max treedepth: ${
                  info.maxTreedepth?.total ?? "NA"
                }`,
              ));
            }
            head.append(table(info.table, Object.keys(info.table[0] ?? {}), "chain"));
          }),
        );
      }
      if (f?.ppc) {
        const p = el("div", { class: "plots" });
        section("Posterior predictive checks", "ppc").append(p);
        plot(p, "ppc_dens");
        plot(p, "ppc_stat", { stat: s.stat });
      }
      if (f?.loo) {
        const loo = section("PSIS-LOO", "loo");
        const head = el("div");
        const p = el("div", { class: "plots" });
        loo.append(head, p);
        plot(p, "pareto_k");
        if (f.ppc) plot(p, "loo_pit");
        tables.push(
          api("loo", { fit: s.fit }).then((l) => {
            if (!l.available) return;
            head.append(table(
              [
                { estimate: "elpd_loo", value: l.elpd_loo, se: l.se_elpd_loo },
                { estimate: "p_loo", value: l.p_loo, se: l.se_p_loo },
                { estimate: "looic", value: l.looic, se: l.se_looic },
              ],
              ["estimate", "value", "se"],
              "estimate",
            ));
            const c = l.pareto_k_counts;
            head.append(el(
              "p",
              { id: "kcounts" },
              `Pareto k: good (≤0.5) ${c[0]}, ok ${c[1]}, bad ${c[2]}, very bad ${c[3]}; max k ${
                Math.max(...l.pareto_k).toFixed(2)
              }`,
            ));
            const top = l.pareto_k.map((k, i) => ({ observation: i + 1, pareto_k: k }))
              .sort((a, b) => b.pareto_k - a.pareto_k).slice(0, 10);
            head.append(
              el("h3", {}, "Largest Pareto k"),
              table(top, ["observation", "pareto_k"], "observation"),
            );
          }),
        );
      }
      await Promise.all(tables);
    },
    async estimate(s) {
      const vars = await selected(s, 24);
      const sec = section("Parameters", "params");
      plot(sec, "intervals", { var: vars });
      const t = section("Posterior summary", "summary");
      const sum = await api("summary", { fit: s.fit, var: vars });
      t.append(
        table(sum.rows, [
          "variable",
          "mean",
          "sd",
          "median",
          "mad",
          "q2.5",
          "q97.5",
          "rhat",
          "ess_bulk",
          "ess_tail",
          "mcse_mean",
        ], "variable"),
      );
    },
    async explore(s) {
      const vars = await selected(s, 2);
      const v = vars[0];
      const mv = section(`Multiview: ${v}`, "multiview");
      const p = el("div", { class: "plots" });
      mv.append(p);
      plot(p, "trace", { var: v });
      plot(p, "density", { var: v });
      plot(p, "acf", { var: v });
      plot(p, "histogram", { var: v });
      if (vars.length >= 2) {
        const sc = section(`Bivariate: ${vars[1]} vs ${vars[0]}`, "bivariate");
        plot(sc, "scatter", { var: [vars[0], vars[1]] });
      }
    },
    async compare(s) {
      const vars = await selected(s, 24);
      const sec = section("Forest plot (all fits)", "forest");
      plot(sec, "forest", { var: vars });
      const c = await api("compare");
      const t = section("loo_compare", "loocompare");
      if (c.rows.length) {
        t.append(
          table(c.rows, [
            "model",
            "elpd_diff",
            "se_diff",
            "elpd_loo",
            "se_elpd_loo",
            "p_loo",
            "looic",
          ], "model"),
        );
      } else t.append(el("p", {}, "needs two or more fits with a log_likelihood group"));
    },
    async more(s) {
      const m = await api("more", { fit: s.fit });
      if (m.stancode) section("Model code (Stan)", "code").append(el("pre", {}, m.stancode));
      if (m.priors?.length) {
        section("Priors", "priors").append(table(m.priors, Object.keys(m.priors[0]), "prior"));
      }
      if (m.data?.length) {
        section("Data", "data").append(
          table(m.data, ["variable", "n", "mean", "sd", "min", "max"], "variable"),
        );
      }
      const g = section("Glossary", "glossary");
      const dl = el("dl");
      for (const [k, v] of Object.entries(m.glossary)) dl.append(el("dt", {}, k), el("dd", {}, v));
      g.append(dl);
    },
  };

  // ---- the variable search (regex over the fit's names; only names travel, never draws)
  let searchTimer;
  const showMatches = async () => {
    const s = state();
    try {
      const r = await api("vars", { fit: s.fit, q: $("search").value, limit: "200" });
      $("count").textContent = `${r.matched} of ${r.total}`;
      $("matches").replaceChildren(...r.names.map((n) => {
        const d = el("div", { "data-var": n }, n);
        if (s.vars.includes(n)) d.className = "sel";
        d.onclick = () => {
          const cur = state().vars;
          setState({ vars: cur.includes(n) ? cur.filter((x) => x !== n) : [...cur, n].slice(-24) });
        };
        return d;
      }));
      $("take").onclick = () => setState({ vars: r.names.slice(0, 24), q: $("search").value });
    } catch (e) {
      $("count").textContent = e.message;
    }
  };

  const render = async () => {
    const s = state();
    const seq = ++renderSeq;
    document.body.dataset.ready = "";
    pending.clear();
    $("main").replaceChildren();
    for (const b of $("tabs").children) b.className = b.dataset.panel === s.panel ? "active" : "";
    $("fit").value = s.fit;
    $("chips").replaceChildren(...s.vars.map((v) => {
      const c = el("span", { title: "remove" }, v);
      c.onclick = () => setState({ vars: state().vars.filter((x) => x !== v) });
      return c;
    }));
    try {
      await panels[s.panel](s);
      while (pending.size) {
        const jobs = [...pending];
        pending.clear();
        await Promise.all(jobs);
      }
    } catch (e) {
      $("main").append(el("div", { class: "error" }, e.message));
    }
    if (seq === renderSeq) document.body.dataset.ready = s.panel;
  };

  const start = async () => {
    const embedded = document.getElementById("meta")?.textContent;
    meta = embedded ? JSON.parse(embedded) : await api("meta");
    for (const p of PANELS) {
      if (p === "compare" && meta.fits.length < 2) continue;
      const b = el("button", { "data-panel": p, type: "button" }, p[0].toUpperCase() + p.slice(1));
      b.onclick = () => setState({ panel: p });
      $("tabs").append(b);
    }
    for (const f of meta.fits) {
      $("fit").append(el("option", { value: f.name }, `${f.name} (${f.variables} variables)`));
    }
    $("fit").onchange = () => setState({ fit: $("fit").value, vars: [] });
    $("search").value = state().q;
    $("search").oninput = () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(showMatches, 150);
    };
    globalThis.addEventListener("hashchange", () => {
      render();
      showMatches();
    });
    await Promise.all([render(), showMatches()]);
  };
  start().catch((e) => $("main").append(el("div", { class: "error" }, e.message)));
})();
