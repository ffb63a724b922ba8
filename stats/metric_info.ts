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
