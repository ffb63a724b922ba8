// An experiment's statistics from plain inputs: per-epoch bands over all runs (live), per-cell
// summaries and pairwise comparisons over the finished runs at a chosen point of training.
import type { z } from "zod";
import { compare } from "./compare.ts";
import { describe } from "./describe.ts";
import { type FamilyCell, type FamilySpec, planFamilies } from "./family.ts";
import { testHypotheses } from "./hypotheses.ts";
import { judgeFamily, verdictOf } from "./judge.ts";
import { metricDelta, metricDirection, metricResolution } from "./metric_info.ts";
import type {
  cellStatsSchema,
  comparisonSchema,
  epochSummarySchema,
  experimentStatsSchema,
  hypothesisResultSchema,
  pointSchema,
} from "./schema.ts";
import { ALPHA } from "./verdict.ts";

export type CellInput = FamilyCell;

/** A directional claim declared before looking: "`better` beats `than` on the metric". */
export interface Hypothesis {
  /** Cell key or label of the cell claimed better. */
  better: string;
  than: string;
}

export interface RunInput {
  cellKey: string;
  seed: number;
  finished: boolean;
  /** Each has `epoch` (1-based) and metric fields. */
  epochs: Record<string, number | undefined>[];
  /** Images the metrics count (test set, validation split): they set a hits metric's resolution. */
  sizes?: { test?: number; val?: number };
  /** Or the resolution per metric itself (an analysis of values trained elsewhere). */
  resolutions?: Record<string, number>;
}

export type Point = z.output<typeof pointSchema>;

// Declared once, as zod schemas (./schema.ts); the API's contract uses the same ones.
export type EpochSummary = z.output<typeof epochSummarySchema>;
export type CellStats = z.output<typeof cellStatsSchema>;
export type Comparison = z.output<typeof comparisonSchema>;
export type HypothesisResult = z.output<typeof hypothesisResultSchema>;
export type ExperimentStats = z.output<typeof experimentStatsSchema>;

export interface StatsOptions {
  point: Point;
  metric: string;
  metrics: readonly string[];
  family?: FamilySpec;
  /** Overrides the metric's default δ. */
  delta?: number;
  hypotheses?: Hypothesis[];
}

export function experimentStats(
  cells: CellInput[],
  runs: RunInput[],
  opts: StatsOptions,
): ExperimentStats {
  const { point, metric } = opts;
  validatePoint(point);
  if (point.kind === "best") requireValidation(runs, point.on);

  const byCell = new Map(cells.map((c) => [c.key, [] as RunInput[]]));
  for (const r of runs) byCell.get(r.cellKey)?.push(r);

  const perCell = cells.map((c) => {
    const all = byCell.get(c.key)!;
    const done = all.filter((r) => r.finished).sort((x, y) => x.seed - y.seed);
    return { cell: c, all, done };
  });

  const cellStats: CellStats[] = perCell.map(({ cell, all, done }) => ({
    key: cell.key,
    label: cell.label,
    runs: all.length,
    finished: done.length,
    seeds: done.map((r) => r.seed),
    perEpoch: Object.fromEntries(opts.metrics.map((m) => [m, epochBands(all, m)])),
    summary: Object.fromEntries(
      opts.metrics.map((m) => [m, describe(pointValues(done, m, point).values)]),
    ),
  }));

  const direction = metricDirection(metric);
  const delta = opts.delta ?? metricDelta(metric) ?? null;
  const sample = (i: number) => pointValues(perCell[i].done, metric, point);
  const cmp = (i: number, j: number) =>
    compare(sample(i), sample(j), {
      direction,
      resolution: commonResolution([...perCell[i].done, ...perCell[j].done], metric),
    });

  const plan = planFamilies(cells, opts.family);
  const pairs = plan.pairs.map((p) => ({ ...p, stats: cmp(p.i, p.j) }));
  const comparisons: Comparison[] = new Array(pairs.length);
  for (const fam of plan.families) {
    const idx = pairs.flatMap((p, k) => (p.family === fam.name ? [k] : []));
    const judged = judgeFamily(idx.map((k) => pairs[k].stats), { metric, delta, size: fam.size });
    idx.forEach((k, f) => {
      const { i, j, stats } = pairs[k];
      const A = perCell[i];
      const B = perCell[j];
      const training = A.all.length - A.done.length + B.all.length - B.done.length;
      const note = training
        ? `${training} run${training > 1 ? "s" : ""} still training`
        : undefined;
      const labels = { labelA: A.cell.label, labelB: B.cell.label };
      comparisons[k] = {
        a: A.cell.key,
        b: B.cell.key,
        ...labels,
        metric,
        ...stats,
        ...judged[f],
        family: fam.name,
        familySize: fam.size,
        correction: "Holm",
        verdict: verdictOf(stats, judged[f], { ...labels, metric, family: fam, note }),
      };
    });
  }

  const hypotheses = (opts.hypotheses ?? []).length
    ? testHypotheses(opts.hypotheses!, perCell.map((c) => c.cell), cmp, metric)
    : [];
  const finished = perCell.reduce((s, c) => s + c.done.length, 0);
  const total = perCell.reduce((s, c) => s + c.all.length, 0);
  return {
    point,
    metric,
    alpha: ALPHA,
    delta,
    runs: { total, finished },
    cells: cellStats,
    families: plan.families,
    comparisons,
    hypotheses,
  };
}

/** The resolution a pair's runs share for `metric`, or undefined when they don't all agree. */
function commonResolution(runs: RunInput[], metric: string): number | undefined {
  const rs = runs.map((r) =>
    r.resolutions?.[metric] ?? (r.sizes ? metricResolution(metric, r.sizes) : undefined)
  );
  return rs.length && rs.every((x) => x !== undefined && x === rs[0]) ? rs[0] : undefined;
}

/** The summary point doesn't fit the runs (a bad k, or `best` without a validation split). */
export class PointError extends Error {}

function validatePoint(point: Point): void {
  if (point.kind === "lastK" && !(Number.isInteger(point.k) && point.k >= 1)) {
    throw new PointError(`lastK needs a whole k ≥ 1, got ${point.k}`);
  }
}

function requireValidation(runs: RunInput[], on: string): void {
  for (const r of runs) {
    if (r.epochs.length && !r.epochs.some((e) => Number.isFinite(e[on]))) {
      throw new PointError(
        `a \`best\` summary needs a validation split (valFraction > 0): ` +
          `run with seed ${r.seed} in cell ${r.cellKey} has no ${on}`,
      );
    }
  }
}

/** Epoch records in epoch order (a run's record list may arrive unordered). */
function ordered(run: RunInput): Record<string, number | undefined>[] {
  return [...run.epochs].sort((x, y) => (x.epoch ?? 0) - (y.epoch ?? 0));
}

/** Recorded at all: NaN (a diverged run) counts, so describe() can leave it out and say so. */
const has = (e: Record<string, number | undefined>, m: string) => typeof e[m] === "number";

/** One summary per epoch that any run recorded `metric` at, over the runs that did. */
function epochBands(runs: RunInput[], metric: string): EpochSummary[] {
  const byEpoch = new Map<number, number[]>();
  for (const r of runs) {
    for (const e of r.epochs) {
      if (typeof e.epoch !== "number" || !has(e, metric)) continue;
      const list = byEpoch.get(e.epoch) ?? [];
      list.push(e[metric]!);
      byEpoch.set(e.epoch, list);
    }
  }
  return [...byEpoch.keys()].sort((x, y) => x - y).map((epoch) => ({
    epoch,
    ...describe(byEpoch.get(epoch)!),
  }));
}

/** Each run's value of `metric` at the point, with its seed; runs without one are skipped. */
function pointValues(
  runs: RunInput[],
  metric: string,
  point: Point,
): { values: number[]; seeds: number[] } {
  const values: number[] = [];
  const seeds: number[] = [];
  for (const r of runs) {
    const v = pointValue(r, metric, point);
    if (v === null) continue;
    values.push(v);
    seeds.push(r.seed);
  }
  return { values, seeds };
}

export function pointValue(run: RunInput, metric: string, point: Point): number | null {
  const eps = ordered(run).filter((e) => has(e, metric));
  if (eps.length === 0) return null;
  switch (point.kind) {
    case "final":
      return eps[eps.length - 1][metric]!;
    case "lastK": {
      const last = eps.slice(-point.k);
      return last.reduce((s, e) => s + e[metric]!, 0) / last.length;
    }
    case "best": {
      // Chosen on validation only, never on the test set; the earliest epoch wins a tie.
      const sign = point.on === "valAcc" ? 1 : -1;
      let best: Record<string, number | undefined> | null = null;
      for (const e of eps) {
        if (!Number.isFinite(e[point.on])) continue;
        if (best === null || sign * e[point.on]! > sign * best[point.on]!) best = e;
      }
      return best === null ? null : best[metric]!;
    }
  }
}
