// Wilcoxon signed-rank test on paired differences, two-sided, as `scipy.stats.wilcoxon(d)` does
// by default in SciPy ≥ 1.13 (zero_method="wilcox", correction=False, method="auto"):
//   - no ties and no zeros, n ≤ 50: the exact null distribution of R+;
//   - ties or zeros, n ≤ 13: an exact permutation test over all 2^n sign flips (the null
//     distribution conditional on the tied ranks, which the exact table is not);
//   - otherwise the normal approximation with the tie correction, no continuity correction.
// SciPy 1.10 (Debian's python3-scipy) instead ran the exact table on tied ranks after truncating
// R+ to an integer (gh-19872); we follow the corrected behaviour. @stdlib/stats-wilcoxon gives the
// exact and normal branches; the permutation branch is written here, as no library provides it.
import ranks from "@stdlib/stats-ranks";
import stdlibWilcoxon from "@stdlib/stats-wilcoxon";

export interface WilcoxonResult {
  /** min(R+, R−), the statistic SciPy reports for a two-sided test. */
  statistic: number;
  /** Sum of the ranks of |d| over the positive differences. */
  rPlus: number;
  pValue: number;
  method: "exact" | "permutation" | "asymptotic";
  /** Differences that count: the non-zero ones (zeros are dropped, "wilcox"). */
  nNonZero: number;
  zeros: number;
  ties: boolean;
}

/** Largest n with zeros or ties that still gets the exact permutation test (2^13 < 9999). */
const PERMUTATION_MAX_N = 13;
/** Largest n that gets the exact table (no ties, no zeros). */
const EXACT_MAX_N = 50;

/**
 * Two-sided Wilcoxon signed-rank test of the differences `d`; null when there is nothing to rank
 * (no differences, or all of them zero), where SciPy gives NaN or raises.
 */
export function wilcoxonSignedRank(d: readonly number[]): WilcoxonResult | null {
  const nz = d.filter((x) => x !== 0);
  const zeros = d.length - nz.length;
  if (nz.length === 0) return null;
  const r = ranks(nz.map(Math.abs)) as number[];
  const ties = new Set(r).size !== r.length;
  let rPlus = 0;
  let rMinus = 0;
  nz.forEach((x, i) => x > 0 ? (rPlus += r[i]) : (rMinus += r[i]));
  const statistic = Math.min(rPlus, rMinus);
  const base = { statistic, rPlus, nNonZero: nz.length, zeros, ties };

  if (d.length <= EXACT_MAX_N && !ties && zeros === 0) {
    // stdlib takes its exact branch here (no ties, no zeros, n ≤ 50); its two-sided p at the centre
    // of the distribution exceeds 1, so clip as SciPy does.
    const p = stdlibWilcoxon(nz, { correction: false }).pValue;
    return { ...base, pValue: Math.min(1, p), method: "exact" };
  }
  if (d.length <= PERMUTATION_MAX_N) {
    return { ...base, pValue: signFlipPValue(r, rPlus), method: "permutation" };
  }
  if (nz.length === 1) {
    // One non-zero difference among many zeros: stdlib refuses n = 1 (SciPy would approximate,
    // p = 0.32); both sign flips give the exact p = 1 instead.
    return { ...base, pValue: signFlipPValue(r, rPlus), method: "permutation" };
  }
  // exact: false keeps stdlib on the normal branch even past 50 untied values, like SciPy.
  const p = stdlibWilcoxon(nz, { correction: false, exact: false }).pValue;
  return { ...base, pValue: Math.min(1, p), method: "asymptotic" };
}

/**
 * Exact two-sided p of R+ = `observed` over all 2^n equally likely sign assignments of the ranks
 * `r` (multiples of ½), as scipy.stats.permutation_test computes it: 2·min(P(R+ ≤ obs),
 * P(R+ ≥ obs)), capped at 1. Counts by dynamic programming over doubled (integer) rank sums.
 */
export function signFlipPValue(r: readonly number[], observed: number): number {
  const twice = r.map((x) => Math.round(2 * x));
  const total = twice.reduce((a, b) => a + b, 0);
  let counts = new Float64Array(total + 1);
  counts[0] = 1;
  for (const w of twice) {
    const next = new Float64Array(total + 1);
    for (let s = 0; s <= total; s++) {
      if (counts[s] === 0) continue;
      next[s] += counts[s];
      next[s + w] += counts[s];
    }
    counts = next;
  }
  const obs = Math.round(2 * observed);
  let le = 0;
  let ge = 0;
  for (let s = 0; s <= total; s++) {
    if (s <= obs) le += counts[s];
    if (s >= obs) ge += counts[s];
  }
  const all = 2 ** r.length;
  return Math.min(1, 2 * Math.min(le, ge) / all);
}
