// TEMPORARY stand-in until the metrics land (branch `conditions`).
import type { Confusion } from "./metrics.ts";
import type { Reliability } from "./types.ts";
const recall = (m: Confusion) => m.map((r, i) => r[i] / Math.max(1, r.reduce((a, b) => a + b, 0)));
export const balancedAccuracy = (m: Confusion) => recall(m).reduce((a, b) => a + b, 0) / m.length;
export const worstClassAccuracy = (m: Confusion) => Math.min(...recall(m));
export const perClassPrecisionRecallF1 = (m: Confusion) => {
  const precision = m.map((_, c) => {
    const col = m.reduce((a, r) => a + r[c], 0);
    return col ? m[c][c] / col : 0;
  });
  const r = recall(m);
  return {
    precision,
    recall: r,
    f1: precision.map((p, i) => (p + r[i] ? (2 * p * r[i]) / (p + r[i]) : 0)),
  };
};
export interface ReliabilityAcc {
  count: number[];
  conf: number[];
  correct: number[];
}
export const emptyReliabilityAcc = (bins = 15): ReliabilityAcc => ({
  count: new Array(bins).fill(0),
  conf: new Array(bins).fill(0),
  correct: new Array(bins).fill(0),
});
export function accumulateReliability(
  acc: ReliabilityAcc,
  confidence: ArrayLike<number>,
  correct: ArrayLike<number | boolean>,
): void {
  const b = acc.count.length;
  for (let i = 0; i < confidence.length; i++) {
    const k = Math.min(b - 1, Math.max(0, Math.ceil(confidence[i] * b) - 1));
    acc.count[k]++;
    acc.conf[k] += confidence[i];
    acc.correct[k] += correct[i] ? 1 : 0;
  }
}
export function finishReliability(acc: ReliabilityAcc): { ece: number; reliability: Reliability } {
  const n = acc.count.reduce((a, b) => a + b, 0);
  const confidence = acc.count.map((c, i) => (c ? acc.conf[i] / c : 0));
  const accuracy = acc.count.map((c, i) => (c ? acc.correct[i] / c : 0));
  const ece = acc.count.reduce((s, c, i) => s + (c / n) * Math.abs(accuracy[i] - confidence[i]), 0);
  return { ece, reliability: { count: acc.count, confidence, accuracy } };
}
