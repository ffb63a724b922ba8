// Comparing k losses over N conditions (Demšar 2006, "Statistical Comparisons of Classifiers over
// Multiple Data Sets", JMLR 7): each loss's rank within each condition (1 = best, ties share the
// mean rank), the mean ranks, Friedman's χ² (with SciPy's tie correction) and Iman–Davenport's F,
// then post-hoc: Nemenyi's critical difference CD = q_α √(k(k+1) / 6N), with q_α the studentized
// range quantile at infinite df over √2, and Holm's step-down over the z tests of all pairs of mean
// ranks. The CD diagram draws the mean ranks and the CD.
import { chisqSf, fSf, normCdf } from "./dist.ts";
import { holm } from "./holm.ts";

/** Ranks of `xs`, 1 = largest, ties get the mean of their ranks. */
export function ranksDescending(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => b[0] - a[0]);
  const out = new Array<number>(xs.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let t = i; t <= j; t++) out[order[t][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

export interface FriedmanResult {
  /** Conditions (blocks) N and losses k. */
  n: number;
  k: number;
  /** Mean rank per loss (column order of the input), 1 = best. */
  meanRanks: number[];
  chi2: number;
  df: number;
  p: number;
  /** Iman–Davenport F and its p; null F (p 0) when every condition ranks the losses alike. */
  f: number | null;
  df1: number;
  df2: number;
  pF: number;
}

/**
 * `scores[i][j]`: loss j's score under condition i, higher is better (negate a loss-like metric
 * first). Needs N ≥ 2 conditions and k ≥ 2 losses, every score finite.
 */
export function friedman(scores: readonly (readonly number[])[]): FriedmanResult {
  const n = scores.length;
  const k = scores[0]?.length ?? 0;
  if (n < 2 || k < 2) throw new Error(`Friedman needs ≥ 2 conditions and ≥ 2 losses (${n} × ${k})`);
  if (scores.some((r) => r.length !== k || !r.every(Number.isFinite))) {
    throw new Error("Friedman needs a finite score for every loss under every condition");
  }
  const ranks = scores.map(ranksDescending);
  const meanRanks = Array.from({ length: k }, (_, j) => ranks.reduce((s, r) => s + r[j], 0) / n);
  // χ²_F = 12N/(k(k+1)) · (Σ R_j² − k(k+1)²/4), divided by SciPy's tie correction.
  let sumSq = 0;
  for (const r of meanRanks) sumSq += r * r;
  let chi2 = (12 * n / (k * (k + 1))) * (sumSq - (k * (k + 1) ** 2) / 4);
  let ties = 0;
  for (const r of ranks) {
    const counts = new Map<number, number>();
    for (const x of r) counts.set(x, (counts.get(x) ?? 0) + 1);
    for (const t of counts.values()) ties += t * t * t - t;
  }
  const c = 1 - ties / (k * k * k - k) / n;
  chi2 = c > 0 ? chi2 / c : 0; // every condition all tied: no evidence (SciPy gives NaN)
  const df = k - 1;
  const p = chisqSf(chi2, df);
  const df1 = k - 1;
  const df2 = (k - 1) * (n - 1);
  const denom = n * (k - 1) - chi2;
  const f = denom > 1e-12 ? ((n - 1) * chi2) / denom : null;
  const pF = f === null ? 0 : fSf(f, df1, df2);
  return { n, k, meanRanks, chi2, df, p, f, df1, df2, pF };
}

const Phi = normCdf;
const phi = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

/** P(range of k iid standard normals ≤ q): the studentized range CDF at infinite df. */
export function studentizedRangeCdfInf(q: number, k: number): number {
  if (q <= 0) return 0;
  // k ∫ φ(z) [Φ(z) − Φ(z − q)]^{k−1} dz, Simpson's rule over [−9, 9 + q].
  const lo = -9, hi = 9 + q, m = 1200;
  const h = (hi - lo) / m;
  let s = 0;
  for (let i = 0; i <= m; i++) {
    const z = lo + i * h;
    const w = i === 0 || i === m ? 1 : i % 2 ? 4 : 2;
    s += w * phi(z) * (Phi(z) - Phi(z - q)) ** (k - 1);
  }
  return Math.min(1, k * s * h / 3);
}

/** Nemenyi's q_α (Demšar's table): the studentized range (1 − α) quantile at df = ∞, over √2. */
export function nemenyiQ(k: number, alpha = 0.05): number {
  const key = `${k} ${alpha}`;
  let q = qMemo.get(key);
  if (q === undefined) {
    let lo = 0, hi = 20;
    for (let i = 0; i < 48; i++) {
      const mid = (lo + hi) / 2;
      if (studentizedRangeCdfInf(mid, k) < 1 - alpha) lo = mid;
      else hi = mid;
    }
    q = (lo + hi) / 2 / Math.SQRT2;
    qMemo.set(key, q);
  }
  return q;
}
const qMemo = new Map<string, number>();

/** Nemenyi's critical difference of mean ranks for k losses over n conditions. */
export function criticalDifference(k: number, n: number, alpha = 0.05): number {
  return nemenyiQ(k, alpha) * Math.sqrt((k * (k + 1)) / (6 * n));
}

export interface RankPair {
  a: number;
  b: number;
  /** Mean rank of a minus mean rank of b (negative: a ranks better). */
  diff: number;
  z: number;
  p: number;
  pHolm: number;
  /** |diff| ≥ CD: Nemenyi says the two differ. */
  nemenyi: boolean;
}

/** Every pair of mean ranks: Demšar's z, its two-sided p, Holm over all pairs, Nemenyi's call. */
export function rankPairs(meanRanks: readonly number[], n: number, alpha = 0.05): RankPair[] {
  const k = meanRanks.length;
  const se = Math.sqrt((k * (k + 1)) / (6 * n));
  const cd = criticalDifference(k, n, alpha);
  const pairs: Omit<RankPair, "pHolm">[] = [];
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const diff = meanRanks[a] - meanRanks[b];
      const z = diff / se;
      pairs.push({ a, b, diff, z, p: 2 * Phi(-Math.abs(z)), nemenyi: Math.abs(diff) >= cd });
    }
  }
  const adj = holm(pairs.map((x) => x.p));
  return pairs.map((x, i) => ({ ...x, pHolm: adj[i]! }));
}
