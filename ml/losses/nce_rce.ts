// NCE+RCE, an active-passive loss (Ma et al. 2020): α·NCE + β·RCE, with the normalized
// CE NCE = −log p_y / Σ_k −log p_k, and RCE with A = −4 (see ./ops.ts). Defaults are
// the paper's CIFAR-10 setting.
import * as tf from "../tf.ts";
import { z } from "zod";
import { crossEntropy, logSoftmax, perSampleMean, reverseCrossEntropy } from "./ops.ts";
import { label } from "./label.ts";
import type { LossPlugin } from "./plugin.ts";

export const nceRce: LossPlugin = {
  name: "nce_rce",
  title: "NCE+RCE",
  description: "α·normalized CE + β·reverse CE, active-passive (Ma et al. 2020).",
  params: z.strictObject({
    alpha: z.number().min(0).max(100).default(1),
    beta: z.number().min(0).max(100).default(1),
  }),
  label: (p) => label("nce_rce", ["α", p.alpha], ["β", p.beta]),
  build: (p) =>
    perSampleMean((logits, oneHot) => {
      // Σ_k −log p_k ≥ K·log K > 0 for K ≥ 2, so the division is safe.
      const nce = tf.div(crossEntropy(logits, oneHot, true), tf.neg(tf.sum(logSoftmax(logits), 1)));
      return tf.add(tf.mul(nce, p.alpha), tf.mul(reverseCrossEntropy(logits, oneHot), p.beta));
    }),
};
