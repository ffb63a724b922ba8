// Judging one family of comparisons: Holm over the t-tests, the Wilcoxon tests and the TOSTs at
// the family's size, the CI at each verdict's level, the three-way outcome, and for an
// undecided pair the minimum detectable effect and the seeds needed to detect δ.
import { type PairStats, tInterval } from "./compare.ts";
import { holm, holmLevels } from "./holm.ts";
import { metricDirection } from "./metric_info.ts";
import { detectableEffect, seedsToDetect, tostP } from "./power.ts";
import { ALPHA, type Outcome, verdict } from "./verdict.ts";

export interface Judgement {
  pTHolm: number | null;
  pWilcoxonHolm: number | null;
  ciFamily: { level: number; ci: [number, number] } | null;
  delta: number | null;
  pTost: number | null;
  pTostHolm: number | null;
  outcome: Outcome;
  mde: number | null;
  seedsNeeded: number | null;
}

/** `size` is the family's planned size: comparisons without a test still count in it. */
export function judgeFamily(
  stats: PairStats[],
  opts: { metric: string; delta: number | null; size?: number; alpha?: number },
): Judgement[] {
  const alpha = opts.alpha ?? ALPHA;
  const m = opts.size ?? stats.length;
  const { delta } = opts;
  const sign = metricDirection(opts.metric) === "lower" ? -1 : 1;
  const tost = stats.map((s) => delta && s.se !== null ? tostP(s.diff!, s.se, s.df!, delta) : null);
  const pT = holm(stats.map((s) => s.pT), m);
  const pW = holm(stats.map((s) => s.pWilcoxon), m);
  const pE = holm(tost, m);
  const levels = holmLevels(stats.map((s) => s.pT), alpha, m);
  return stats.map((s, f) => {
    const outcome: Outcome = pT[f] === null
      ? "untested"
      : pT[f]! < alpha && s.diff !== 0
      ? (sign * s.diff! > 0 ? "A better" : "B better")
      : pE[f] !== null && pE[f]! < alpha
      ? "equivalent"
      : "inconclusive";
    const undecided = outcome === "inconclusive" || outcome === "untested";
    return {
      pTHolm: pT[f],
      pWilcoxonHolm: pW[f],
      ciFamily: s.se !== null && levels[f] !== null
        ? { level: 1 - levels[f]!, ci: tInterval(s.diff!, s.se, s.df!, 1 - levels[f]!) }
        : null,
      delta,
      pTost: tost[f],
      pTostHolm: pE[f],
      outcome,
      ...(undecided ? powerOf(s, alpha / m, delta) : { mde: null, seedsNeeded: null }),
    };
  });
}

/**
 * MDE at this n and the seeds to detect δ, 80% power, two-sided at α/m (the level of Holm's first
 * step: what any pair must reach to be decided), paired only.
 */
function powerOf(s: PairStats, alpha: number, delta: number | null) {
  if (!s.paired || !s.sdDiff || s.n < 2) return { mde: null, seedsNeeded: null };
  const mde = detectableEffect(s.n, alpha) * s.sdDiff;
  const seedsNeeded = delta ? seedsToDetect(delta / s.sdDiff, alpha) : null;
  return { mde, seedsNeeded };
}

/** The comparison's sentence from its statistics and judgement. */
export function verdictOf(
  stats: PairStats,
  j: Judgement,
  ctx: {
    labelA: string;
    labelB: string;
    metric: string;
    family: { name: string; size: number };
    note?: string;
  },
): string {
  return verdict({
    ...ctx,
    stats,
    pHolm: j.pTHolm,
    outcome: j.outcome,
    ciFamily: j.ciFamily,
    delta: j.delta,
    mde: j.mde,
    seedsNeeded: j.seedsNeeded,
    family: { ...ctx.family, correction: "Holm" },
  });
}
