// What a metric's number means to a reader: which way is better, how to show it, what to call it.

const HIGHER = new Set([
  "testAcc",
  "trainAcc",
  "f1",
  "balancedAcc",
  "worstClassAcc",
  "valAcc",
  "valF1",
  "trainAccClean",
]);
// trainAccNoisy is accuracy against flipped labels: fitting them is memorising noise.
const LOWER = new Set(["testLoss", "trainLoss", "valLoss", "ece", "trainAccNoisy"]);

const NAMES: Record<string, string> = {
  testAcc: "test accuracy",
  trainAcc: "train accuracy",
  f1: "macro F1",
  balancedAcc: "balanced accuracy",
  worstClassAcc: "worst-class accuracy",
  valAcc: "validation accuracy",
  valF1: "validation macro F1",
  trainAccClean: "train accuracy on clean labels",
  trainAccNoisy: "train accuracy on flipped labels",
  testLoss: "test loss",
  trainLoss: "train loss",
  valLoss: "validation loss",
  ece: "ECE",
};

/** "higher" or "lower" is better; undefined for a metric with no agreed direction. */
export function metricDirection(metric: string): "higher" | "lower" | undefined {
  return HIGHER.has(metric) ? "higher" : LOWER.has(metric) ? "lower" : undefined;
}

/** Accuracy- and F1-like metrics are fractions in [0, 1], shown as percentage points. */
export function isFraction(metric: string): boolean {
  return /acc|f1/i.test(metric);
}

export function metricName(metric: string): string {
  return NAMES[metric] ?? metric;
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
