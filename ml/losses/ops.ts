// Per-sample numerics shared by the loss plug-ins. Each returns one value per
// row of the batch; `perSampleMean` turns that into a batch-mean LossFn.
import * as tf from "../tf.ts";
import { opPath, softmaxCrossEntropy } from "../kernels/softmax_ce.ts";
import type { LossFn } from "./plugin.ts";

/** A LossFn that averages `perSample` over the batch, with the one-hot labels at hand. */
export function perSampleMean(
  perSample: (logits: tf.Tensor2D, oneHot: tf.Tensor2D) => tf.Tensor1D,
): LossFn {
  return (logits, labels) =>
    tf.tidy(() => {
      const oneHot = tf.oneHot(labels, logits.shape[1]).toFloat() as tf.Tensor2D;
      return tf.mean(perSample(logits, oneHot));
    }) as tf.Scalar;
}

/** Whether the cpu backend takes the fused op (bench/levers.ts switches it to measure it). */
export const ceFusion = { enabled: true };

/**
 * Softmax cross-entropy, logsumexp(z) − z_y: finite for any logits, and its
 * gradient (softmax − one-hot) never goes through the log of a probability.
 * On the cpu backend one fused op, bit for bit these ops (ml/kernels/softmax_ce.ts)
 * when the loss uses `logits` for nothing else. A loss that does (sce, nce_rce)
 * passes `sharedLogits`: the tape would add the other use's gradient between this
 * one's three parts, which the fused op returns already summed, so it takes the ops.
 */
export function crossEntropy(
  logits: tf.Tensor2D,
  oneHot: tf.Tensor2D,
  sharedLogits = false,
): tf.Tensor1D {
  return ceFusion.enabled && !sharedLogits
    ? softmaxCrossEntropy(logits, oneHot)
    : opPath(logits, oneHot);
}

/** log softmax(z) = z − logsumexp(z), row by row. */
export function logSoftmax(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.sub(logits, tf.logSumExp(logits, 1, true));
}

/** The focal term (1 − p_t)^γ · ce_i, with p_t = exp(−ce_i). */
export function focalTerm(ce: tf.Tensor1D, gamma: number): tf.Tensor1D {
  if (gamma === 0) return ce;
  // 1 − p_t is floored just above 0: for γ < 1 the derivative of (1 − p_t)^γ
  // is infinite at p_t = 1, and inf·0 would turn a confident batch into NaN.
  // The floor changes the loss by at most 1e-12^γ · ce_i, with ce_i ≈ 0 there.
  const hard = tf.maximum(tf.sub(1, tf.exp(tf.neg(ce))), 1e-12);
  return tf.mul(tf.pow(hard, gamma), ce);
}

/**
 * What reverse cross-entropy takes log 0 to (Wang et al. 2019, A = −4; Ma et al.
 * 2020 keep it). The authors' code clamps the one-hot to 1e-4 instead, i.e.
 * A = log 1e-4 ≈ −9.2; we follow the papers' stated A.
 */
export const RCE_LOG_ZERO = -4;

/**
 * Reverse cross-entropy −Σ_k p_k log q_k with q the one-hot and log 0 := A:
 * the k = y term is p_y · log 1 = 0, so RCE = −A · Σ_{k≠y} p_k = −A (1 − p_y).
 * No log of p is taken, so p needs no clamp.
 */
export function reverseCrossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor1D {
  const others = tf.sum(tf.mul(tf.softmax(logits), tf.sub(1, oneHot)), 1);
  return tf.mul(others, -RCE_LOG_ZERO);
}

/** Each sample's weight: `weights[label]`, read off the one-hot (so no gather of int labels). */
export function sampleWeights(weights: number[], oneHot: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.mul(oneHot, tf.tensor1d(weights)), 1);
}
