// Cross-entropy against smoothed targets (1 − ε)·one-hot + ε/K, as PyTorch's
// cross_entropy(label_smoothing=ε) (Szegedy et al. 2016); ε = 0 is ce.
import * as tf from "../tf.ts";
import { z } from "zod";
import { logSoftmax, perSampleMean } from "./ops.ts";
import { label } from "./label.ts";
import type { LossPlugin } from "./plugin.ts";

export const labelSmoothing: LossPlugin = {
  name: "label_smoothing",
  title: "Label-smoothing CE",
  description: "CE against (1 − ε)·one-hot + ε/K targets (Szegedy et al. 2016).",
  params: z.strictObject({ epsilon: z.number().min(0).lt(1).default(0.1) }),
  label: (p) => label("label_smoothing", ["ε", p.epsilon]),
  build: (p) =>
    perSampleMean((logits, oneHot) => {
      const k = logits.shape[1];
      const target = tf.add(tf.mul(oneHot, 1 - p.epsilon), p.epsilon / k);
      return tf.neg(tf.sum(tf.mul(target, logSoftmax(logits)), 1));
    }),
};
