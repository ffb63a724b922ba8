// What GET /api/experiments/:id/tuning and trials.csv show of a tuning stage:
// per cell, the trials table (configuration, validation value at the declared
// point, epochs, images, seconds, status, the rung a pruned trial stopped at),
// the chosen trial, the expected best validation score against the number of
// trials (Dodge et al. 2019), and the cost (runs, epochs, images, wall time,
// and what successive halving saved), per cell and in total.
import { z } from "zod";
import { searchLabel } from "../ml/cell.ts";
import { valuesFor } from "../ml/tune/space.ts";
import type { EpochMetrics } from "../ml/types.ts";
import { valueAt } from "../stats/asha.ts";
import { expectedMax } from "../stats/expected_max.ts";
import { formatNumber as num } from "../ml/csv.ts";
import { csvField } from "./experiment_csv.ts";
import { directionOf, trialsByCell } from "./tuning.ts";
import { rungDecisionSchema } from "./tuning_records.ts";
import type { Experiment, Run } from "./types.ts";

const count = z.number().int().min(0);
const stat = z.number().nullable();

export const tuningCostSchema = z.strictObject({
  runs: count.describe("Trial runs (trials × tuning seeds)"),
  epochs: count.describe("Epochs trained"),
  images: count.describe("Training images processed (epochs × the train split)"),
  seconds: z.number().describe("Wall time of the epochs trained, summed over runs"),
  epochsWithoutPruning: count.describe("Epochs every trial would have trained to the end"),
  imagesWithoutPruning: count,
  savedFraction: stat.describe("1 − images / imagesWithoutPruning"),
}).meta({ id: "TuningCost" });

const trialRowSchema = z.strictObject({
  trial: count,
  values: z.record(z.string(), z.union([z.number(), z.string()]))
    .describe("The settings it tried (its loss's own params only)"),
  value: stat.describe("The metric at the point, over the epochs it trained (mean over seeds)"),
  epochs: count.describe("Epochs trained (summed over its tuning seeds)"),
  images: count,
  seconds: z.number(),
  status: z.string().describe("done, pruned, failed, or queued/running/paused while tuning"),
  rung: count.optional().describe("Pruned: the rung it stopped at"),
  runIds: z.array(z.string()),
});

export const tuningViewSchema = z.strictObject({
  id: z.string(),
  status: z.enum(["tuning", "done", "cancelled"]),
  metric: z.string(),
  point: z.enum(["best", "final"]),
  direction: z.enum(["higher", "lower"]),
  rungs: z.array(count),
  seeds: z.array(z.number().int()).describe("The tuning seeds"),
  compare: z.array(z.string()),
  cells: z.array(z.strictObject({
    key: z.string(),
    label: z.string().describe(
      'The cell less the parameters its tuning searches ("gce · sym noise 40%"): its trials ' +
        "try other values",
    ),
    loss: z.string(),
    chosen: z.strictObject({
      trial: count,
      values: z.record(z.string(), z.union([z.number(), z.string()])),
      value: z.number(),
    }).nullable().describe("Null until selected, or when no trial finished"),
    trials: z.array(trialRowSchema),
    decisions: z.array(rungDecisionSchema),
    expectedBest: z.array(z.strictObject({ n: count, mean: z.number(), sd: z.number() }))
      .describe(
        "E[best of n trials] ± sd, n = 1..N, from the trials' values (Dodge et al. 2019); " +
          "with pruning, a pruned trial counts at the rung it reached",
      ),
    cost: tuningCostSchema,
  })),
  cost: tuningCostSchema.describe("All cells together"),
}).meta({ id: "Tuning", description: "A tuning stage: trials, choices, budget curves, cost" });

export type TuningView = z.output<typeof tuningViewSchema>;

const trainImages = (r: Run) => (r.prepared?.trainCounts ?? []).reduce((a, b) => a + b, 0);

function trialStatus(runs: Run[]): string {
  const s = runs.map((r) => r.status);
  for (const x of ["failed", "cancelled", "interrupted", "running", "queued", "paused"]) {
    if (s.includes(x as Run["status"])) return x;
  }
  return s.includes("pruned") ? "pruned" : "done";
}

/** The view, from the experiment, its runs and each trial run's epochs (by run id). */
export function tuningView(
  exp: Experiment,
  runs: Run[],
  epochs: Map<string, EpochMetrics[]>,
): TuningView | null {
  const tune = exp.tune, tuning = exp.tuning;
  if (!tune || !tuning) return null;
  const direction = directionOf(tune.metric);
  const E = exp.settings.epochs;
  const byCell = trialsByCell(runs);
  const total = { runs: 0, epochs: 0, images: 0, seconds: 0, epochsWithoutPruning: 0 };
  let totalFull = 0;
  const cells = exp.cells.map((cell, ci) => {
    const state = tuning.cells[ci];
    const trials = byCell.get(cell.key) ?? new Map<number, Run[]>();
    const cost = { runs: 0, epochs: 0, images: 0, seconds: 0, epochsWithoutPruning: 0 };
    let full = 0;
    const rows = tuning.trials.map((values, t) => {
      const rs = trials.get(t) ?? [];
      let sum = 0, ok = rs.length > 0, ep = 0, img = 0, sec = 0;
      for (const r of rs) {
        const list = epochs.get(r.id) ?? [];
        const curve = list.map((e) =>
          (e as unknown as Record<string, number | undefined>)[tune.metric]
        );
        const v = valueAt(curve, r.epochsDone, tune.point, direction);
        if (v === null || r.epochsDone === 0) ok = false;
        else sum += v;
        ep += r.epochsDone;
        img += r.epochsDone * trainImages(r);
        sec += list.reduce((a, e) => a + (Number.isFinite(e.epochSeconds) ? e.epochSeconds : 0), 0);
        full += E * trainImages(r);
      }
      cost.runs += rs.length;
      cost.epochs += ep;
      cost.images += img;
      cost.seconds += sec;
      cost.epochsWithoutPruning += E * rs.length;
      const status = trialStatus(rs);
      const rung = status === "pruned"
        ? state.decisions.find((d) => d.trials.includes(t) && !d.promoted.includes(t))?.rung
        : undefined;
      return {
        trial: t,
        values: valuesFor(cell.loss, values),
        value: ok ? sum / rs.length : null,
        epochs: ep,
        images: img,
        seconds: sec,
        status,
        ...(rung !== undefined ? { rung } : {}),
        runIds: rs.map((r) => r.id),
      };
    });
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += cost[k];
    totalFull += full;
    const finite = rows.map((r) => r.value).filter((v): v is number => v !== null);
    const chosen = state.chosen
      ? {
        trial: state.chosen.trial,
        values: valuesFor(cell.loss, tuning.trials[state.chosen.trial]),
        value: state.chosen.value,
      }
      : null;
    return {
      key: cell.key,
      label: searchLabel(cell, tuning.trials[0] ?? {}),
      loss: cell.loss,
      chosen,
      trials: rows,
      decisions: state.decisions,
      expectedBest: expectedMax(finite, direction),
      cost: withSaved(cost, full),
    };
  });
  return {
    id: exp.id,
    status: tuning.status,
    metric: tune.metric,
    point: tune.point,
    direction,
    rungs: tuning.rungs,
    seeds: tune.seeds,
    compare: exp.compare ?? [],
    cells,
    cost: withSaved(total, totalFull),
  };
}

function withSaved(
  c: {
    runs: number;
    epochs: number;
    images: number;
    seconds: number;
    epochsWithoutPruning: number;
  },
  full: number,
) {
  return {
    ...c,
    imagesWithoutPruning: full,
    savedFraction: full > 0 ? 1 - c.images / full : null,
  };
}

/** trials.csv: one row per cell and trial, the space's keys as columns (9 significant digits). */
export function trialsCsv(view: TuningView, space: string[]): string {
  const head = [
    "cell",
    "loss",
    "trial",
    ...space,
    "metric",
    "point",
    "value",
    "epochs",
    "images",
    "seconds",
    "status",
    "rung",
    "chosen",
  ];
  const out = [head.map(csvField).join(",")];
  for (const c of view.cells) {
    for (const t of c.trials) {
      const vals = space.map((k) => {
        const v = t.values[k];
        return typeof v === "number" ? num(v) : v;
      });
      out.push(
        [
          c.label,
          c.loss,
          t.trial,
          ...vals,
          view.metric,
          view.point,
          num(t.value),
          t.epochs,
          t.images,
          num(t.seconds),
          t.status,
          t.rung ?? "",
          c.chosen?.trial === t.trial ? 1 : 0,
        ].map(csvField).join(","),
      );
    }
  }
  return out.join("\n") + "\n";
}
