// Summaries of per-round measurements: the median and the spread (min–max,
// interquartile range), with quantiles interpolated linearly between order
// statistics as numpy.percentile does by default.

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
}

/** The q-quantile (0 ≤ q ≤ 1) of sorted values, numpy's "linear" method. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function summarize(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  return {
    n: s.length,
    median: quantile(s, 0.5),
    min: s[0] ?? NaN,
    max: s[s.length - 1] ?? NaN,
    q1: quantile(s, 0.25),
    q3: quantile(s, 0.75),
  };
}

/** The summary with every value rounded to `d` decimals (for printing). */
export function rounded(s: Summary, d = 3): Summary {
  const r = (x: number) => Math.round(x * 10 ** d) / 10 ** d;
  return {
    n: s.n,
    median: r(s.median),
    min: r(s.min),
    max: r(s.max),
    q1: r(s.q1),
    q3: r(s.q3),
  };
}
