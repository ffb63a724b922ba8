// `deno run -A tools/study/restate.ts [docs/results.md]`: re-states the published study's pairwise
// verdicts (three-way, with family, Holm-consistent CI, MDE and seeds needed) without retraining.
//
// The study's per-seed values were not committed, but a paired t-test depends on them only through
// n, the mean difference and the sd of the differences, and the page prints the first two and the
// 95% CI, whose half-width is t(0.975, n − 1)·sd/√n. So the page itself determines every t-based
// number, to its rounding (two decimals of a point). The Wilcoxon test needs the values and is
// not re-stated. The reconstruction is checked against the page's own p(Holm): they must agree
// to the page's rounding (tests/study_restate.test.ts).
import type { PairStats } from "../../stats/compare.ts";
import { t975 } from "../../stats/describe.ts";
import { tTwoSided } from "../../stats/dist.ts";
import type { HypothesisResult } from "../../stats/experiment.ts";
import { testHypotheses } from "../../stats/hypotheses.ts";
import { judgeFamily, type Judgement, verdictOf } from "../../stats/judge.ts";
import { metricDelta } from "../../stats/metric_info.ts";
import { formatLevel } from "../../stats/verdict.ts";

export interface PublishedPair {
  labelA: string;
  labelB: string;
  /** Points (percent), as printed. */
  diff: number;
  ci: [number, number];
  /** The page's p(Holm) as printed (null for "< 0.001" or "–"). */
  pHolm: number | null;
  pHolmText: string;
  /** As printed: the Wilcoxon p(Holm) and P(A > B), which need the per-seed values. */
  pWilcoxonText: string;
  pImproveText: string;
}

export interface PublishedSetting {
  title: string;
  n: number;
  pairs: PublishedPair[];
}

const num = (t: string) => Number(t.replace("−", "-"));

/** The settings and their pair tables, as docs/results.md prints them. */
export function parseResults(md: string): PublishedSetting[] {
  const out: PublishedSetting[] = [];
  let cur: PublishedSetting | null = null;
  for (const line of md.split("\n")) {
    const h = /^## (.+)$/.exec(line);
    if (h) {
      cur = { title: h[1], n: 0, pairs: [] };
      out.push(cur);
      continue;
    }
    const seeds = /cells × seeds ([\d, ]+);/.exec(line);
    if (cur && seeds) cur.n = seeds[1].split(",").length;
    const row =
      /^\| (.+?) − (.+?) \| ([−\d.]+) \| \[([−\d.]+), ([−\d.]+)\] \| ([^|]+) \| ([^|]+) \| ([^|]+) \| [^|]+ \|$/
        .exec(line);
    if (cur && row) {
      const p = row[6].trim();
      cur.pairs.push({
        labelA: row[1],
        labelB: row[2],
        diff: num(row[3]),
        ci: [num(row[4]), num(row[5])],
        pHolm: /^[\d.]+$/.test(p) ? Number(p) : null,
        pHolmText: p,
        pWilcoxonText: row[7].trim(),
        pImproveText: row[8].trim(),
      });
    }
  }
  return out.filter((s) => s.pairs.length);
}

/** A pair's paired-t statistics from the printed mean difference and 95% CI (fractions). */
export function reconstruct(p: PublishedPair, n: number): PairStats {
  const diff = p.diff / 100;
  const se = (p.ci[1] - p.ci[0]) / 200 / t975(n - 1);
  return {
    paired: true,
    n,
    nA: n,
    nB: n,
    diff,
    ci95: [p.ci[0] / 100, p.ci[1] / 100],
    pT: tTwoSided(diff / se, n - 1),
    pWilcoxon: null,
    pImprove: null,
    se,
    df: n - 1,
    sdDiff: se * Math.sqrt(n),
    divergedA: 0,
    divergedB: 0,
  };
}

export interface Restated {
  setting: PublishedSetting;
  family: { name: string; size: number };
  rows: {
    pair: Pick<PublishedPair, "labelA" | "labelB" | "pHolmText" | "pWilcoxonText" | "pImproveText">;
    stats: Pick<PairStats, "diff" | "ci95">;
    judgement: Judgement;
  }[];
  /** The literature's claims the setting was run to test, each one-sided, Holm over them. */
  claims: HypothesisResult[];
}

/** The claims each setting was run to test (cell heads: a label before " · "). */
const CLAIMS: [RegExp, [string, string][]][] = [
  [/^Clean/, [["focal γ=2", "ce"], ["focal γ=0.5", "ce"], ["focal γ=2", "focal γ=0.5"]]],
  [/^Long-tailed/, [["cb_focal β=0.9999 γ=2", "ce"], ["balanced_softmax", "ce"]]],
  [/^40% symmetric/, [
    ["mae", "ce"],
    ["gce q=0.7", "ce"],
    ["sce α=0.1 β=1", "ce"],
    ["nce_rce α=1 β=1", "ce"],
  ]],
  [/^40% asymmetric/, [["gce q=0.7", "ce"], ["sce α=0.1 β=1", "ce"], [
    "nce_rce α=1 β=1",
    "ce",
  ]]],
  [/MLP/, [["gce q=0.7", "ce"]]],
];

const headOf = (label: string) => label.split(" · ")[0];

/** A − B from the published pair in either orientation. */
function oriented(pairs: PublishedPair[], stats: PairStats[], a: string, b: string): PairStats {
  const k = pairs.findIndex((p) => headOf(p.labelA) === a && headOf(p.labelB) === b);
  if (k >= 0) return stats[k];
  const r = pairs.findIndex((p) => headOf(p.labelA) === b && headOf(p.labelB) === a);
  if (r < 0) throw new Error(`no published pair ${a} / ${b}`);
  const s = stats[r];
  return { ...s, diff: -s.diff!, ci95: [-s.ci95![1], -s.ci95![0]] };
}

function claimsOf(setting: PublishedSetting, stats: PairStats[]): HypothesisResult[] {
  const claims = CLAIMS.find(([re]) => re.test(setting.title))?.[1] ?? [];
  const heads = [...new Set(claims.flat())];
  const cells = heads.map((h) => ({ key: h, label: h }));
  return testHypotheses(
    claims.map(([better, than]) => ({ better, than })),
    cells,
    (i, j) => oriented(setting.pairs, stats, heads[i], heads[j]),
    "testAcc",
  );
}

/** Each setting is one condition and one model, so its pairs are one family (unchanged). */
export function restate(settings: PublishedSetting[], delta = metricDelta("testAcc")!): Restated[] {
  return settings.map((setting) => {
    const stats = setting.pairs.map((p) => reconstruct(p, setting.n));
    const family = { name: `losses within “${setting.title}”`, size: stats.length };
    const judged = judgeFamily(stats, { metric: "testAcc", delta, size: stats.length });
    return {
      setting,
      family,
      claims: claimsOf(setting, stats),
      rows: setting.pairs.map((pair, k) => ({
        pair,
        stats: stats[k],
        judgement: judged[k],
        verdict: verdictOf(stats[k], judged[k], {
          labelA: pair.labelA,
          labelB: pair.labelB,
          metric: "testAcc",
          family,
        }),
      })),
    };
  });
}

export const pts = (x: number | null, signed = false) =>
  x === null ? "–" : `${signed && x > 0 ? "+" : ""}${(100 * x).toFixed(2)}`.replace("-", "−");

export const pText = (x: number | null) =>
  x === null ? "–" : x < 0.001 ? "< 0.001" : (x >= 0.1 ? x.toFixed(2) : x.toPrecision(2));

function outcomeText(row: Restated["rows"][number]): string {
  const j = row.judgement;
  switch (j.outcome) {
    case "A better":
      return `${row.pair.labelA} better`;
    case "B better":
      return `${row.pair.labelB} better`;
    case "equivalent":
      return "equivalent within ±0.50";
    default:
      return `inconclusive: detects ≥ ${pts(j.mde)} at this n; ${j.seedsNeeded ?? "–"} seeds to ` +
        `detect ±0.50`;
  }
}

export const CAPTION = "Pairwise comparisons of final test accuracy";

/** One setting's re-stated table and claims, as markdown lines. */
export function settingMarkdown(r: Restated, live = false): string[] {
  // `live`: from the service's own statistics over the per-seed values (deno task study).
  const star = live ? "" : "*";
  const md = [
    `${CAPTION} (paired by seed; family: the ${r.family.size} pair${
      r.family.size > 1 ? "s" : ""
    } of losses within this setting's condition and model, Holm; δ = ±0.50 points${
      live ? "" : "; re-stated from the printed means and CIs, see above"
    }):`,
    "",
    `| pair | difference (points) | 95% CI (per comparison) | CI at the verdict's level (Holm-consistent) | p (t, Holm)${star} | p (Wilcoxon, Holm)${star} | P(A > B)${star} | p (TOST ±0.50, Holm) | verdict |`,
    "|---|---:|---|---|---:|---:|---:|---:|---|",
  ];
  for (const row of r.rows) {
    const j = row.judgement;
    const fam = j.ciFamily
      ? `${formatLevel(j.ciFamily.level)}: [${pts(j.ciFamily.ci[0])}, ${pts(j.ciFamily.ci[1])}]`
      : "–";
    md.push(
      `| ${row.pair.labelA} − ${row.pair.labelB} | ${pts(row.stats.diff)} | ` +
        `[${pts(row.stats.ci95![0])}, ${
          pts(row.stats.ci95![1])
        }] | ${fam} | ${row.pair.pHolmText} | ${row.pair.pWilcoxonText} | ${row.pair.pImproveText} | ${
          pText(j.pTostHolm)
        } | ` +
        `${outcomeText(row)} |`,
    );
  }
  md.push("");
  if (r.claims.length) {
    md.push(
      `The claims this setting was run to test, each one-sided (Holm over the ${r.claims.length}):`,
      "",
      ...r.claims.map((h) => `- ${h.verdict}`),
      "",
    );
  }
  return md;
}

/** docs/results.md with each setting's pair table (caption to the blank line after the table and
 * its claims) replaced by the re-stated one. */
export function rewrite(md: string, all: Restated[]): string {
  const lines = md.split("\n");
  const out: string[] = [];
  let setting = -1;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith("## ")) setting++;
    if (!lines[i].startsWith(CAPTION)) {
      out.push(lines[i]);
      continue;
    }
    const r = all.find((x) =>
      lines.slice(0, i).reverse().find((l) => l.startsWith("## ")) === `## ${x.setting.title}`
    );
    if (!r) throw new Error(`no re-stated table for setting ${setting}`);
    // Skip the old caption, table and claims up to "**What it shows.**".
    while (i + 1 < lines.length && !lines[i + 1].startsWith("**What it shows.**")) i++;
    out.push(...settingMarkdown(r));
  }
  return out.join("\n");
}

const PUBLISHED = new URL("./published_pairs.json", import.meta.url);

if (import.meta.main) {
  const file = "docs/results.md";
  if (Deno.args.includes("--extract")) {
    // Once, from the page as `deno task study` wrote it on 2026-11-29.
    const settings = parseResults(await Deno.readTextFile(file));
    await Deno.writeTextFile(PUBLISHED, JSON.stringify(settings, null, 1) + "\n");
  } else {
    const settings: PublishedSetting[] = JSON.parse(await Deno.readTextFile(PUBLISHED));
    const all = restate(settings);
    if (Deno.args.includes("--write")) {
      await Deno.writeTextFile(file, rewrite(await Deno.readTextFile(file), all));
    } else {
      for (const r of all) console.log(settingMarkdown(r).join("\n"));
    }
  }
}
