// What a tuned setting shows, in words (findings.ts's style), all read from the service's
// statistics of both comparisons and its tuning view: the rankings, where tuning changed a
// verdict, each robust loss against CE at its own best settings, whether MAE and NCE+RCE still
// fail there (against chance), what tuning gained per loss, whether the budget sufficed, and
// memorisation at the tuned settings.
import { against, claimStatus, pctOf, type Pick } from "./findings.ts";
import { pText } from "./restate.ts";
import {
  bothRows,
  cellNames,
  COMPARISON,
  noisyVal,
  TUNE_METRIC,
  type TunedData,
  tuningGain,
  valueText,
} from "./tuned.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** "Near chance": within this many points (as a fraction) above the chance level. */
export const NEAR_CHANCE = 0.1;
/** A budget curve still rising by more than this at its last trial may gain from more trials. */
const STILL_RISING = 0.005;

const ROBUST = ["mae", "gce", "sce", "nce_rce"];
const summary = (stats: Json | null, key: string, metric: string) =>
  stats?.cells.find((c: Json) => c.key === key)?.summary[metric] ?? null;

/** Where a test accuracy stands against chance: its mean and 95% CI, in words. */
export function chanceStatus(s: Json | null, chance: number) {
  if (!s || s.mean === null) return { fails: null, words: "not measured" };
  const above = s.mean - chance;
  const ci = s.ci95 ? ` (95% CI [${pctOf(s.ci95[0])}, ${pctOf(s.ci95[1])}])` : "";
  if (s.ci95 && s.ci95[0] <= chance) {
    return {
      fails: true,
      words: `${pctOf(s.mean)}${ci}: not distinguishable from chance (${pctOf(chance)})`,
    };
  }
  if (above < NEAR_CHANCE) {
    return {
      fails: true,
      words: `${pctOf(s.mean)}${ci}: near chance, ${(100 * above).toFixed(1)} points above ${
        pctOf(chance)
      }`,
    };
  }
  return {
    fails: false,
    words: `${pctOf(s.mean)}${ci}: ${(100 * above).toFixed(1)} points above chance (${
      pctOf(chance)
    })`,
  };
}

/** The chosen configuration of a cell, as "lr 0.0447, q = 0.412". */
function chosenText(d: TunedData, key: string): string {
  const c = d.tuning.cells.find((x: Json) => x.key === key);
  if (!c?.chosen) return "no trial finished";
  return Object.entries(c.chosen.values).map(([k, v]) =>
    k.startsWith("params.") ? `${k.slice(7)} = ${valueText(v)}` : `${k} ${valueText(v)}`
  ).join(", ").replace(/\balpha =/g, "α =").replace(/\bbeta =/g, "β =");
}

function rankingText(stats: Json | null, names: Map<string, string>): string {
  if (!stats) return "–";
  return [...stats.cells]
    .filter((c: Json) => c.summary.testAcc?.mean !== null && c.summary.testAcc !== undefined)
    .sort((a: Json, b: Json) => b.summary.testAcc.mean - a.summary.testAcc.mean)
    .map((c: Json) => `${names.get(c.key)} ${(100 * c.summary.testAcc.mean).toFixed(2)}%`)
    .join(" > ");
}

const significant = (stats: Json | null) =>
  (stats?.comparisons ?? []).filter((p: Json) => p.pTHolm !== null && p.pTHolm < 0.05).length;

/** The budget curves: what the last trial added per loss, and where the validation leader changes. */
function budgetSentence(d: TunedData, names: Map<string, string>): string {
  const tv = d.tuning;
  const sign = tv.direction === "lower" ? -1 : 1;
  const curves = tv.cells.filter((c: Json) => c.expectedBest.length > 0);
  if (!curves.length) return "";
  const N = Math.max(...curves.map((c: Json) => c.expectedBest.length));
  const pct = /Acc|F1/.test(tv.metric);
  const fmt = (x: number) => pct ? `${(100 * x).toFixed(1)}%` : x.toFixed(4);
  const last: { name: string; best: number; gain: number | null }[] = curves.map((c: Json) => {
    const eb = c.expectedBest;
    const gain = eb.length > 1 ? sign * (eb.at(-1).mean - eb.at(-2).mean) : null;
    return { name: names.get(c.key)!, best: eb.at(-1).mean as number, gain };
  });
  const rising = last.filter((x) => x.gain !== null && x.gain > STILL_RISING).map((x) => x.name);
  // The loss with the best expected best score at each n (curves shorter than n drop out).
  const leaders: string[] = [];
  for (let n = 1; n <= N; n++) {
    const at = curves.filter((c: Json) => c.expectedBest.length >= n);
    const top = at.reduce((a: Json, b: Json) =>
      sign * (b.expectedBest[n - 1].mean - a.expectedBest[n - 1].mean) > 0 ? b : a
    );
    leaders.push(names.get(top.key)!);
  }
  const changes = leaders.map((l, i) => ({ l, n: i + 1 }))
    .filter((x, i) => i === 0 || x.l !== leaders[i - 1]);
  return `**Budget** (the expected best ${
    TUNE_METRIC[tv.metric] ?? tv.metric
  } of n trials, Dodge et al. 2019): at n = ${N}, ${
    last.map((x) =>
      `${x.name} ${fmt(x.best)}${
        x.gain === null ? "" : ` (the last trial added ${(100 * x.gain).toFixed(1)} points)`
      }`
    ).join(", ")
  }. ${
    rising.length
      ? `Still rising by more than ${(100 * STILL_RISING).toFixed(1)} points at the last trial: ${
        rising.join(", ")
      }, so a larger budget might still change ` +
        `their choice.`
      : `No loss's curve still rises by more than ${
        (100 * STILL_RISING).toFixed(1)
      } points at the last trial: the budget sufficed by that measure.`
  } ${
    changes.length > 1
      ? `The validation leader depends on the budget: ${
        changes.map((x, i) =>
          `${x.l} from n = ${x.n}${i + 1 < changes.length ? ` to ${changes[i + 1].n - 1}` : ""}`
        ).join(", ")
      }.`
      : `${leaders[0]} leads at every budget from 1 to ${N} trials.`
  }`;
}

export function tunedFindings(d: TunedData): string[] {
  const names = cellNames(d);
  const { exp, tuned, defaults } = d;
  const out: string[] = [];
  const rows = bothRows(d);
  const changed = rows.filter((r) => r.changed);
  out.push(
    `Ranking by mean final test accuracy ${COMPARISON.tuned}: ${rankingText(tuned, names)}; ` +
      `${COMPARISON.defaults}: ${rankingText(defaults, names)}. ${significant(tuned)} of ` +
      `${tuned.comparisons.length} pairwise differences are significant after Holm's ` +
      `correction ${COMPARISON.tuned}` +
      (defaults ? `, ${significant(defaults)} ${COMPARISON.defaults}` : "") + ".",
  );
  if (defaults) {
    out.push(
      changed.length
        ? `**Tuning changed ${changed.length} of ${rows.length} verdicts:** ${
          changed.map((r) => `${r.pair} (${r.defaultsText} → ${r.tunedText})`).join("; ")
        }.`
        : `**Tuning changed none of the ${rows.length} verdicts.**`,
    );
  }
  const ce: Pick = { loss: "ce" };
  const robust = ROBUST.filter((l) => exp.cells.some((c: Json) => c.loss === l));
  const name = (l: string) => names.get(exp.cells.find((c: Json) => c.loss === l).key)!;
  if (robust.length && exp.cells.some((c: Json) => c.loss === "ce")) {
    const at = (stats: Json) =>
      robust.map((l) => ({ name: name(l), ...against(stats, exp, { loss: l }, ce) }));
    const t = at(tuned);
    out.push(
      `**The literature's claim at each loss's own best settings** (${
        robust.map(name).join(", ")
      } resist label noise where CE memorises it) ${claimStatus(t)} at this scale. Against CE ` +
        `${COMPARISON.tuned}: ${t.map((x) => `${x.name}: ${x.words}`).join("; ")}.` +
        (defaults
          ? ` ${COMPARISON.defaults[0].toUpperCase()}${COMPARISON.defaults.slice(1)} ` +
            `it ${claimStatus(at(defaults))}.`
          : ""),
    );
  }
  const classes = exp.runs.find((r: Json) => r.classes)?.classes.length ?? 10;
  const chance = 1 / classes;
  const failing = ["mae", "nce_rce"].filter((l) => exp.cells.some((c: Json) => c.loss === l));
  if (failing.length) {
    const lines = failing.map((l) => {
      const key = exp.cells.find((c: Json) => c.loss === l).key;
      const t = chanceStatus(summary(tuned, key, "testAcc"), chance);
      const d0 = chanceStatus(summary(defaults, key, "testAcc"), chance);
      const answer = failAnswer(t.fails, defaults ? d0.fails : null);
      return `${name(l)}: ${answer}. At its own best settings (${chosenText(d, key)}) it reaches ` +
        `${t.words}` + (defaults ? `; ${COMPARISON.defaults}, ${d0.words}` : "") +
        (exp.cells.some((c: Json) => c.loss === "ce")
          ? `; against CE ${COMPARISON.tuned}: ${against(tuned, exp, { loss: l }, ce).words}`
          : "") +
        ".";
    });
    out.push(
      `**Do ${failing.map(name).join(" and ")} still fail at their own best settings?** ` +
        `(Failing: a mean final test accuracy within ${100 * NEAR_CHANCE} points of chance, ` +
        `${pctOf(chance)} for ${classes} classes, or a 95% CI that reaches it.) ${lines.join(" ")}`,
    );
  }
  if (defaults) {
    const gain = tuningGain(d);
    const below = gain.filter((g: Json) => g.diff !== null && g.diff < 0);
    const lower = below.filter((g: Json) => g.pHolm === null || g.pHolm >= 0.05);
    out.push(
      `**What tuning changed per loss** (final test accuracy, tuned − defaults, paired by seed, ` +
        `Holm over the ${gain.length}): ${
          gain.map((g: Json) =>
            `${names.get(g.key)} ${
              g.diff === null
                ? "–"
                : `${g.diff > 0 ? "+" : "−"}${Math.abs(100 * g.diff).toFixed(2)}`
            } points (p(Holm) ${
              g.pHolm === null ? "–" : g.pHolm < 0.001 ? "< 0.001" : `= ${pText(g.pHolm)}`
            })`
          ).join(", ")
        }.` +
        (lower.length
          ? ` ${
            lower.map((g: Json) => names.get(g.key)).join(", ")
          } scored lower ${COMPARISON.tuned} than ${COMPARISON.defaults}, within noise: each choice rests on ${
            d.exp.tune.seeds.length === 1
              ? "one tuning seed"
              : `${d.exp.tune.seeds.length} tuning seeds`
          }${
            noisyVal(d.exp) ? " and a validation split that carries the condition's noise" : ""
          }, so the selection is itself ` +
            `noisy; more tuning seeds (\`tune.seeds\`) average it out.`
          : "") +
        (below.length > lower.length
          ? ` Significantly lower ${COMPARISON.tuned} than ${COMPARISON.defaults}: ${
            below.filter((g: Json) => !lower.includes(g)).map((g: Json) => names.get(g.key)).join(
              ", ",
            )
          }.`
          : ""),
    );
  }
  const budget = budgetSentence(d, names);
  if (budget) out.push(budget);
  const ceKey = exp.cells.find((c: Json) => c.loss === "ce")?.key;
  const noisy = exp.cells.map((c: Json) => summary(tuned, c.key, "trainAccNoisy")?.mean ?? null);
  const ceClean = ceKey ? summary(tuned, ceKey, "trainAccClean")?.mean ?? null : null;
  if (noisy.some((x: number | null) => x !== null)) {
    out.push(
      `**Memorisation ${COMPARISON.tuned}** (train accuracy on the flipped samples, against ` +
        `their wrong labels, at the last epoch): ${
          exp.cells.map((c: Json, i: number) => `${names.get(c.key)} ${pctOf(noisy[i])}`).join(", ")
        }.` +
        (ceClean !== null
          ? ` A model that ignores the flips matches a flipped label by chance only: about ` +
            `(1 − ${pctOf(ceClean)}) / ${classes - 1} = ${
              pctOf((1 - ceClean) / (classes - 1))
            } with CE's accuracy on the clean samples.`
          : ""),
    );
  }
  return out;
}

/**
 * "Do they still fail?" in words, from whether the loss fails at its tuned settings and at the
 * shared defaults (null: not measured), so a loss that never failed isn't said to have recovered.
 */
export function failAnswer(tuned: boolean | null, defaults: boolean | null): string {
  if (tuned === null) return "not measured yet";
  if (tuned) {
    return defaults === false
      ? "**yes, it fails at its own best settings** (though not at the shared defaults)"
      : "**yes, it still fails**";
  }
  if (defaults === false) {
    return "**no, it does not fail** at its own best settings, nor at the shared defaults on " +
      "these seeds";
  }
  return defaults ? "**no, it no longer fails**" : "**no, it does not fail**";
}
