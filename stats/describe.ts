// Descriptive statistics of one metric across seeds: what a cell's band and table show.
// Every number is finite or null, so nothing turns into NaN/Infinity (or a silent null) in JSON.
import type { z } from "zod";
import { tQuantile } from "./dist.ts";
import type { summarySchema } from "./schema.ts";

export type Summary = z.output<typeof summarySchema>;

/** The two-sided 95% t critical value at `df` degrees of freedom (df > 0). */
export function t975(df: number): number {
  return tQuantile(0.975, df);
}

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample variance (ddof = 1), two-pass for accuracy; exactly 0 when all values are equal. */
export function variance(xs: readonly number[]): number {
  if (xs.every((x) => x === xs[0])) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return s / (xs.length - 1);
}

export function describe(values: readonly number[]): Summary {
  const xs = values.filter(Number.isFinite);
  const dropped = values.length - xs.length;
  const note = dropped > 0 ? `${dropped} non-finite value${dropped > 1 ? "s" : ""} left out` : "";
  const withNote = (reason: string) => [reason, note].filter(Boolean).join("; ");
  const n = xs.length;
  if (n === 0) {
    return {
      n,
      mean: null,
      sd: null,
      se: null,
      ci95: null,
      min: null,
      max: null,
      reason: withNote("no values"),
    };
  }
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  if (n === 1) {
    return {
      n,
      mean: xs[0],
      sd: null,
      se: null,
      ci95: null,
      min,
      max,
      reason: withNote("n = 1: no spread or interval"),
    };
  }
  if (min === max) {
    // Identical values: the interval degenerates to the point (a t-interval of 0 width).
    return {
      n,
      mean: min,
      sd: 0,
      se: 0,
      ci95: [min, min],
      min,
      max,
      reason: withNote("zero variance: all values identical"),
    };
  }
  const m = mean(xs);
  const sd = Math.sqrt(variance(xs));
  const se = sd / Math.sqrt(n);
  const h = t975(n - 1) * se;
  const out: Summary = { n, mean: m, sd, se, ci95: [m - h, m + h], min, max };
  if (note) out.reason = note;
  return out;
}
