// An experiment's statistics from plain inputs: per-epoch bands over all runs (live), per-cell
// summaries and pairwise comparisons over the finished runs at a chosen point of training.
import { compare, type PairStats, pOneSided, tInterval } from "./compare.ts";
import { describe, type Summary } from "./describe.ts";
import { type Family, type FamilyCell, type FamilySpec, planFamilies } from "./family.ts";
import { holm, holmLevels } from "./holm.ts";
import { metricDelta, metricDirection, metricName, metricResolution } from "./metric_info.ts";
import { detectableEffect, observationsNeeded, tostP } from "./power.ts";
import { ALPHA, formatP, formatValue, type Outcome, verdict } from "./verdict.ts";

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

export type Point =
  | { kind: "final" }
  | { kind: "lastK"; k: number }
  | { kind: "best"; on: "valAcc" | "valLoss" };

export type EpochSummary = { epoch: number } & Summary;

export interface CellStats {
  key: string;
  label: string;
  runs: number;
  finished: number;
  /** Seeds of the finished runs, ascending. */
  seeds: number[];
  /** All runs that reached each epoch: the live bands. */
  perEpoch: Record<string, EpochSummary[]>;
  /** Finished runs only, at the point. */
  summary: Record<string, Summary>;
}

export type Comparison =
  & {
    a: string;
    b: string;
    labelA: string;
    labelB: string;
    metric: string;
  }
  & PairStats
  & {
    pTHolm: number | null;
    pWilcoxonHolm: number | null;
    family: string;
    familySize: number;
    correction: "Holm";
    /** The two-sided CI at the level the verdict was decided at (Holm-consistent). */
    ciFamily: { level: number; ci: [number, number] } | null;
    delta: number | null;
    pTost: number | null;
    pTostHolm: number | null;
    outcome: Outcome;
    /** Smallest |difference| detected with 80% power at this n, at Holm's first-step level. */
    mde: number | null;
    /** Seeds (pairs) needed to detect δ with 80% power at that level. */
    seedsNeeded: number | null;
    verdict: string;
  };

export interface HypothesisResult {
  claim: string;
  better: string;
  than: string;
  n: number;
  /** mean(better − than), in the metric's units. */
  diff: number | null;
  /** One-sided p of exactly the claim, and after Holm over the declared hypotheses. */
  p: number | null;
  pHolm: number | null;
  /** One-sided bound at the verdict's level: the claim's difference is at least this. */
  bound: { level: number; value: number } | null;
  supported: boolean;
  verdict: string;
}

export interface ExperimentStats {
  point: Point;
  metric: string;
  alpha: number;
  /** δ for the metric compared (equivalence margin), in its units. */
  delta: number | null;
  runs: { total: number; finished: number };
  cells: CellStats[];
  families: Family[];
  comparisons: Comparison[];
  hypotheses: HypothesisResult[];
}

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
    const m = fam.size;
    const tost = idx.map((k) => {
      const s = pairs[k].stats;
      return delta && s.se !== null ? tostP(s.diff!, s.se, s.df!, delta) : null;
    });
    const pT = holm(idx.map((k) => pairs[k].stats.pT), m);
    const pW = holm(idx.map((k) => pairs[k].stats.pWilcoxon), m);
    const pE = holm(tost, m);
    const levels = holmLevels(idx.map((k) => pairs[k].stats.pT), ALPHA, m);
    idx.forEach((k, f) => {
      const { i, j, stats } = pairs[k];
      const A = perCell[i];
      const B = perCell[j];
      const training = A.all.length - A.done.length + B.all.length - B.done.length;
      const outcome: Outcome = pT[f] === null
        ? "untested"
        : pT[f]! < ALPHA && stats.diff !== 0
        ? ((direction === "lower" ? -1 : 1) * stats.diff! > 0 ? "A better" : "B better")
        : pE[f] !== null && pE[f]! < ALPHA
        ? "equivalent"
        : "inconclusive";
      const power = outcome === "inconclusive" || outcome === "untested"
        ? powerOf(stats, ALPHA / m, delta)
        : { mde: null, seedsNeeded: null };
      const ciFamily = stats.se !== null && levels[f] !== null
        ? { level: 1 - levels[f]!, ci: tInterval(stats.diff!, stats.se, stats.df!, 1 - levels[f]!) }
        : null;
      const family = { name: fam.name, size: m, correction: "Holm" as const };
      comparisons[k] = {
        a: A.cell.key,
        b: B.cell.key,
        labelA: A.cell.label,
        labelB: B.cell.label,
        metric,
        ...stats,
        pTHolm: pT[f],
        pWilcoxonHolm: pW[f],
        family: fam.name,
        familySize: m,
        correction: "Holm",
        ciFamily,
        delta,
        pTost: tost[f],
        pTostHolm: pE[f],
        outcome,
        ...power,
        verdict: verdict({
          labelA: A.cell.label,
          labelB: B.cell.label,
          metric,
          stats,
          pHolm: pT[f],
          outcome,
          ciFamily,
          delta,
          ...power,
          family,
          note: training ? `${training} run${training > 1 ? "s" : ""} still training` : undefined,
        }),
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

/** MDE at this n and the seeds to detect δ, two-sided at `alpha` (Holm's first step), paired. */
function powerOf(s: PairStats, alpha: number, delta: number | null) {
  if (!s.paired || !s.sdDiff || s.n < 2) return { mde: null, seedsNeeded: null };
  const mde = detectableEffect(s.n, alpha) * s.sdDiff;
  const seedsNeeded = delta ? Math.ceil(observationsNeeded(delta / s.sdDiff, alpha)) : null;
  return { mde, seedsNeeded };
}

/** One-sided tests of the declared claims, Holm over them, with the one-sided bound. */
function testHypotheses(
  hs: Hypothesis[],
  cells: CellInput[],
  cmp: (i: number, j: number) => PairStats,
  metric: string,
): HypothesisResult[] {
  const find = (x: string) => {
    const i = cells.findIndex((c) => c.key === x || c.label === x);
    if (i < 0) throw new Error(`hypothesis names no cell "${x}" (use a cell key or label)`);
    return i;
  };
  const dir = metricDirection(metric) === "lower" ? -1 : 1;
  const tests = hs.map((h) => {
    const [i, j] = [find(h.better), find(h.than)];
    const s = cmp(i, j);
    return { h, i, j, s, p: pOneSided(s, dir) };
  });
  const pH = holm(tests.map((t) => t.p), tests.length);
  const levels = holmLevels(tests.map((t) => t.p), ALPHA, tests.length);
  return tests.map(({ i, j, s, p }, k) => {
    const [a, b] = [cells[i].label, cells[j].label];
    const claim = `${a} beats ${b} on ${metricName(metric)}`;
    const bound = s.se !== null && levels[k] !== null
      ? {
        level: 1 - levels[k]!,
        // The lower end of a two-sided interval at 1 − 2α_j is the one-sided bound at 1 − α_j.
        value: dir * s.diff! - (tInterval(0, s.se, s.df!, 1 - 2 * levels[k]!)[1]),
      }
      : null;
    const supported = pH[k] !== null && pH[k]! < ALPHA;
    const diffText = s.diff === null ? "no data" : `${formatValue(dir * s.diff, metric, true)}`;
    const words = pH[k] === null
      ? `no test possible (${s.reason ?? "too few seeds"})`
      : `one-sided p(Holm over ${tests.length}) ${formatP(pH[k]!)}: ` +
        (supported ? "supported" : "not supported at this n");
    return {
      claim,
      better: cells[i].key,
      than: cells[j].key,
      n: s.n,
      diff: s.diff === null ? null : dir * s.diff,
      p,
      pHolm: pH[k],
      bound,
      supported,
      verdict: `${claim}: ${diffText}${
        bound
          ? `, ${(100 * bound.level).toFixed(1)}% lower bound ${
            formatValue(bound.value, metric, true)
          }`
          : ""
      }, n = ${s.n}, ${words}`,
    };
  });
}

/** The resolution a pair's runs share for `metric`, or undefined when they don't all agree. */
function commonResolution(runs: RunInput[], metric: string): number | undefined {
  const rs = runs.map((r) =>
    r.resolutions?.[metric] ?? (r.sizes ? metricResolution(metric, r.sizes) : undefined)
  );
  return rs.length && rs.every((x) => x !== undefined && x === rs[0]) ? rs[0] : undefined;
}

function validatePoint(point: Point): void {
  if (point.kind === "lastK" && !(Number.isInteger(point.k) && point.k >= 1)) {
    throw new Error(`lastK needs a whole k ≥ 1, got ${point.k}`);
  }
}

function requireValidation(runs: RunInput[], on: string): void {
  for (const r of runs) {
    if (r.epochs.length && !r.epochs.some((e) => Number.isFinite(e[on]))) {
      throw new Error(
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
