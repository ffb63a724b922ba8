// A tuned setting's tables on the study page (issue 19), pure functions of the service's
// answers (TunedData): the chosen configuration per loss with its validation score and the tie
// rule; the final-epoch tables, pairwise verdicts and claims of both comparisons side by side,
// with where tuning changed the verdict, and what tuning gained per loss. The section around
// them (figures, cost, findings) is tuned_section.ts.
import { compare } from "../../stats/compare.ts";
import { holm } from "../../stats/holm.ts";
import { pText, pts } from "./restate.ts";
import { cellText, NAMES } from "./compute.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** What the section reads: the experiment (with its runs), both comparisons, the tuning. */
export interface TunedData {
  /** GET /api/experiments/:id: cells, settings, tune, compare, every run. */
  exp: Json;
  /** `stats` of ?comparison=defaults, or null when the experiment holds only the tuned one. */
  defaults: Json | null;
  /** `stats` of ?comparison=tuned. */
  tuned: Json;
  /** GET /api/experiments/:id/tuning. */
  tuning: Json;
}

export const COMPARISON = { defaults: "at the shared defaults", tuned: "at tuned settings" };

const SYMBOL: Record<string, string> = { alpha: "α", beta: "β", gamma: "γ" };
export const sym = (p: string) => SYMBOL[p] ?? p;
/** A searched value as the page prints it: 3 significant digits. */
export const valueText = (v: unknown) =>
  typeof v === "number" ? String(Number(v.toPrecision(3))) : String(v);

/** The loss parameters a cell's tuning searched ("q", "alpha"), from its trials' values. */
function searched(tv: Json, i: number): string[] {
  const keys = Object.keys(tv.cells[i]?.trials[0]?.values ?? {});
  return keys.filter((k) => k.startsWith("params.")).map((k) => k.slice(7));
}

/**
 * Each cell's name on the page, one for both comparisons: the head of its label in the tuning
 * view, which the service writes less the parameters tuning searched ("gce", "focal γ=2").
 */
export function cellNames(d: TunedData): Map<string, string> {
  return new Map(
    d.tuning.cells.map((c: Json) => [c.key as string, String(c.label).split(" · ")[0]]),
  );
}

const isPct = (metric: string) => /Acc|F1/.test(metric);
/** The tuning metrics (tune.metric), as the page names them. */
export const TUNE_METRIC: Record<string, string> = {
  valAcc: "validation accuracy",
  valLoss: "validation loss",
  valF1: "validation macro F1",
};
const metricValue = (x: number | null, metric: string) =>
  x === null ? "–" : isPct(metric) ? `${(100 * x).toFixed(2)}%` : x.toFixed(4);

/** The chosen configuration per loss, its validation score, the trials' fates and the ties. */
export function chosenTable(d: TunedData): string[] {
  const { exp, tuning: tv } = d;
  const names = cellNames(d);
  const other = Object.keys(exp.tune.space).filter((k) => k !== "lr" && !k.startsWith("params."));
  const point = tv.point === "best" ? "at its best epoch" : "at its last epoch";
  const md = [
    `| loss | chosen trial | lr (shared: ${valueText(exp.settings.lr)}) | ${
      other.map((k) => `${k} (shared: ${valueText(exp.settings[k])}) | `).join("")
    }own parameters (declared) | ${TUNE_METRIC[tv.metric] ?? tv.metric} ${point} | ` +
    "trials done / pruned / failed |",
    `|---|---:|---:|${other.map(() => "---:|").join("")}---|---:|---|`,
  ];
  const ties: string[] = [];
  tv.cells.forEach((c: Json, i: number) => {
    const cell = exp.cells[i];
    const fates = ["done", "pruned", "failed"].map((s) =>
      c.trials.filter((t: Json) => t.status === s).length
    );
    const name = names.get(c.key);
    if (!c.chosen) {
      md.push(
        `| ${name} | none finished | – | ${other.map(() => "– | ").join("")}– | – | ${
          fates.join(" / ")
        } |`,
      );
      return;
    }
    const v = c.chosen.values;
    const own = searched(tv, i).map((p) =>
      `${sym(p)} = ${valueText(v[`params.${p}`])}${
        cell.params[p] === undefined ? "" : ` (${valueText(cell.params[p])})`
      }`
    );
    md.push(
      `| ${name} | ${c.chosen.trial} | ${valueText(v.lr)} | ${
        other.map((k) => `${valueText(v[k])} | `).join("")
      }${own.join(", ") || "–"} | ${metricValue(c.chosen.value, tv.metric)} | ${
        fates.join(" / ")
      } |`,
    );
    const tied = c.trials.filter((t: Json) =>
      t.status === "done" && t.value === c.chosen.value && t.trial !== c.chosen.trial
    ).map((t: Json) => t.trial);
    if (tied.length) {
      ties.push(
        `${name}: trials ${[c.chosen.trial, ...tied].sort((a, b) => a - b).join(", ")} tied at ${
          metricValue(c.chosen.value, tv.metric)
        }, so trial ${c.chosen.trial} was chosen`,
      );
    }
  });
  const better = tv.direction === "higher" ? "highest" : "lowest";
  md.push(
    "",
    `**Selection.** Each loss runs the trial with the ${better} ${
      TUNE_METRIC[tv.metric] ?? tv.metric
    } ${point} among ` +
      `those that reached the last rung; **ties go to the lower trial index**, and a trial that ` +
      `diverged has no value and is never chosen. ` +
      (ties.length ? `Ties here: ${ties.join("; ")}.` : "No loss had a tie at the top."),
    "",
  );
  return md;
}

/** Final test accuracy per seed of a cell's runs in one comparison. */
function perSeed(exp: Json, key: string, role: "confirm" | undefined, metric = "testAcc") {
  const runs = exp.runs.filter((r: Json) =>
    r.cellKey === key && r.status === "done" && r.last && r.tune?.role === role
  );
  return {
    values: runs.map((r: Json) => r.last[metric] as number),
    seeds: runs.map((r: Json) => r.config.seed as number),
  };
}

/** What tuning did to each loss: tuned − defaults, paired by seed, Holm over the losses. */
export function tuningGain(
  d: TunedData,
): { key: string; diff: number | null; n: number; pHolm: number | null }[] {
  const pairs = d.exp.cells.map((c: Json) =>
    compare(perSeed(d.exp, c.key, "confirm"), perSeed(d.exp, c.key, undefined), {
      resolution: 1e-4,
    })
  );
  const adjusted = holm(pairs.map((p: Json) => p.pT));
  return d.exp.cells.map((c: Json, i: number) => ({
    key: c.key as string,
    diff: pairs[i].diff as number | null,
    n: pairs[i].n as number,
    pHolm: adjusted[i],
  }));
}

const summaryOf = (stats: Json | null, key: string, metric: string) =>
  stats?.cells.find((c: Json) => c.key === key)?.summary[metric];

/** The final-epoch tables of both comparisons side by side, with what tuning gained. */
export function finalTables(d: TunedData, extra: string[]): string[] {
  const names = cellNames(d);
  const gain = tuningGain(d);
  const md = [
    `Final test accuracy (%), mean ± sd over the same ${d.exp.seeds.length} seeds in both ` +
    `comparisons, and what tuning changed (tuned − defaults, paired by seed, paired t-test, ` +
    `Holm over the ${gain.length} losses):`,
    "",
    `| loss | ${COMPARISON.defaults} | ${COMPARISON.tuned} | tuned − defaults (points) | p (Holm) |`,
    "|---|---:|---:|---:|---:|",
  ];
  for (const c of d.exp.cells) {
    const g = gain.find((x: Json) => x.key === c.key)!;
    md.push(
      `| ${names.get(c.key)} | ${cellText(summaryOf(d.defaults, c.key, "testAcc"), "testAcc")} | ${
        cellText(summaryOf(d.tuned, c.key, "testAcc"), "testAcc")
      } | ${pts(g.diff, true)} | ${pText(g.pHolm)} |`,
    );
  }
  const cols = ["f1", "ece", ...extra];
  md.push(
    "",
    "The other final-epoch metrics, mean ± sd (defaults | tuned):",
    "",
    `| loss | ${cols.map((m) => `${NAMES[m] ?? m}: defaults | tuned`).join(" | ")} |`,
    `|---|${cols.map(() => "---:|---:").join("|")}|`,
  );
  for (const c of d.exp.cells) {
    md.push(
      `| ${names.get(c.key)} | ${
        cols.map((m) =>
          `${cellText(summaryOf(d.defaults, c.key, m), m, false)} | ${
            cellText(summaryOf(d.tuned, c.key, m), m, false)
          }`
        ).join(" | ")
      } |`,
    );
  }
  md.push("");
  return md;
}

/** A decided verdict in the pair's names ("ce better"); null for an untested pair. */
function outcomeText(p: Json, names: Map<string, string>): string {
  if (p.outcome === "A better") return `${names.get(p.a)} better`;
  if (p.outcome === "B better") return `${names.get(p.b)} better`;
  if (p.outcome === "equivalent") return "equivalent within ±0.50";
  return p.outcome ?? "–";
}

/** The pairwise verdicts of both comparisons, one row per pair, and whether tuning changed it. */
export function bothRows(d: TunedData) {
  const names = cellNames(d);
  const key = (p: Json) => `${p.a}\n${p.b}`;
  const dc: Json[] = d.defaults?.comparisons ?? [];
  const tc: Json[] = d.tuned.comparisons ?? [];
  const pairs = [...dc, ...tc.filter((c) => !dc.some((x) => key(x) === key(c)))];
  return pairs.map((p) => {
    const a = dc.find((x) => key(x) === key(p)), b = tc.find((x) => key(x) === key(p));
    // As the dashboard's side-by-side table: only two decided answers can differ.
    const decided = (x: Json) => x?.outcome && x.outcome !== "untested";
    const verdict = (x: Json) => x ? outcomeText(x, names) : "not yet";
    const withP = (x: Json) =>
      x ? `${verdict(x)}${x.pTHolm === null ? "" : ` (p = ${pText(x.pTHolm)})`}` : "not yet";
    return {
      pair: `${names.get(p.a)} − ${names.get(p.b)}`,
      a: p.a as string,
      b: p.b as string,
      defaults: a ?? null,
      tuned: b ?? null,
      defaultsText: verdict(a),
      tunedText: verdict(b),
      defaultsCell: withP(a),
      tunedCell: withP(b),
      changed: decided(a) && decided(b) ? a.outcome !== b.outcome : null,
    };
  });
}

const diffCi = (p: Json | null) => {
  if (!p || p.diff === null) return "–";
  const ci = p.ciFamily?.ci ?? p.ci95;
  return `${pts(p.diff, true)} ${ci ? `[${pts(ci[0])}, ${pts(ci[1])}]` : ""}`.trim();
};

export function bothTable(d: TunedData): string[] {
  const rows = bothRows(d);
  const c0 = d.tuned.comparisons[0];
  return [
    `Both comparisons side by side, pair by pair: the mean difference in final test accuracy ` +
    `A − B (points) with its Holm-consistent CI, and the verdict with its p (t, Holm) (paired ` +
    `by seed; ` +
    `family: the ${c0?.familySize ?? rows.length} pairs of losses, Holm, in each comparison ` +
    `on its own runs; δ = ±0.50 points):`,
    "",
    `| pair | ${COMPARISON.defaults} | verdict | ${COMPARISON.tuned} | verdict | ` +
    `tuning changed the verdict? |`,
    "|---|---:|---|---:|---|---|",
    ...rows.map((r) =>
      `| ${r.pair} | ${diffCi(r.defaults)} | ${r.defaultsCell} | ${
        diffCi(r.tuned)
      } | ${r.tunedCell} | ${
        r.changed === null ? "–" : r.changed ? `**yes**: ${r.defaultsText} → ${r.tunedText}` : "no"
      } |`
    ),
    "",
  ];
}

/** The one-sided claims (X beats CE), Holm over them, in each comparison. */
export function claimsTable(d: TunedData): string[] {
  const names = cellNames(d);
  const text = (h: Json | undefined) =>
    !h || h.diff === null
      ? "–"
      : `${pts(h.diff, true)} points, p(Holm) ${
        h.pHolm < 0.001 ? "< 0.001" : `= ${pText(h.pHolm)}`
      }: ${h.supported ? "**supported**" : "not supported"}`;
  const claims: Json[] = d.tuned.hypotheses ?? [];
  if (!claims.length) return [];
  const find = (stats: Json | null, h: Json) =>
    stats?.hypotheses?.find((x: Json) => x.better === h.better && x.than === h.than);
  return [
    `The claims this setting tests, each one-sided (Holm over the ${claims.length}), in each comparison:`,
    "",
    `| claim | ${COMPARISON.defaults} | ${COMPARISON.tuned} |`,
    "|---|---|---|",
    ...claims.map((h) =>
      `| ${names.get(h.better)} beats ${names.get(h.than)} | ${text(find(d.defaults, h))} | ${
        text(h)
      } |`
    ),
    "",
  ];
}

/** Whether the experiment's conditions corrupt labels (its validation labels are then noisy too). */
export function noisyVal(exp: Json): boolean {
  return exp.cells.some((c: Json) =>
    c.condition?.labelNoise && c.condition.labelNoise.kind !== "none"
  );
}
