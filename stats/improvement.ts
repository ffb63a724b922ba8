// The probability of improvement across conditions, as rliable defines it (Agarwal et al. 2021,
// "Deep RL at the Edge of the Statistical Precipice"): P(X > Y) = mean over conditions m of
// P(X_m > Y_m), each the Mann–Whitney fraction of run pairs with x > y (ties ½); its CI from a
// stratified bootstrap (runs resampled with replacement within each condition and loss), percentile
// interval. Seeded, so a response is the same every time it is asked for.

/** Fraction of (x, y) pairs with x > y, ties counting ½ (Mann–Whitney U / (|x||y|)). */
export function pGreater(x: readonly number[], y: readonly number[]): number {
  let s = 0;
  for (const a of x) for (const b of y) s += a > b ? 1 : a === b ? 0.5 : 0;
  return s / (x.length * y.length);
}

/** P(X > Y): per condition runs of X and of Y, higher is better; every condition needs runs of both. */
export function probabilityOfImprovement(
  x: readonly (readonly number[])[],
  y: readonly (readonly number[])[],
): number {
  if (x.length !== y.length || x.length === 0) throw new Error("X and Y need the same conditions");
  if (x.some((r, i) => r.length === 0 || y[i].length === 0)) {
    throw new Error("every condition needs runs of both");
  }
  return x.reduce((s, xs, i) => s + pGreater(xs, y[i]), 0) / x.length;
}

/** mulberry32: small, fast and the same everywhere. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function resample(xs: readonly number[], u: () => number): number[] {
  return xs.map(() => xs[Math.floor(u() * xs.length)]);
}

export interface Improvement {
  p: number;
  /** The percentile interval of the stratified bootstrap. */
  ci: [number, number];
  level: number;
  reps: number;
}

export function improvementWithCi(
  x: readonly (readonly number[])[],
  y: readonly (readonly number[])[],
  opts: { reps?: number; level?: number; seed?: number } = {},
): Improvement {
  const reps = opts.reps ?? 2000;
  const level = opts.level ?? 0.95;
  const u = rng(opts.seed ?? 1);
  const p = probabilityOfImprovement(x, y);
  const boot = new Float64Array(reps);
  for (let r = 0; r < reps; r++) {
    boot[r] = probabilityOfImprovement(
      x.map((xs) => resample(xs, u)),
      y.map((ys) => resample(ys, u)),
    );
  }
  boot.sort();
  // Linear interpolation between order statistics, as numpy.percentile's default.
  const q = (f: number) => {
    const h = (reps - 1) * f;
    const i = Math.floor(h);
    return boot[i] + (h - i) * ((boot[Math.min(i + 1, reps - 1)] ?? boot[i]) - boot[i]);
  };
  const tail = (1 - level) / 2;
  return { p, ci: [q(tail), q(1 - tail)], level, reps };
}
