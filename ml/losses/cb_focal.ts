// Class-balanced focal loss (Cui et al. 2019): w_{y_i} · (1 − p_t)^γ · ce_i.
//
// Formulation: the softmax focal term of ./focal.ts (p_t the softmax probability of
// the label), times the class-balanced weight of ./counts.ts. Cui et al.'s reference
// code uses sigmoid focal loss (one binary problem per class); we use softmax so it
// composes with the other losses here: γ = 0 is cb_ce, and β = 0 is focal.
import * as tf from "../tf.ts";
import { z } from "zod";
import { checkCounts, classBalancedWeights } from "./counts.ts";
import { crossEntropy, focalTerm, perSampleMean, sampleWeights } from "./ops.ts";
import { label } from "./label.ts";
import type { LossPlugin } from "./plugin.ts";

export const cbFocal: LossPlugin = {
  name: "cb_focal",
  title: "Class-balanced focal",
  description: "Softmax focal loss weighted by inverse effective number (Cui et al. 2019).",
  params: z.strictObject({
    beta: z.number().min(0).lt(1).default(0.9999),
    gamma: z.number().min(0).max(20).default(2),
  }),
  label: (p) => label("cb_focal", ["β", p.beta], ["γ", p.gamma]),
  build: (p, ctx) => {
    const weights = classBalancedWeights(checkCounts("cb_focal", ctx), p.beta);
    return perSampleMean((logits, oneHot) =>
      tf.mul(sampleWeights(weights, oneHot), focalTerm(crossEntropy(logits, oneHot), p.gamma))
    );
  },
};
