// Class-balanced cross-entropy (Cui et al. 2019): w_{y_i} · ce_i, the weights from the
// run's train counts (./counts.ts). Mean over the batch: Σ_i w_{y_i} ce_i / B, not
// nn.CrossEntropyLoss(weight=w)'s Σ_i w_{y_i} ce_i / Σ_i w_{y_i}, so a batch of rare
// classes weighs more, as the paper intends.
import * as tf from "../tf.ts";
import { z } from "zod";
import { checkCounts, classBalancedWeights } from "./counts.ts";
import { crossEntropy, perSampleMean, sampleWeights } from "./ops.ts";
import { label } from "./label.ts";
import type { LossPlugin } from "./plugin.ts";

export const cbCe: LossPlugin = {
  name: "cb_ce",
  title: "Class-balanced CE",
  description: "CE weighted by the inverse effective number of samples (Cui et al. 2019).",
  params: z.strictObject({ beta: z.number().min(0).lt(1).default(0.9999) }),
  label: (p) => label("cb_ce", ["β", p.beta]),
  build: (p, ctx) => {
    const weights = classBalancedWeights(checkCounts("cb_ce", ctx), p.beta);
    return perSampleMean((logits, oneHot) =>
      tf.mul(sampleWeights(weights, oneHot), crossEntropy(logits, oneHot))
    );
  },
};
