// log-softmax of one row of logits, in float64: the prediction metrics read
// probabilities from the logits themselves, so they do not depend on a
// backend's float32 softmax and −log p never meets a probability rounded to 0.
import type { PredictionAccumulator } from "./plugin.ts";

/** Writes log p_k = z_k − logsumexp(z) for row `row` of `logits` (rows of `k`) into `out`. */
export function logSoftmaxRow(
  logits: Float32Array,
  row: number,
  k: number,
  out: Float64Array,
): Float64Array {
  const o = row * k;
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, logits[o + j]);
  let sum = 0;
  for (let j = 0; j < k; j++) sum += Math.exp(logits[o + j] - max);
  const lse = max + Math.log(sum);
  for (let j = 0; j < k; j++) out[j] = logits[o + j] - lse;
  return out;
}

/**
 * The mean over samples of `score(log p, label)`, with log p each row's
 * log-softmax in float64: the shape of every proper scoring rule here.
 */
export function meanOfRowScores(
  classes: number,
  score: (logp: Float64Array, label: number) => number,
): PredictionAccumulator {
  const logp = new Float64Array(classes);
  let sum = 0, n = 0;
  return {
    add({ logits, labels }) {
      for (let i = 0; i < labels.length; i++) {
        sum += score(logSoftmaxRow(logits, i, classes, logp), labels[i]);
        n++;
      }
    },
    finish: () => (n === 0 ? NaN : sum / n),
  };
}
