// An experiment's exports: every run × epoch with its cell's columns and seed,
// the per-cell summary at the chosen point, and the pairwise comparisons. Numbers
// keep 9 significant digits (ml/csv.ts), so the runs' values round-trip as float32.
import { CSV_COLUMNS, csvRow, formatNumber as num } from "../ml/csv.ts";
import { conditionLabel } from "../ml/cell.ts";
import type { EpochMetrics } from "../ml/types.ts";
import type { ExperimentStats } from "../stats/experiment.ts";
import type { Experiment, Run } from "./types.ts";

/** RFC 4180: quote fields holding a comma, quote or newline. */
export function csvField(v: unknown): string {
  const s = v === null || v === undefined ? "" : typeof v === "string" ? v : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const line = (fields: unknown[]) => fields.map(csvField).join(",");

function runsCsv(exp: Experiment, runs: Run[], epochs: EpochMetrics[][]): string {
  const head = [
    "experiment",
    "cell",
    "model",
    "loss",
    "params",
    "condition",
    "seed",
    "run_id",
    "status",
    ...CSV_COLUMNS,
  ];
  const out = [line(head)];
  runs.forEach((run, i) => {
    const c = run.config;
    const cell = [
      exp.id,
      run.label,
      c.model,
      c.loss,
      JSON.stringify(c.params),
      conditionLabel(c.condition),
      c.seed,
      run.id,
      run.status,
    ];
    for (const m of epochs[i] ?? []) out.push(line(cell) + "," + csvRow(m));
  });
  return out.join("\n") + "\n";
}

function summaryCsv(stats: ExperimentStats): string {
  const out = [
    line([
      "cell",
      "metric",
      "n",
      "mean",
      "sd",
      "se",
      "ci95_low",
      "ci95_high",
      "min",
      "max",
      "note",
    ]),
  ];
  for (const cell of stats.cells) {
    for (const [metric, s] of Object.entries(cell.summary)) {
      out.push(line([
        cell.label,
        metric,
        s.n,
        num(s.mean),
        num(s.sd),
        num(s.se),
        num(s.ci95?.[0]),
        num(s.ci95?.[1]),
        num(s.min),
        num(s.max),
        s.reason ?? "",
      ]));
    }
  }
  return out.join("\n") + "\n";
}

function comparisonsCsv(stats: ExperimentStats): string {
  const out = [line([
    "a",
    "b",
    "metric",
    "paired",
    "n",
    "diff",
    "ci95_low",
    "ci95_high",
    "p_t",
    "p_t_holm",
    "p_wilcoxon",
    "p_wilcoxon_holm",
    "p_improve",
    "family",
    "family_size",
    "correction",
    "ci_family_level",
    "ci_family_low",
    "ci_family_high",
    "delta",
    "p_tost",
    "p_tost_holm",
    "outcome",
    "mde",
    "seeds_needed",
    "diverged_a",
    "diverged_b",
    "resolution",
    "verdict",
  ])];
  for (const p of stats.comparisons) {
    out.push(line([
      p.labelA,
      p.labelB,
      p.metric,
      p.paired,
      p.n,
      num(p.diff),
      num(p.ci95?.[0]),
      num(p.ci95?.[1]),
      num(p.pT),
      num(p.pTHolm),
      num(p.pWilcoxon),
      num(p.pWilcoxonHolm),
      num(p.pImprove),
      p.family,
      p.familySize,
      p.correction,
      num(p.ciFamily?.level),
      num(p.ciFamily?.ci[0]),
      num(p.ciFamily?.ci[1]),
      num(p.delta),
      num(p.pTost),
      num(p.pTostHolm),
      p.outcome,
      num(p.mde),
      num(p.seedsNeeded),
      p.divergedA,
      p.divergedB,
      num(p.resolution),
      p.verdict,
    ]));
  }
  return out.join("\n") + "\n";
}

/** One row per pair that `until` compares: its sequential decision and the stop (header only without `until`). */
function sequentialCsv(exp: Experiment): string {
  const out = [line([
    "cell_a",
    "cell_b",
    "decision",
    "better",
    "look",
    "n",
    "information_fraction",
    "boundary_z",
    "nominal_alpha",
    "mean_diff",
    "rci_low",
    "rci_high",
    "design",
    "family_size",
    "pair_alpha",
    "status",
    "stop_reason",
    "seeds_used",
    "seeds_saved",
    "runs_saved",
  ])];
  const s = exp.sequential;
  for (const p of s?.pairs ?? []) {
    out.push(line([
      p.labelA,
      p.labelB,
      p.decision,
      p.better === "a" ? p.labelA : p.better === "b" ? p.labelB : "",
      p.look,
      p.n,
      num(p.fraction),
      num(p.boundary),
      num(p.nominalAlpha),
      num(p.mean),
      num(p.rci?.[0]),
      num(p.rci?.[1]),
      s!.design,
      s!.familySize,
      num(s!.pairAlpha),
      s!.status,
      s!.stopped?.reason,
      s!.stopped?.seedsUsed,
      s!.stopped?.seedsSaved,
      s!.stopped?.runsSaved,
    ]));
  }
  return out.join("\n") + "\n";
}

export type ExperimentCsvKind = "runs" | "summary" | "comparisons" | "sequential";

export function experimentCsv(
  kind: ExperimentCsvKind,
  exp: Experiment,
  runs: Run[],
  epochs: EpochMetrics[][],
  stats: ExperimentStats | null,
): string {
  if (kind === "runs") return runsCsv(exp, runs, epochs);
  if (kind === "sequential") return sequentialCsv(exp);
  return kind === "summary" ? summaryCsv(stats!) : comparisonsCsv(stats!);
}
