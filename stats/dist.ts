// The distributions the tests need: Student's t (central and noncentral) and the normal, to
// double precision. Small and dependency-free (these replaced 320 @stdlib packages); checked
// against SciPy and statsmodels in tests/stats_reference.test.ts and tests/stats_power.test.ts.

const EPS = 1e-16;
const TINY = 1e-300;

/** ln Γ(x), x > 0 (Lanczos, g = 7, 9 terms; relative error ≈ 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const c = [
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised incomplete beta I_x(a, b) by Lentz's continued fraction. */
export function betaInc(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - betaInc(1 - x, b, a);
  const lnFront = a * Math.log(x) + b * Math.log1p(-x) -
    (logGamma(a) + logGamma(b) - logGamma(a + b));
  let f = 1, c = 1, d = 0;
  for (let i = 0; i <= 1000; i++) {
    const m = i >> 1;
    const num = i === 0
      ? 1
      : i % 2 === 0
      ? (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m))
      : -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    d = 1 / d;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    const cd = c * d;
    f *= cd;
    if (Math.abs(1 - cd) < EPS) return (Math.exp(lnFront) * (f - 1)) / a;
  }
  throw new Error(`betaInc(${x}, ${a}, ${b}) did not converge`);
}

/** Regularised upper incomplete gamma Q(a, x). */
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnFront = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a, term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return 1 - sum * Math.exp(lnFront);
  }
  let b = x + 1 - a, c = 1 / TINY, d = 1 / b, h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(lnFront) * h;
}

/** Standard normal upper tail P(Z > z), accurate in the far tail too. */
export function normSf(z: number): number {
  if (z < 0) return 1 - normSf(-z);
  return 0.5 * gammaQ(0.5, (z * z) / 2);
}

export const normCdf = (z: number): number => normSf(-z);

/** Standard normal quantile (Acklam's rational start, two Newton steps on normCdf). */
export function normQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.357751867269,
    -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406,
    161.5858368580409,
    -155.6989798598866,
    66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  let x: number;
  if (p < 0.02425 || p > 0.97575) {
    const q = Math.sqrt(-2 * Math.log(Math.min(p, 1 - p)));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    if (p > 0.5) x = -x;
  } else {
    const q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  for (let i = 0; i < 2; i++) {
    const err = p < 0.5 ? normCdf(x) - p : (1 - p) - normSf(x);
    x -= err / (Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI));
  }
  return x;
}

/** Student's t upper tail P(T > t) at df > 0 degrees of freedom (df may be fractional). */
export function tSf(t: number, df: number): number {
  if (!Number.isFinite(t)) return t > 0 ? 0 : 1;
  const half = 0.5 * betaInc(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? half : 1 - half;
}

export const tCdf = (t: number, df: number): number => tSf(-t, df);

/** Two-sided p of a t statistic: P(|T| ≥ |t|), without the cancellation of 2·(1 − cdf). */
export function tTwoSided(t: number, df: number): number {
  return Math.min(1, betaInc(df / (df + t * t), df / 2, 0.5));
}

/** Student's t quantile: bisection to the last bit, as SciPy's t.ppf to ≈ 1e-15 relative. */
export function tQuantile(p: number, df: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  const tail = 1 - p;
  let lo = 0, hi = 1;
  while (tSf(hi, df) > tail) hi *= 2;
  for (let i = 0; i < 2000 && hi - lo > 0; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (tSf(mid, df) > tail) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * Noncentral t CDF P(T ≤ t | df, nc) by Lenth's AS 243 (error ≤ 1e-12); past |nc| = 30, where its
 * Poisson weights underflow, by integrating Φ(t·u/√df − nc) over the chi distribution of u.
 */
export function nctCdf(t: number, df: number, nc: number): number {
  if (Math.abs(nc) > 30) return nctCdfByChi(t, df, nc);
  const neg = t < 0;
  const tt = neg ? -t : t;
  const del = neg ? -nc : nc;
  const x = (tt * tt) / (tt * tt + df);
  let tnc = 0;
  if (x > 0) {
    const lambda = del * del;
    let p = 0.5 * Math.exp(-0.5 * lambda);
    let q = Math.sqrt(2 / Math.PI) * p * del;
    let s = 0.5 - p;
    let a = 0.5;
    const b = 0.5 * df;
    const rxb = Math.pow(1 - x, b);
    const albeta = 0.5 * Math.log(Math.PI) + logGamma(b) - logGamma(0.5 + b);
    let xodd = betaInc(x, a, b);
    let godd = 2 * rxb * Math.exp(a * Math.log(x) - albeta);
    let xeven = 1 - rxb;
    let geven = b * x * rxb;
    tnc = p * xodd + q * xeven;
    for (let en = 1; en <= 2000; en++) {
      a += 1;
      xodd -= godd;
      xeven -= geven;
      godd *= (x * (a + b - 1)) / a;
      geven *= (x * (a + b - 0.5)) / (a + 0.5);
      p *= lambda / (2 * en);
      q *= lambda / (2 * en + 1);
      s -= p;
      tnc += p * xodd + q * xeven;
      if (Math.abs(2 * s * (xodd - godd)) <= 1e-14 && en > lambda / 2) break;
    }
  }
  tnc += normCdf(-del);
  tnc = Math.min(1, Math.max(0, tnc));
  return neg ? 1 - tnc : tnc;
}

/** E[Φ(t·U/√df − nc)], U ~ χ_df, by adaptive Simpson over u in [0, √df + 40]. */
function nctCdfByChi(t: number, df: number, nc: number): number {
  const lnNorm = (1 - df / 2) * Math.LN2 - logGamma(df / 2);
  const f = (u: number) =>
    u === 0
      ? (df === 1 ? Math.exp(lnNorm) * normCdf(-nc) : 0)
      : Math.exp(lnNorm + (df - 1) * Math.log(u) - (u * u) / 2) *
        normCdf((t * u) / Math.sqrt(df) - nc);
  const simpson = (a: number, fa: number, fm: number, b: number, fb: number) =>
    ((b - a) / 6) * (fa + 4 * fm + fb);
  const adapt = (
    a: number,
    fa: number,
    m: number,
    fm: number,
    b: number,
    fb: number,
    whole: number,
    tol: number,
    depth: number,
  ): number => {
    const [lm, rm] = [(a + m) / 2, (m + b) / 2];
    const [flm, frm] = [f(lm), f(rm)];
    const left = simpson(a, fa, flm, m, fm);
    const right = simpson(m, fm, frm, b, fb);
    if (depth <= 0 || Math.abs(left + right - whole) <= 15 * tol) {
      return left + right + (left + right - whole) / 15;
    }
    return adapt(a, fa, lm, flm, m, fm, left, tol / 2, depth - 1) +
      adapt(m, fm, rm, frm, b, fb, right, tol / 2, depth - 1);
  };
  // Start on a grid fine enough that no step of the integrand hides between the first nodes.
  const hi = Math.sqrt(df) + 40;
  const pieces = 64;
  let sum = 0;
  for (let k = 0; k < pieces; k++) {
    const [a, b] = [(k * hi) / pieces, ((k + 1) * hi) / pieces];
    const m = (a + b) / 2;
    const [fa, fm, fb] = [f(a), f(m), f(b)];
    sum += adapt(a, fa, m, fm, b, fb, simpson(a, fa, fm, b, fb), 1e-12, 40);
  }
  return Math.min(1, Math.max(0, sum));
}

/** χ² CDF P(X ≤ x) at k degrees of freedom: the regularised lower incomplete gamma P(k/2, x/2). */
export function chisqCdf(x: number, k: number): number {
  return x <= 0 ? 0 : 1 - gammaQ(k / 2, x / 2);
}

/** F CDF P(X ≤ x) at (d1, d2) degrees of freedom: I_{d1·x/(d1·x + d2)}(d1/2, d2/2). */
export function fCdf(x: number, d1: number, d2: number): number {
  return x <= 0 ? 0 : betaInc((d1 * x) / (d1 * x + d2), d1 / 2, d2 / 2);
}

/** χ² upper tail P(X > x), without the cancellation of 1 − cdf. */
export function chisqSf(x: number, k: number): number {
  return x <= 0 ? 1 : gammaQ(k / 2, x / 2);
}

/** F upper tail P(X > x): I_{d2/(d2 + d1·x)}(d2/2, d1/2). */
export function fSf(x: number, d1: number, d2: number): number {
  return x <= 0 ? 1 : betaInc(d2 / (d2 + d1 * x), d2 / 2, d1 / 2);
}
