// Seeds added until decided, without the inflation of looking after every batch: a
// group-sequential design for one pair's per-seed differences d = A − B.
//
// Design (Jennison & Turnbull 2000, "Group Sequential Methods", ch. 2, 7, 9, 19):
// - Information fraction at a look: t = n / nMax (pairs now over the most seeds allowed); the last
//   look (nMax reached, or no more seeds to come) gets t = 1 and spends what is left.
// - Lan–DeMets alpha spending with the O'Brien–Fleming-type function
//   α*(t) = 4 − 4Φ(z_{1−α/4} / √t) (α/2 per side, as gsDesign's sfLDOF and ldbounds' tables):
//   almost nothing is spent early, nearly all α at the end.
// - Two-sided boundaries c_1..c_k on the z scale for the fractions actually observed, solved look by
//   look so that P_0(|Z_1| < c_1, …, |Z_{k−1}| < c_{k−1}, |Z_k| ≥ c_k) = α*(t_k) − α*(t_{k−1}), where
//   Cov(Z_i, Z_j) = √(t_i / t_j). The probabilities are the recursive numerical integration of
//   Armitage, McPherson & Rowe (1969) on the score scale S_k = Z_k √t_k (independent increments),
//   Simpson's rule on a fine grid; tools/make_sequential_fixtures.py checks them against SciPy's
//   multivariate normal and the published tables.
// - The variance of d is unknown and n is small, so each look uses the t distribution at the same
//   nominal level ("significance level approach", J&T §3.8): the look's repeated confidence interval
//   (RCI) is mean(d) ± t_{n−1}(1 − p_k/2) · sd(d)/√n with p_k = 2Φ(−c_k).
// - RCIs cover the true difference at every look simultaneously with probability ≥ 1 − α (J&T ch. 9),
//   whatever the stopping rule. So one interval decides both ways:
//     RCI excludes 0      → "better" (the boundary is crossed; sign from the metric's direction)
//     RCI inside (−δ, +δ) → "equivalent within ±δ" (an equivalence claim wrong with prob. ≤ α)
//     otherwise           → "continue", or "inconclusive" at the last look.
// - Over a family of m pairs, each pair runs at α/m (Bonferroni, valid under any dependence), so
//   the chance that any stated claim of the family is wrong stays ≤ α across all looks.
import { normCdf, normQuantile, tQuantile } from "./dist.ts";
import { mean, variance } from "./describe.ts";

export const SEQUENTIAL_DESIGN = "group-sequential: Lan–DeMets alpha spending, O'Brien–Fleming " +
  "type, boundaries at the observed information fractions (n / maxSeeds), t-based repeated " +
  "confidence intervals (Jennison & Turnbull), Bonferroni over the family's pairs";

const Phi = normCdf;
const phi = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

/** Cumulative two-sided α spent by information fraction t (O'Brien–Fleming-type, Lan–DeMets). */
export function spendOBF(t: number, alpha: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return alpha;
  // α/2 per side, each by the one-sided O'Brien–Fleming-type function 2 − 2Φ(z_{1−α/4}/√t);
  // written 4Φ(−z/√t), exact in the far tail where early looks live.
  return 4 * Phi(normQuantile(alpha / 4) / Math.sqrt(t));
}

/** Simpson weights on n + 1 equally spaced points (n even) over [lo, hi]. */
function simpson(lo: number, hi: number, n: number): { x: Float64Array; w: Float64Array } {
  const x = new Float64Array(n + 1);
  const w = new Float64Array(n + 1);
  const h = (hi - lo) / n;
  for (let i = 0; i <= n; i++) {
    x[i] = lo + i * h;
    w[i] = (h / 3) * (i === 0 || i === n ? 1 : i % 2 ? 4 : 2);
  }
  return { x, w };
}

/** Grid intervals for a region of half-width b when the next increment has sd s. */
const gridSize = (b: number, s: number) => 2 * Math.min(2000, Math.max(200, Math.ceil(20 * b / s)));

/**
 * Two-sided z boundaries c_1..c_K for looks at increasing information fractions (the last may be 1)
 * under O'Brien–Fleming-type spending of `alpha`.
 */
export function boundaries(fractions: readonly number[], alpha: number): number[] {
  const key = `${alpha} ${fractions.join(" ")}`;
  const hit = memo.get(key);
  if (hit) return [...hit];
  const out = solveBoundaries(fractions, alpha);
  if (memo.size >= 256) memo.delete(memo.keys().next().value!);
  memo.set(key, out);
  return [...out];
}

/** Boundaries already solved: every pair of a family, and every simulated sequence, reuses them. */
const memo = new Map<string, number[]>();

function solveBoundaries(fractions: readonly number[], alpha: number): number[] {
  if (!(alpha > 0 && alpha < 1)) throw new Error(`alpha must be in (0, 1), got ${alpha}`);
  fractions.forEach((t, i) => {
    if (!(t > 0 && t <= 1) || (i > 0 && !(t > fractions[i - 1]))) {
      throw new Error(`information fractions must increase within (0, 1]: ${fractions.join(", ")}`);
    }
  });
  const out: number[] = [];
  // The sub-density of S_{k−1} on the continuation region, on a grid with Simpson weights.
  let grid: { x: Float64Array; w: Float64Array } | null = null;
  let dens: Float64Array | null = null;
  let prevT = 0;
  let spent = 0;
  for (const t of fractions) {
    const cum = spendOBF(t, alpha);
    const target = cum - spent;
    let c: number;
    if (grid === null) {
      c = -normQuantile(target / 2);
    } else {
      const s = Math.sqrt(t - prevT);
      const g = grid, f = dens!;
      // P(continue to k−1, then |S_k| ≥ b): the exit probability for boundary b on the S scale.
      const exit = (b: number) => {
        let p = 0;
        for (let i = 0; i < g.x.length; i++) {
          p += g.w[i] * f[i] * (Phi((-b - g.x[i]) / s) + Phi((g.x[i] - b) / s));
        }
        return p;
      };
      const sqrtT = Math.sqrt(t);
      if (!(target > 0) || exit(40 * sqrtT) >= target) {
        c = 40; // nothing (left) to spend here: a boundary no data crosses
      } else {
        let lo = 0, hi = 40; // exit decreases in c; bisect on the z scale
        for (let it = 0; it < 80; it++) {
          const mid = (lo + hi) / 2;
          if (exit(mid * sqrtT) > target) lo = mid;
          else hi = mid;
        }
        c = (lo + hi) / 2;
      }
    }
    out.push(c);
    spent = cum;
    // Propagate the sub-density to the continuation region |S_k| < c √t_k.
    const b = Math.min(c, 12) * Math.sqrt(t);
    const sNext = Math.sqrt(Math.max(1e-6, (fractions[out.length] ?? 1) - t)) || 1;
    const next = simpson(-b, b, gridSize(b, Math.min(sNext, Math.sqrt(t))));
    const nd = new Float64Array(next.x.length);
    if (grid === null) {
      for (let i = 0; i < nd.length; i++) nd[i] = phi(next.x[i] / Math.sqrt(t)) / Math.sqrt(t);
    } else {
      const s = Math.sqrt(t - prevT);
      for (let i = 0; i < nd.length; i++) {
        let v = 0;
        for (let j = 0; j < grid.x.length; j++) {
          v += grid.w[j] * dens![j] * phi((next.x[i] - grid.x[j]) / s);
        }
        nd[i] = v / s;
      }
    }
    grid = next;
    dens = nd;
    prevT = t;
  }
  return out;
}

export type SeqDecision = "better" | "equivalent" | "continue" | "inconclusive";

export interface SeqLook {
  /** Pairs (finite differences) at this look. */
  n: number;
  /** Information fraction used (1 at the last look). */
  fraction: number;
  /** The z boundary c_k and its nominal two-sided level p_k = 2Φ(−c_k); null when n < 2. */
  boundary: number | null;
  nominalAlpha: number | null;
  mean: number | null;
  /** The repeated confidence interval; null when it can't be formed (n < 2 or no spread). */
  rci: [number, number] | null;
  decision: SeqDecision;
  /** With "better": which side is better ("a" or "b"); by the metric's direction. */
  better?: "a" | "b";
  reason?: string;
}

export interface SeqOptions {
  /** The α this pair runs at (the family's α over its size, for Bonferroni). */
  alpha: number;
  /** The most pairs (seeds) the design allows: information fraction n / nMax. */
  nMax: number;
  /** Equivalence margin on the metric's scale (e.g. 0.005 = 0.5 points of accuracy). */
  delta: number;
  /** Which way is better; undefined: "better" means higher. */
  direction?: "higher" | "lower";
  /** This is the last look (nMax reached, or no seeds will be added): spend the rest. */
  final?: boolean;
}

/**
 * One pair at one look: `diffs` are the per-seed differences now, `earlier` the pair counts at
 * this pair's earlier looks (which fix the boundaries already used). Earlier looks that did not
 * grow n are dropped (they were no new look for this pair).
 */
export function sequentialLook(
  diffs: readonly number[],
  earlier: readonly number[],
  opts: SeqOptions,
): SeqLook {
  const d = diffs.filter(Number.isFinite);
  const n = d.length;
  const fr = (m: number) => Math.min(1, m / opts.nMax);
  const past: number[] = [];
  for (const m of earlier) {
    if (m >= 2 && fr(m) < 1 && (past.length === 0 || m > past.at(-1)!)) {
      past.push(m);
    }
  }
  while (past.length && past.at(-1)! >= n) past.pop();
  const fraction = opts.final ? 1 : fr(n);
  const look: SeqLook = {
    n,
    fraction,
    boundary: null,
    nominalAlpha: null,
    mean: n ? mean(d) : null,
    rci: null,
    decision: opts.final ? "inconclusive" : "continue",
  };
  // No test without two pairs: no look either (it spends nothing; the next look spends for both).
  if (n < 2) return { ...look, reason: `n = ${n}: no interval` };
  const c = boundaries([...past.map(fr), fraction], opts.alpha).at(-1)!;
  const nominalAlpha = 2 * Phi(-c);
  look.boundary = c;
  look.nominalAlpha = nominalAlpha;
  const sd = Math.sqrt(variance(d));
  if (sd === 0) return { ...look, reason: "the same difference on every seed: no interval" };
  const h = tQuantile(1 - nominalAlpha / 2, n - 1) * sd / Math.sqrt(n);
  const m = look.mean!;
  look.rci = [m - h, m + h];
  if (m - h > 0 || m + h < 0) {
    const aHigher = m > 0;
    look.decision = "better";
    look.better = (opts.direction === "lower" ? !aHigher : aHigher) ? "a" : "b";
  } else if (m - h > -opts.delta && m + h < opts.delta) {
    look.decision = "equivalent";
  }
  return look;
}
