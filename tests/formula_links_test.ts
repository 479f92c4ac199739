/**
 * The hand-written family/link table (formula/links.ts) against the installed brms, both
 * ways, and every family and link rendered by the DSL evaluated by brms in R.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { evalR, shutdown } from "../worker/mod.ts";
import { CONSTRUCTORS, DPAR_LINKS, FAMILIES, THRESHOLDS } from "../formula/links.ts";
import * as dsl from "../formula/mod.ts";
import { brmsfamily } from "../formula/mod.ts";

type RFamily = { links: string[]; dpars: string[]; extras: string[] };

const arr = (x: unknown): string[] => (x == null ? [] : Array.isArray(x) ? x : [x as string]);

const R_FAMILIES = `local({
  ns <- asNamespace("brms")
  names <- sub("^\\\\.family_", "", ls(ns, pattern = "^\\\\.family_", all.names = TRUE))
  names <- setdiff(names, "info")
  out <- lapply(names, function(f) {
    fi <- get(paste0(".family_", f), ns)()
    list(
      links = as.character(fi$links),
      dpars = as.character(c(fi$dpars, fi$multi_dpars)),
      extras = c(
        if (brms:::is_ordinal(f)) "threshold",
        if (brms:::conv_cats_dpars(f) && brms:::has_joint_link(f)) "refcat",
        if (brms:::is_cox(f)) "bhaz"
      )
    )
  })
  names(out) <- names
  out
})`;

const R_DPAR_LINKS = `local({
  args <- names(formals(brms::brmsfamily))
  dpars <- sub("^link_", "", grep("^link_", args, value = TRUE))
  out <- lapply(dpars, function(d) as.character(brms:::links_dpars(d)))
  names(out) <- dpars
  list(links = out, other = setdiff(args, c("family", "link", paste0("link_", dpars))))
})`;

const R_CONSTRUCTORS = `local({
  ns <- asNamespace("brms")
  fams <- sub("^\\\\.family_", "", ls(ns, pattern = "^\\\\.family_", all.names = TRUE))
  ex <- sort(intersect(getNamespaceExports("brms"), c(fams, "Beta")))
  out <- lapply(ex, function(f) {
    fn <- get(f, ns)
    list(family = fn()$family, args = names(formals(fn)))
  })
  names(out) <- ex
  out
})`;

/** The families as brms describes them, fetched once (in a test, so its timeout applies). */
let rFamiliesPromise: Promise<Record<string, RFamily>> | undefined;
function rFamilies(): Promise<Record<string, RFamily>> {
  return rFamiliesPromise ??= (async () => {
    const raw = await evalR(R_FAMILIES) as Record<string, Record<string, unknown>>;
    return Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [
        k,
        { links: arr(v.links), dpars: arr(v.dpars), extras: arr(v.extras) },
      ]),
    );
  })();
}

/** Starting the worker can take several seconds; Bun's default test timeout is 5 s. */
const SLOW = { timeout: 120_000 };

describe("the family and link table matches brms", () => {
  after(() => shutdown());

  it(
    "lists exactly brms's families, leaving out only custom, which has no links",
    SLOW,
    async () => {
      const r = await rFamilies();
      const ours = Object.keys(FAMILIES).sort();
      const theirs = Object.keys(r).filter((f) => f !== "custom").sort();
      assert.deepEqual(ours, theirs);
      assert.deepEqual(r.custom.links, []);
    },
  );

  it("has brms's links, default first, for every family", SLOW, async () => {
    const r = await rFamilies();
    for (const [name, info] of Object.entries(FAMILIES)) {
      assert.deepEqual([...info.links], r[name].links, `links of ${name}`);
    }
  });

  it(
    "has brms's distributional parameters and family-specific arguments for every family",
    SLOW,
    async () => {
      const r = await rFamilies();
      for (const [name, info] of Object.entries(FAMILIES)) {
        assert.deepEqual([...info.dpars], r[name].dpars, `dpars of ${name}`);
        const extras = "extras" in info ? [...info.extras] : [];
        assert.deepEqual(extras, r[name].extras, `extras of ${name}`);
      }
    },
  );

  it(
    "has brms's links for every link_<dpar> argument of brmsfamily and nothing else",
    SLOW,
    async () => {
      const r = await evalR(R_DPAR_LINKS) as { links: Record<string, unknown>; other: unknown };
      const theirs = Object.fromEntries(Object.entries(r.links).map(([k, v]) => [k, arr(v)]));
      const ours = Object.fromEntries(Object.entries(DPAR_LINKS).map(([k, v]) => [k, [...v]]));
      assert.deepEqual(ours, theirs);
      assert.deepEqual(arr(r.other), ["threshold", "refcat", "bhaz"]);
    },
  );

  it("names brms's exported family functions and what each builds", SLOW, async () => {
    const r = await evalR(R_CONSTRUCTORS) as Record<string, { family: string; args: unknown }>;
    const ours = Object.fromEntries(
      Object.entries(CONSTRUCTORS).filter(([k]) => !k.startsWith("stats::")),
    );
    assert.deepEqual(ours, Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.family])));
    for (const [fn, { family, args }] of Object.entries(r)) {
      const info = FAMILIES[family as keyof typeof FAMILIES];
      const allowed = [
        "link",
        ...info.dpars.map((d) => `link_${d}`),
        ...("extras" in info ? info.extras : []),
      ];
      for (const a of arr(args)) assert.ok(allowed.includes(a), `${fn}(${a}) has no TS option`);
    }
  });

  it("exports one TypeScript family function per R family function", () => {
    for (const [rName, family] of Object.entries(CONSTRUCTORS)) {
      const tsName = rName.replace(/^stats::/, "").replace(".", "_");
      const fn = (dsl as unknown as Record<string, () => dsl.Family>)[tsName];
      assert.equal(typeof fn, "function", `missing export ${tsName}`);
      assert.equal(fn().family, family);
    }
  });

  it(
    "builds every family with every allowed link in brms from the rendered code",
    SLOW,
    async () => {
      const specs: dsl.Family[] = [];
      for (const [name, info] of Object.entries(FAMILIES)) {
        for (const link of info.links) specs.push(brmsfamily(name, link));
      }
      const got = arr(
        await evalR(`vapply(list(${specs.join(",\n")}), function(f) paste(f$family, f$link), "")`),
      );
      assert.deepEqual(got, specs.map((f) => `${f.family} ${f.link}`));
    },
  );

  it(
    "builds every family with every allowed link of each of its parameters in brms",
    SLOW,
    async () => {
      const specs: { fam: dsl.Family; dpar: string; link: string }[] = [];
      for (const [name, info] of Object.entries(FAMILIES)) {
        for (const dpar of info.dpars) {
          const links = (DPAR_LINKS as Record<string, readonly string[]>)[dpar] ?? [];
          for (const link of links) {
            const key = `link${dpar[0].toUpperCase()}${dpar.slice(1)}`;
            specs.push({ fam: brmsfamily(name, { [key]: link }), dpar, link });
          }
        }
      }
      const code = specs.map((s) => `${s.fam}[[${JSON.stringify(`link_${s.dpar}`)}]]`);
      const got = arr(await evalR(`c(${code.join(",\n")})`));
      assert.deepEqual(got, specs.map((s) => s.link));
    },
  );

  it("passes every threshold type of ordinal families to brms", SLOW, async () => {
    const fams = THRESHOLDS.map((t) => brmsfamily("cumulative", { threshold: t }));
    const got = arr(await evalR(`c(${fams.map((f) => `${f}$threshold`).join(", ")})`));
    assert.deepEqual(got, [...THRESHOLDS]);
  });
});
