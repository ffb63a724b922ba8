// What each setting of the study shows, in words: the findings under its tables and the
// one-sided claims it was run to test, all read from the service's statistics.
import { pText, pts as points } from "./restate.ts";
import type { StudySetting } from "./settings.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** Cells ranked by mean of a metric at the summary point (higher first unless a loss). */
export function ranking(stats: Json, metric: string): Json[] {
  const sign = metric === "testLoss" || metric === "ece" ? 1 : -1;
  return [...stats.cells]
    .filter((c: Json) => c.summary[metric]?.mean !== null && c.summary[metric] !== undefined)
    .sort((a: Json, b: Json) => sign * (a.summary[metric].mean - b.summary[metric].mean));
}

/** A cell picked by its loss (and focal's γ, when given). */
export type Pick = { loss: string; gamma?: number };
export const picks = (c: Json, p: Pick) =>
  c.loss === p.loss && (p.gamma === undefined || c.params.gamma === p.gamma);
const name = (p: Pick) => (p.gamma === undefined ? p.loss : `${p.loss} γ=${p.gamma}`);

/** A against B on the compared metric: the signed difference, its Holm p and its words. */
export function against(stats: Json, view: Json, a: Pick, b: Pick) {
  const ka = view.cells.find((c: Json) => picks(c, a))?.key;
  const kb = view.cells.find((c: Json) => picks(c, b))?.key;
  const p = stats.comparisons.find((x: Json) =>
    (x.a === ka && x.b === kb) || (x.a === kb && x.b === ka)
  );
  if (!p || p.diff === null) return { p, diff: null, holm: null, words: "not compared" };
  const diff = (p.a === ka ? 1 : -1) * p.diff;
  const holm: number | null = p.pTHolm;
  const pts = `${diff > 0 ? "+" : "−"}${Math.abs(100 * diff).toFixed(2)} points`;
  const ph = holm === null ? "" : `p(Holm) ${holm < 0.001 ? "< 0.001" : `= ${pText(holm)}`}`;
  const words = holm === null
    ? `${pts}, no test possible (${p.reason ?? "too few seeds"})`
    : p.outcome === "A better" || p.outcome === "B better"
    ? `${pts}, significant (${ph})`
    : p.outcome === "equivalent"
    ? `${pts}, equivalent within ±0.50 points (${ph}, TOST p(Holm) = ${pText(p.pTostHolm)})`
    : `${pts}, inconclusive (${ph}; ${points(p.mde)} points detectable at n = ${p.n}, ` +
      `${p.seedsNeeded} seeds needed for 0.5)`;
  return { p, diff, holm, words };
}

export const mean = (stats: Json, view: Json, c: Pick, metric: string): number | null => {
  const key = view.cells.find((x: Json) => picks(x, c))?.key;
  return stats.cells.find((x: Json) => x.key === key)?.summary[metric]?.mean ?? null;
};
export const pctOf = (x: number | null) => (x === null ? "–" : `${(100 * x).toFixed(1)}%`);
export const head = (label: string) => label.split(" · ")[0];

/** Focal γ=2 against CE on calibration, and which way the focal runs are off. */
function calibrationSentence(stats: Json, view: Json): string {
  const f2: Pick = { loss: "focal", gamma: 2 };
  const [eF, eC] = [mean(stats, view, f2, "ece"), mean(stats, view, { loss: "ce" }, "ece")];
  // Mean confidence minus accuracy over the focal runs' final test sets.
  // A tuning trial has no test split (no reliability); its confirmation runs do.
  const gaps = view.runs.filter((r: Json) =>
    r.tune?.role !== "trial" && r.last?.reliability &&
    picks(view.cells.find((c: Json) => c.key === r.cellKey), f2)
  )
    .map((r: Json) => {
      const rel = r.last.reliability;
      const n = rel.count.reduce((a: number, b: number) => a + b, 0);
      const conf = rel.count.reduce(
        (a: number, c: number, i: number) => a + c * rel.confidence[i],
        0,
      );
      return conf / n - r.last.testAcc;
    });
  const gap = gaps.reduce((a: number, b: number) => a + b, 0) / Math.max(1, gaps.length);
  const way = gap < 0 ? "under-confident" : "over-confident";
  return `**Calibration** (focal loss is known for improving it, Mukhoti et al. 2020): focal γ=2 ` +
    `ends with an ECE of ${pctOf(eF)} against CE's ${pctOf(eC)}` +
    (eF !== null && eC !== null && eF > eC
      ? `, so the claim does not hold here: its mean confidence is ${pctOf(Math.abs(gap))} ` +
        `${gap < 0 ? "below" : "above"} its accuracy (${way}; see the reliability diagrams below).`
      : `, so the claim holds here (mean confidence ${pctOf(Math.abs(gap))} ${
        gap < 0 ? "below" : "above"
      } accuracy).`);
}

/** CE's memorisation from the first to the last epoch, against the chance level. */
function memorisationTrend(stats: Json, view: Json, chance: number): string {
  const key = view.cells.find((c: Json) => c.loss === "ce")?.key;
  const rows = stats.cells.find((c: Json) => c.key === key)?.perEpoch.trainAccNoisy ?? [];
  if (!rows.length) return "";
  const [first, last] = [rows[0].mean, rows[rows.length - 1].mean];
  const above = last - chance;
  return `CE's goes from ${pctOf(first)} at epoch 1 to ${pctOf(last)} at epoch ${
    rows[rows.length - 1].epoch
  }: ${
    Math.abs(above) < 0.005
      ? "at chance, so this model does not memorise the noise."
      : above > 0
      ? `${(100 * above).toFixed(1)} points above chance, so CE fits a little of the noise.`
      : "below chance."
  }`;
}

/**
 * What a set of claims ("X beats CE") comes to: it holds where X is decided better, is refuted
 * where X is decided worse, and is untested where the pair is inconclusive at this n.
 */
export function claimStatus(xs: { name: string; diff: number | null; holm: number | null }[]) {
  const decided = (x: { holm: number | null }) => x.holm !== null && x.holm < 0.05;
  const holds = xs.filter((x) => decided(x) && x.diff! > 0).map((x) => x.name);
  const refuted = xs.filter((x) => decided(x) && x.diff! < 0).map((x) => x.name);
  const untested = xs.filter((x) => !decided(x)).map((x) => x.name);
  if (holds.length === xs.length) return "holds";
  const parts = [
    holds.length ? `holds for ${holds.join(", ")}` : "",
    refuted.length ? `is refuted for ${refuted.join(", ")}` : "",
    untested.length ? `is untested at this n for ${untested.join(", ")}` : "",
  ].filter(Boolean);
  return parts.length > 1
    ? `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`
    : parts[0] ?? "is untested";
}

export function findings(s: StudySetting, view: Json, stats: Json): string[] {
  const rank = ranking(stats, "testAcc");
  const order = rank.map((c: Json) =>
    `${head(c.label)} ${(100 * c.summary.testAcc.mean).toFixed(2)}%`
  );
  const sig = stats.comparisons.filter((p: Json) => p.pTHolm !== null && p.pTHolm < 0.05);
  const count = (o: string) => stats.comparisons.filter((p: Json) => p.outcome === o).length;
  const byEce = ranking(stats, "ece").map((c: Json) =>
    `${head(c.label)} ${pctOf(c.summary.ece.mean)}`
  );
  const out = [
    `Ranking by mean final test accuracy: ${order.join(" > ")}. ` +
    `${sig.length} of ${stats.comparisons.length} pairwise differences are significant after ` +
    `Holm's correction (paired t-test over seeds, α = 0.05); ${count("equivalent")} shown ` +
    `equivalent within ±0.5 points, ${count("inconclusive")} inconclusive.`,
    `Calibration, best first (ECE at the final epoch): ${byEce.join(", ")}.`,
  ];
  const ce: Pick = { loss: "ce" };
  if (s.id === "clean") {
    const f2 = against(stats, view, { loss: "focal", gamma: 2 }, ce);
    const f05 = against(stats, view, { loss: "focal", gamma: 0.5 }, ce);
    const f2f05 = against(stats, view, { loss: "focal", gamma: 2 }, { loss: "focal", gamma: 0.5 });
    const l1 = mean(stats, view, { loss: "l1" }, "testAcc");
    const status = claimStatus([
      { name: "focal γ=2 > CE", ...f2 },
      { name: "focal γ=0.5 > CE", ...f05 },
      { name: "focal γ=2 > focal γ=0.5", ...f2f05 },
    ]);
    out.push(
      `**The report's ranking** (focal γ=2 > focal γ=0.5 > CE ≫ L1, L1 near 10%) ` +
        `${status} here. ` +
        `Focal γ=2 against CE: ${f2.words}; focal γ=0.5 against CE: ${f05.words}; ` +
        `focal γ=2 against focal γ=0.5: ${f2f05.words}. ` +
        `L1 is far behind every other loss but not stuck at chance: ${pctOf(l1)} on average.`,
      calibrationSentence(stats, view),
    );
  }
  if (s.id === "noise" || s.id === "asym" || s.id === "capacity" || s.group === "human") {
    const robust = ["mae", "gce", "sce", "nce_rce"].filter((l) =>
      view.cells.some((c: Json) => c.loss === l)
    );
    const lines = robust.map((l) => `${l}: ${against(stats, view, { loss: l }, ce).words}`);
    const status = claimStatus(
      robust.map((l) => ({ name: l, ...against(stats, view, { loss: l }, ce) })),
    );
    out.push(
      `**The literature's claim** (MAE, GCE, SCE and NCE+RCE resist label noise where CE ` +
        `memorises it) ${status} at this scale. Against CE: ${lines.join("; ")}.`,
    );
    const memo = view.cells.map((c: Json) => {
      const m = mean(stats, view, { loss: c.loss, gamma: c.params.gamma }, "trainAccNoisy");
      return `${c.loss} ${pctOf(m)}`;
    });
    const ceClean = mean(stats, view, ce, "trainAccClean");
    out.push(
      `**Memorisation** (train accuracy on the flipped samples, against their wrong labels, at ` +
        `the last epoch): ${memo.join(", ")}.` +
        ((s.id === "noise" || s.id === "capacity") && ceClean !== null
          ? ` A model that ignores the flips matches a flipped sample's label only by chance: about ` +
            `(1 − ${pctOf(ceClean)}) / 9 = ${pctOf((1 - ceClean) / 9)} with CE's accuracy on the ` +
            `clean samples. ${memorisationTrend(stats, view, (1 - ceClean) / 9)}`
          : s.group === "human"
          ? ` Human flips concentrate on similar classes (truck ↔ automobile, cat ↔ dog), so ` +
            `a model that confuses those classes matches the given label without memorising it.`
          : s.id === "asym"
          ? ` Asymmetric flips go to a similar class (cat ↔ dog, truck → automobile), so a model ` +
            `that confuses those classes matches the given label without memorising it; this ` +
            `figure is not a clean memorisation measure here.`
          : ""),
    );
  }
  if (s.id === "lt") {
    const lines = [
      { loss: "cb_focal" },
      { loss: "balanced_softmax" },
      { loss: "focal", gamma: 2 },
    ].map((p) => `${name(p)}: ${against(stats, view, p, ce).words}`);
    const status = claimStatus(
      ["cb_focal", "balanced_softmax"].map((l) => ({
        name: l,
        ...against(stats, view, { loss: l }, ce),
      })),
    );
    const worst = view.cells.map((c: Json) =>
      `${c.loss} ${
        pctOf(mean(stats, view, { loss: c.loss, gamma: c.params.gamma }, "worstClassAcc"))
      }`
    );
    out.push(
      `**The literature's claim** (class-balanced losses and balanced softmax beat CE on ` +
        `long-tailed data) ${status} at this scale. Against CE: ${
          lines.join("; ")
        }. The test set is balanced, so test ` +
        `accuracy equals balanced accuracy here. Worst-class test accuracy: ${worst.join(", ")}.`,
    );
  }
  return out;
}

/** The claims a setting was run to test, as the API's `hypothesis` query ("A>B" by label). */
export function claimsQuery(s: StudySetting, view: Json): string {
  const label = (loss: string, gamma?: number) =>
    view.cells.find((c: Json) => picks(c, { loss, gamma }))?.label;
  const pairs: [string | undefined, string | undefined][] = s.id === "clean"
    ? [[label("focal", 2), label("ce")], [label("focal", 0.5), label("ce")], [
      label("focal", 2),
      label("focal", 0.5),
    ]]
    : s.id === "lt"
    ? [[label("cb_focal"), label("ce")], [label("balanced_softmax"), label("ce")]]
    : ["mae", "gce", "sce", "nce_rce"].map((l) => [label(l), label("ce")]);
  return pairs.filter(([a, b]) => a && b)
    .map(([a, b]) => `&hypothesis=${encodeURIComponent(`${a}>${b}`)}`).join("");
}
