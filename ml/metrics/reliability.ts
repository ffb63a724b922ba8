// The reliability diagram and expected calibration error over equal-width
// confidence bins (Guo et al. 2017), accumulated batch by batch. No tfjs.
import type { Reliability } from "../types.ts";

/** Running sums for a reliability diagram over `bins` equal-width confidence bins. */
export interface ReliabilityAcc {
  /** Upper edges of the bins as numpy's linspace(0, 1, bins + 1)[1:] gives them. */
  edges: number[];
  count: number[];
  confidenceSum: number[];
  correctSum: number[];
}

export function emptyReliabilityAcc(bins = 15): ReliabilityAcc {
  if (!(Number.isInteger(bins) && bins >= 1)) {
    throw new Error(`bins must be a positive integer, got ${bins}`);
  }
  // linspace's i · (1/bins), with the last edge exactly 1, so samples on an edge
  // fall where Guo et al.'s reference code puts them.
  const step = 1 / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? 1 : i * step));
  return {
    edges,
    count: new Array<number>(bins).fill(0),
    confidenceSum: new Array<number>(bins).fill(0),
    correctSum: new Array<number>(bins).fill(0),
  };
}

/**
 * Adds samples to `acc` in place: `confidence` is each sample's top-class softmax
 * probability, `correct` whether that class was the label. Bin b holds
 * confidences in (edges[b], edges[b+1]] (Guo et al. 2017); a confidence of
 * exactly 0, which a softmax never gives, goes to the first bin.
 */
export function accumulateReliability(
  acc: ReliabilityAcc,
  confidence: ArrayLike<number>,
  correct: ArrayLike<number | boolean>,
): ReliabilityAcc {
  if (confidence.length !== correct.length) {
    throw new Error(`${confidence.length} confidences for ${correct.length} outcomes`);
  }
  const bins = acc.count.length, e = acc.edges;
  for (let i = 0; i < confidence.length; i++) {
    const p = confidence[i];
    if (!(p >= 0 && p <= 1)) throw new Error(`confidence ${p} at ${i} is outside [0, 1]`);
    let b = Math.min(bins - 1, Math.max(0, Math.ceil(p * bins) - 1));
    while (b > 0 && p <= e[b]) b--;
    while (b < bins - 1 && p > e[b + 1]) b++;
    acc.count[b]++;
    acc.confidenceSum[b] += p;
    acc.correctSum[b] += correct[i] ? 1 : 0;
  }
  return acc;
}

/**
 * The reliability diagram and the expected calibration error,
 * ECE = Σ_b |B_b|/n · |acc_b − conf_b| (0 when there are no samples).
 */
export function finishReliability(acc: ReliabilityAcc): { ece: number; reliability: Reliability } {
  let n = 0;
  for (const c of acc.count) n += c;
  const confidence = acc.count.map((c, b) => (c === 0 ? 0 : acc.confidenceSum[b] / c));
  const accuracy = acc.count.map((c, b) => (c === 0 ? 0 : acc.correctSum[b] / c));
  let ece = 0;
  if (n > 0) {
    for (let b = 0; b < acc.count.length; b++) {
      ece += (acc.count[b] / n) * Math.abs(accuracy[b] - confidence[b]);
    }
  }
  return { ece, reliability: { count: acc.count.slice(), confidence, accuracy } };
}
