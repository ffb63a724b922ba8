// The study's losses, mean-reduced over the batch, as the design notes define them.
import * as tf from "@tensorflow/tfjs";
import type { LossName } from "./types.ts";

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
          const pt = tf.exp(tf.neg(ce));
          return tf.mean(tf.mul(tf.pow(tf.sub(1, pt), gamma), ce));
        }
        case "l1":
          // nn.L1Loss() between softmax probabilities and one-hot targets.
          return tf.mean(tf.abs(tf.sub(tf.softmax(logits), oneHot)));
      }
    }) as tf.Scalar;
}
