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
