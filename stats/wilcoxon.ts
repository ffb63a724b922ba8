// Wilcoxon signed-rank test on paired differences, two-sided, as `scipy.stats.wilcoxon(d)` does
// by default in SciPy ≥ 1.13 (zero_method="wilcox", correction=False, method="auto"):
//   - no ties and no zeros, n ≤ 50: the exact null distribution of R+;
//   - ties or zeros, n ≤ 13: an exact permutation test over all 2^n sign flips (the null
//     distribution conditional on the tied ranks, which the exact table is not);
//   - otherwise the normal approximation with the tie correction, no continuity correction.
// SciPy 1.10 (Debian's python3-scipy) instead ran the exact table on tied ranks after truncating
// R+ to an integer (gh-19872); we follow the corrected behaviour. The exact table is the sign-flip
// count over untied integer ranks, so one counting routine serves both exact branches.
// Zeros (or ties) past n = 13 go to the normal approximation, never to the exact table.
import { normSf } from "./dist.ts";

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
  const r = ranks(nz.map(Math.abs));
  const ties = new Set(r).size !== r.length;
  let rPlus = 0;
  let rMinus = 0;
  nz.forEach((x, i) => x > 0 ? (rPlus += r[i]) : (rMinus += r[i]));
  const statistic = Math.min(rPlus, rMinus);
  const base = { statistic, rPlus, nNonZero: nz.length, zeros, ties };

  if (d.length <= EXACT_MAX_N && !ties && zeros === 0) {
    return { ...base, pValue: signFlipPValue(r, rPlus), method: "exact" };
  }
  if (d.length <= PERMUTATION_MAX_N || nz.length === 1) {
    // One non-zero difference among many zeros: both sign flips give the exact p = 1 (SciPy's
    // approximation would say 0.32).
    return { ...base, pValue: signFlipPValue(r, rPlus), method: "permutation" };
  }
  return { ...base, pValue: normalPValue(r, rPlus), method: "asymptotic" };
}

/** Mid-ranks (1-based) of `xs`, ties sharing their mean rank, as scipy.stats.rankdata. */
export function ranks(xs: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((i, j) => xs[i] - xs[j]);
  const out = new Array<number>(xs.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]] === xs[order[i]]) j++;
    for (let k = i; k <= j; k++) out[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

/** Normal approximation of R+ with SciPy's tie correction, no continuity correction. */
function normalPValue(r: readonly number[], rPlus: number): number {
  const n = r.length;
  const mean = (n * (n + 1)) / 4;
  let v = (n * (n + 1) * (2 * n + 1)) / 24;
  const counts = new Map<number, number>();
  for (const x of r) counts.set(x, (counts.get(x) ?? 0) + 1);
  for (const t of counts.values()) v -= (t * t * t - t) / 48;
  const z = (rPlus - mean) / Math.sqrt(v);
  return Math.min(1, 2 * normSf(Math.abs(z)));
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
