// log-softmax of one row of logits, in float64: the prediction metrics read
// probabilities from the logits themselves, so they do not depend on a
// backend's float32 softmax and −log p never meets a probability rounded to 0.

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
