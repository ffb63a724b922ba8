// Equivalence and power for a comparison: TOST (two one-sided t-tests, as statsmodels'
// ttost_paired / ttost_ind), and the one-sample/paired t-test's power as statsmodels' TTestPower,
// which gives the minimum detectable effect at the current n and the seeds needed to detect δ.
import { nctCdf, tQuantile, tSf } from "./dist.ts";

/** TOST p for |true difference| < δ: the larger of the two one-sided p's. */
export function tostP(diff: number, se: number, df: number, delta: number): number {
  const pLow = tSf((diff + delta) / se, df); // H0: diff ≤ −δ
  const pHigh = tSf((delta - diff) / se, df); // H0: diff ≥ +δ
  return Math.max(pLow, pHigh);
}

/**
 * Power of a one-sample (paired) t-test at standardised effect `es` (mean/sd), n observations and
 * level alpha; two-sided counts both tails, as statsmodels' TTestPower().power does.
 */
export function tTestPower(
  es: number,
  n: number,
  alpha: number,
  alternative: "two-sided" | "larger" = "two-sided",
): number {
  const df = n - 1;
  const nc = es * Math.sqrt(n);
  if (alternative === "larger") return 1 - nctCdf(tQuantile(1 - alpha, df), df, nc);
  const crit = tQuantile(1 - alpha / 2, df);
  return 1 - nctCdf(crit, df, nc) + nctCdf(-crit, df, nc);
}

/** Bisection on an increasing function to the root of f = target. */
function solve(f: (x: number) => number, target: number, lo: number, hi: number): number {
  while (f(hi) < target) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (f(mid) < target) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

const detectable = new Map<string, number>();

/**
 * The standardised effect detected with `power` at n (statsmodels' solve_power for effect_size).
 * Memoised: a family's pairs share n and α, so an experiment solves it once per family.
 */
export function detectableEffect(
  n: number,
  alpha: number,
  power = 0.8,
  alternative: "two-sided" | "larger" = "two-sided",
): number {
  const key = `${n}|${alpha}|${power}|${alternative}`;
  let es = detectable.get(key);
  if (es === undefined) {
    es = solve((x) => tTestPower(x, n, alpha, alternative), power, 0, 1);
    if (detectable.size > 10_000) detectable.clear();
    detectable.set(key, es);
  }
  return es;
}

/** Observations (real-valued, as statsmodels' solve_power for nobs) to detect `es` with `power`. */
export function observationsNeeded(
  es: number,
  alpha: number,
  power = 0.8,
  alternative: "two-sided" | "larger" = "two-sided",
): number {
  return solve((n) => tTestPower(es, n, alpha, alternative), power, 2, 64);
}

/**
 * The fewest whole seeds (≥ 2) whose paired t-test detects `es` with `power`: ⌈statsmodels' nobs⌉,
 * found by bisection over whole numbers (power grows with n).
 */
export function seedsToDetect(
  es: number,
  alpha: number,
  power = 0.8,
  alternative: "two-sided" | "larger" = "two-sided",
): number {
  const ok = (n: number) => tTestPower(es, n, alpha, alternative) >= power;
  let hi = 2;
  while (!ok(hi)) hi *= 2;
  let lo = Math.max(2, hi / 2);
  if (ok(lo)) return lo;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
