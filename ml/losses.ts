// The study's losses, mean-reduced over the batch, as the design notes define them.
import * as tf from "@tensorflow/tfjs";
type LossName = "ce" | "focal" | "l1";

export type LossFn = (logits: tf.Tensor2D, labels: tf.Tensor1D) => tf.Scalar;

/** Per-sample softmax cross-entropy: logsumexp(z) − z_y. */
function crossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor1D {
  return tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, oneHot), 1));
}

export function lossFn(name: LossName, gamma = 0): LossFn {
  return (logits, labels) =>
    tf.tidy(() => {
      const classes = logits.shape[1];
      const oneHot = tf.oneHot(labels, classes).toFloat() as tf.Tensor2D;
      switch (name) {
        case "ce":
          return tf.mean(crossEntropy(logits, oneHot));
        case "focal": {
          const ce = crossEntropy(logits, oneHot);
          if (gamma === 0) return tf.mean(ce);
          // 1 − p_t is floored just above 0: for γ < 1 the derivative of (1 − p_t)^γ
          // is infinite at p_t = 1, and inf·0 would turn a confident batch into NaN.
          // The floor changes the loss by at most 1e-12^γ · ce_i, with ce_i ≈ 0 there.
          const hard = tf.maximum(tf.sub(1, tf.exp(tf.neg(ce))), 1e-12);
          return tf.mean(tf.mul(tf.pow(hard, gamma), ce));
        }
        case "l1":
          // nn.L1Loss() between softmax probabilities and one-hot targets.
          return tf.mean(tf.abs(tf.sub(tf.softmax(logits), oneHot)));
      }
    }) as tf.Scalar;
}
