// What a metric's number means to a reader: which way is better, how to show it, what to call it.
// The metric registry (ml/metrics/) declares it; this is the statistics' view of it.
import { findMetric } from "../ml/metrics/registry.ts";

/** "higher" or "lower" is better; undefined for a metric the registry does not know. */
export function metricDirection(metric: string): "higher" | "lower" | undefined {
  return findMetric(metric)?.direction;
}

/** Accuracy- and F1-like metrics are fractions in [0, 1], shown as percentage points. */
export function isFraction(metric: string): boolean {
  return findMetric(metric)?.unit === "fraction";
}

export function metricName(metric: string): string {
  return findMetric(metric)?.title ?? metric;
}

// ---- What the statistics need per metric (to move into the metric registry at merge). ----

/**
 * δ, the smallest difference that matters, in the metric's own units: two cells within ±δ of each
 * other are "equivalent" (TOST), and "seeds needed" is the number that detects δ. The default for
 * an accuracy-like metric is 0.5 points (0.005): about the seed-to-seed sd of one run here, and the
 * size of effect the loss-function literature reports as a win.
 */
const DELTA: Record<string, number> = {
  testLoss: 0.02,
  trainLoss: 0.02,
  valLoss: 0.02,
  ece: 0.005,
};
export const DEFAULT_DELTA_POINTS = 0.5;

export function metricDelta(metric: string): number | undefined {
  return DELTA[metric] ?? (isFraction(metric) ? DEFAULT_DELTA_POINTS / 100 : undefined);
}

/**
 * The metric's resolution: hits/N metrics move in steps of 1/N, with N the images they count
 * (the test set, or the validation split); undefined for continuous metrics.
 */
export function metricResolution(
  metric: string,
  sizes: { test?: number; val?: number },
): number | undefined {
  const n = metric === "testAcc" ? sizes.test : metric === "valAcc" ? sizes.val : undefined;
  return n && n > 0 ? 1 / n : undefined;
}
