// Does cell A differ from cell B? Per-seed values of one metric, paired on common seeds when
// possible (same seed = same initialisation and data order, so pairing removes that noise).
// Tests come from @stdlib (paired/one-sample t, Welch's t, Wilcoxon); this module decides which
// apply and turns every undefined case into null with a stated reason.
import ttest from "@stdlib/stats-ttest";
import ttest2 from "@stdlib/stats-ttest2";
import type { z } from "zod";
import { mean, variance } from "./describe.ts";
import type { pairStatsSchema } from "./schema.ts";
import { wilcoxonSignedRank } from "./wilcoxon.ts";

export interface Sample {
  values: number[];
  seeds: number[];
}

export type PairStats = z.output<typeof pairStatsSchema>;

/** Fewest non-zero pairs at which an exact two-sided Wilcoxon can reach p < 0.05 (2/2^6). */
export const WILCOXON_MIN_N = 6;

/** Why `pT` is null, in words short enough for a verdict; null when it is not. */
export function whyNoT(s: PairStats): string | null {
  if (s.pT !== null) return null;
  if (s.nA === 0 || s.nB === 0) {
    return `no values in ${s.nA === 0 ? "A" : "B"}: nothing to compare`;
  }
  if (s.paired) {
    // Paired always has ≥ 2 pairs, so a null p means identical differences.
    return s.diff === 0
      ? "identical results on every seed: no test possible"
      : "the same difference on every seed (zero variance): no test possible";
  }
  if (s.nA < 2 || s.nB < 2) return `n = 1 in ${s.nA < 2 ? "A" : "B"}: no test possible`;
  return s.diff === 0
    ? "identical values in both cells: no test possible"
    : "zero variance in both cells: no test possible";
}

export function compare(a: Sample, b: Sample, opts: { paired?: boolean } = {}): PairStats {
  const notes: string[] = [];
  const A = finitePairs(a, "A", notes);
  const B = finitePairs(b, "B", notes);
  const wantPaired = opts.paired ?? true;
  let out: PairStats;
  if (wantPaired) {
    const pairs = pairOnSeeds(A, B, notes);
    out = pairs ? pairedStats(pairs, A.length, B.length, notes) : welchStats(A, B, notes);
  } else {
    out = welchStats(A, B, notes);
  }
  const whyT = whyNoT(out);
  const reasons = [whyT, ...notes].filter((x): x is string => !!x);
  if (reasons.length) out.reason = reasons.join("; ");
  return out;
}

type Obs = { seed: number; value: number };

function finitePairs(s: Sample, name: string, notes: string[]): Obs[] {
  if (s.values.length !== s.seeds.length) {
    throw new Error(`${name}: ${s.values.length} values but ${s.seeds.length} seeds`);
  }
  const obs = s.values.map((value, i) => ({ seed: s.seeds[i], value }));
  const finite = obs.filter((o) => Number.isFinite(o.value));
  const dropped = obs.length - finite.length;
  if (dropped) {
    notes.push(`${dropped} non-finite value${dropped > 1 ? "s" : ""} in ${name} left out`);
  }
  return finite;
}

/** Values of A and B on their common seeds (ascending), or null with a note when pairing fails. */
function pairOnSeeds(A: Obs[], B: Obs[], notes: string[]): [number, number][] | null {
  const dup = (xs: Obs[]) => new Set(xs.map((o) => o.seed)).size !== xs.length;
  if (dup(A) || dup(B)) {
    notes.push("a seed repeats within a cell: unpaired (Welch)");
    return null;
  }
  const byB = new Map(B.map((o) => [o.seed, o.value]));
  const common = A.filter((o) => byB.has(o.seed)).sort((x, y) => x.seed - y.seed);
  if (common.length < 2) {
    if (A.length && B.length) notes.push("fewer than 2 common seeds: unpaired (Welch)");
    return null;
  }
  const unmatched = A.length + B.length - 2 * common.length;
  if (unmatched) {
    notes.push(`${unmatched} run${unmatched > 1 ? "s" : ""} without a partner seed left out`);
  }
  return common.map((o) => [o.value, byB.get(o.seed)!]);
}

function pairedStats(
  pairs: [number, number][],
  nA: number,
  nB: number,
  notes: string[],
): PairStats {
  const d = pairs.map(([x, y]) => x - y);
  const n = d.length;
  const out: PairStats = {
    paired: true,
    n,
    nA,
    nB,
    diff: mean(d),
    ci95: null,
    pT: null,
    pWilcoxon: null,
    pImprove: improvement(pairs),
  };
  if (variance(d) === 0) {
    out.diff = d[0];
    out.ci95 = [d[0], d[0]];
  } else {
    const t = ttest(d);
    out.pT = t.pValue;
    out.ci95 = [t.ci[0], t.ci[1]];
  }
  const w = wilcoxonSignedRank(d);
  if (w === null) {
    notes.push("Wilcoxon: every difference is zero");
  } else if (w.nNonZero < WILCOXON_MIN_N) {
    notes.push(
      `Wilcoxon: ${w.nNonZero} non-zero pair${w.nNonZero > 1 ? "s" : ""}, ` +
        `an exact two-sided test needs n ≥ ${WILCOXON_MIN_N} to ever reach 0.05`,
    );
  } else {
    out.pWilcoxon = w.pValue;
  }
  return out;
}

function welchStats(A: Obs[], B: Obs[], notes: string[]): PairStats {
  const xs = A.map((o) => o.value);
  const ys = B.map((o) => o.value);
  const out: PairStats = {
    paired: false,
    n: xs.length + ys.length,
    nA: xs.length,
    nB: ys.length,
    diff: null,
    ci95: null,
    pT: null,
    pWilcoxon: null,
    pImprove: null,
  };
  if (xs.length === 0 || ys.length === 0) return out;
  out.diff = mean(xs) - mean(ys);
  out.pImprove = improvement(xs.flatMap((x) => ys.map((y): [number, number] => [x, y])));
  notes.push("unpaired: Wilcoxon signed-rank needs pairs");
  if (xs.length < 2 || ys.length < 2) return out;
  if (variance(xs) === 0 && variance(ys) === 0) {
    out.diff = xs[0] - ys[0];
    out.ci95 = [out.diff, out.diff];
    return out;
  }
  const t = ttest2(xs, ys, { variance: "unequal" });
  out.pT = t.pValue;
  out.ci95 = [t.ci[0], t.ci[1]];
  return out;
}

/** Fraction of pairs with x > y, ties counting ½. */
function improvement(pairs: [number, number][]): number {
  let s = 0;
  for (const [x, y] of pairs) s += x > y ? 1 : x === y ? 0.5 : 0;
  return s / pairs.length;
}
