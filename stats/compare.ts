// Does cell A differ from cell B? Per-seed values of one metric, paired on common seeds when
// possible (same seed = same initialisation and data order, so pairing removes that noise).
// This module decides which tests apply (paired t, Welch's t, Wilcoxon) and turns every undefined
// case into null with a stated reason. With a `resolution` (1/N for a hits-based metric on N test
// images), paired differences are first rounded to whole multiples of it, so that the same
// difference in images is the same number whatever the two accuracies were: float rounding must
// not decide ties, zeros or a zero variance.
import type { z } from "zod";
import { mean, variance } from "./describe.ts";
import { tQuantile, tSf, tTwoSided } from "./dist.ts";
import type { pairStatsSchema } from "./schema.ts";
import { wilcoxonSignedRank } from "./wilcoxon.ts";

export interface Sample {
  values: number[];
  seeds: number[];
}

export type PairStats = z.output<typeof pairStatsSchema>;

export interface CompareOptions {
  paired?: boolean;
  /** The metric's smallest step (1/N for hits/N); paired differences are rounded to it. */
  resolution?: number;
  /** Which way is better; sets what P(A better) counts. */
  direction?: "higher" | "lower";
}

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

export function compare(a: Sample, b: Sample, opts: CompareOptions = {}): PairStats {
  const notes: string[] = [];
  const A = finitePairs(a, "A", notes);
  const B = finitePairs(b, "B", notes);
  const wantPaired = opts.paired ?? true;
  const sign = opts.direction === "lower" ? -1 : 1;
  let out: PairStats;
  if (wantPaired) {
    const pairs = pairOnSeeds(A, B, notes);
    out = pairs
      ? pairedStats(pairs, A.length, B.length, notes, sign, opts.resolution)
      : welchStats(A, B, notes, sign);
  } else {
    out = welchStats(A, B, notes, sign);
  }
  out.divergedA = a.values.length - A.length;
  out.divergedB = b.values.length - B.length;
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

const empty = (paired: boolean, n: number, nA: number, nB: number): PairStats => ({
  paired,
  n,
  nA,
  nB,
  diff: null,
  ci95: null,
  pT: null,
  pWilcoxon: null,
  pImprove: null,
  se: null,
  df: null,
  sdDiff: null,
  divergedA: 0,
  divergedB: 0,
});

/** Per-seed differences in units of `resolution` (whole numbers), or null when not its multiples. */
function quantise(d: number[], resolution: number): number[] | null {
  const k = d.map((x) => Math.round(x / resolution));
  return k.every((q, i) => Math.abs(d[i] / resolution - q) < 1e-6) ? k : null;
}

function pairedStats(
  pairs: [number, number][],
  nA: number,
  nB: number,
  notes: string[],
  sign: number,
  resolution?: number,
): PairStats {
  const raw = pairs.map(([x, y]) => x - y);
  const n = raw.length;
  // Tests run on whole units when a resolution applies; results are scaled back by `unit`.
  let units = raw;
  let unit = 1;
  if (resolution !== undefined) {
    const k = quantise(raw, resolution);
    if (k) [units, unit] = [k, resolution];
    else notes.push(`differences are not multiples of the resolution ${resolution}: not rounded`);
  }
  const out: PairStats = { ...empty(true, n, nA, nB), diff: mean(units) * unit };
  if (unit !== 1) out.resolution = unit;
  out.pImprove = units.reduce((s, x) => s + (sign * x > 0 ? 1 : x === 0 ? 0.5 : 0), 0) / n;
  const v = variance(units);
  out.sdDiff = Math.sqrt(v) * unit;
  if (v === 0) {
    out.diff = units[0] * unit;
    out.ci95 = [out.diff, out.diff];
  } else {
    out.se = out.sdDiff / Math.sqrt(n);
    out.df = n - 1;
    out.pT = tTwoSided(out.diff! / out.se, out.df);
    out.ci95 = tInterval(out.diff!, out.se, out.df, 0.95);
  }
  const w = wilcoxonSignedRank(units);
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

function welchStats(A: Obs[], B: Obs[], notes: string[], sign: number): PairStats {
  const xs = A.map((o) => o.value);
  const ys = B.map((o) => o.value);
  const out = empty(false, xs.length + ys.length, xs.length, ys.length);
  if (xs.length === 0 || ys.length === 0) return out;
  out.diff = mean(xs) - mean(ys);
  out.pImprove = improvement(xs.flatMap((x) => ys.map((y): [number, number] => [x, y])), sign);
  notes.push("unpaired: Wilcoxon signed-rank needs pairs");
  if (xs.length < 2 || ys.length < 2) return out;
  if (variance(xs) === 0 && variance(ys) === 0) {
    out.diff = xs[0] - ys[0];
    out.ci95 = [out.diff, out.diff];
    return out;
  }
  const vx = variance(xs) / xs.length;
  const vy = variance(ys) / ys.length;
  out.se = Math.sqrt(vx + vy);
  out.df = (vx + vy) ** 2 / (vx ** 2 / (xs.length - 1) + vy ** 2 / (ys.length - 1));
  out.pT = tTwoSided(out.diff / out.se, out.df);
  out.ci95 = tInterval(out.diff, out.se, out.df, 0.95);
  return out;
}

/** Two-sided t-interval at `level` around `diff`. */
export function tInterval(diff: number, se: number, df: number, level: number): [number, number] {
  const h = tQuantile(1 - (1 - level) / 2, df) * se;
  return [diff - h, diff + h];
}

/**
 * One-sided p of "A better than B" (direction +1 when higher is better, −1 when lower): the t-test
 * of exactly the declared claim; null when no t-test ran.
 */
export function pOneSided(s: PairStats, direction: 1 | -1): number | null {
  if (s.se === null || s.df === null || s.diff === null) return null;
  return tSf((direction * s.diff) / s.se, s.df);
}

/** Fraction of pairs where x is better than y (sign +1: higher is better), ties counting ½. */
function improvement(pairs: [number, number][], sign: number): number {
  let s = 0;
  for (const [x, y] of pairs) s += sign * (x - y) > 0 ? 1 : x === y ? 0.5 : 0;
  return s / pairs.length;
}
