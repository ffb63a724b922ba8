// Losses compared across conditions (an experiment with ≥ 2 conditions, or models): each cell's
// score is the mean over its finished seeds at the point; each (condition, model) is one block in
// which the losses are ranked. Friedman / Iman–Davenport, Nemenyi's CD and Holm over the pairs of
// mean ranks (stats/friedman.ts, Demšar 2006), and rliable's probability of improvement with a
// stratified-bootstrap CI over the per-seed values (stats/improvement.ts).
import { criticalDifference, friedman, nemenyiQ, rankPairs } from "./friedman.ts";
import { improvementWithCi } from "./improvement.ts";

export interface AcrossCell {
  key: string;
  /** The loss with its parameters: equal across blocks for the same loss. */
  loss: string;
  lossLabel: string;
  /** The condition and model: one block. */
  block: string;
  blockLabel: string;
}

export interface AcrossConditions {
  metric: string;
  /** Ranks and P(A > B) read "better" this way; "higher" when the metric has no direction. */
  better: "higher" | "lower";
  alpha: number;
  blocks: { key: string; label: string }[];
  losses: { key: string; label: string; meanRank: number }[];
  friedman: {
    chi2: number;
    df: number;
    p: number;
    f: number | null;
    df1: number;
    df2: number;
    pF: number;
  };
  nemenyi: { q: number; cd: number };
  pairs: {
    a: string;
    b: string;
    labelA: string;
    labelB: string;
    /** Mean rank of a minus that of b (negative: a ranks better). */
    rankDiff: number;
    z: number;
    p: number;
    pHolm: number;
    /** |rankDiff| ≥ CD. */
    nemenyi: boolean;
    /** P(a better than b) over blocks (rliable), with its 95% stratified-bootstrap CI. */
    pImprove: number;
    pImproveCi: [number, number];
  }[];
  bootstrap: { reps: number; seed: number };
  /** Blocks left out, and why. */
  reason?: string;
}

const BOOT = { reps: 2000, seed: 1 };

/** Null unless ≥ 2 blocks and ≥ 2 losses have finite values in every block. */
export function acrossConditions(
  cells: readonly AcrossCell[],
  values: ReadonlyMap<string, readonly number[]>,
  opts: { metric: string; direction?: "higher" | "lower"; alpha?: number },
): AcrossConditions | null {
  const alpha = opts.alpha ?? 0.05;
  const sign = opts.direction === "lower" ? -1 : 1;
  const losses = [...new Map(cells.map((c) => [c.loss, c.lossLabel]))];
  const blocks = [...new Map(cells.map((c) => [c.block, c.blockLabel]))];
  if (losses.length < 2 || blocks.length < 2) return null;
  const at = new Map(cells.map((c) => [`${c.block}\n${c.loss}`, c.key]));
  const finite = (block: string, loss: string) => {
    const key = at.get(`${block}\n${loss}`);
    return key === undefined ? [] : (values.get(key) ?? []).filter(Number.isFinite);
  };
  const kept = blocks.filter(([b]) => losses.every(([l]) => finite(b, l).length > 0));
  const dropped = blocks.filter((b) => !kept.includes(b));
  if (kept.length < 2) return null;
  // Scores oriented so that higher is better.
  const runs = kept.map(([b]) => losses.map(([l]) => finite(b, l).map((x) => sign * x)));
  const scores = runs.map((row) => row.map((xs) => xs.reduce((s, x) => s + x, 0) / xs.length));
  const fr = friedman(scores);
  const k = losses.length;
  const pairs = rankPairs(fr.meanRanks, fr.n, alpha).map((p) => {
    const imp = improvementWithCi(runs.map((r) => r[p.a]), runs.map((r) => r[p.b]), BOOT);
    return {
      a: losses[p.a][0],
      b: losses[p.b][0],
      labelA: losses[p.a][1],
      labelB: losses[p.b][1],
      rankDiff: p.diff,
      z: p.z,
      p: p.p,
      pHolm: p.pHolm,
      nemenyi: p.nemenyi,
      pImprove: imp.p,
      pImproveCi: imp.ci,
    };
  });
  const out: AcrossConditions = {
    metric: opts.metric,
    better: opts.direction ?? "higher",
    alpha,
    blocks: kept.map(([key, label]) => ({ key, label })),
    losses: losses.map(([key, label], j) => ({ key, label, meanRank: fr.meanRanks[j] })),
    friedman: { chi2: fr.chi2, df: fr.df, p: fr.p, f: fr.f, df1: fr.df1, df2: fr.df2, pF: fr.pF },
    nemenyi: { q: nemenyiQ(k, alpha), cd: criticalDifference(k, fr.n, alpha) },
    pairs,
    bootstrap: BOOT,
  };
  if (dropped.length) {
    out.reason = `left out (a loss without finished runs): ${dropped.map((b) => b[1]).join("; ")}`;
  }
  return out;
}
