// Balanced softmax (Ren et al. 2020): cross-entropy of the logits plus the log class
// prior log(n_c/N) from the run's train counts (./counts.ts), so training fits the
// imbalanced label distribution while the raw logits, used at test time, fit a
// balanced one.
import * as tf from "../tf.ts";
import { z } from "zod";
import { checkCounts, logClassPrior } from "./counts.ts";
import { crossEntropy, perSampleMean } from "./ops.ts";
import type { LossPlugin } from "./plugin.ts";

export const balancedSoftmax: LossPlugin = {
  name: "balanced_softmax",
  title: "Balanced softmax",
  description: "CE of logits + log class prior, for long-tailed data (Ren et al. 2020).",
  params: z.strictObject({}),
  label: () => "balanced_softmax",
  build: (_p, ctx) => {
    const prior = logClassPrior(checkCounts("balanced_softmax", ctx));
    return perSampleMean((logits, oneHot) =>
      crossEntropy(tf.add(logits, tf.tensor1d(prior)) as tf.Tensor2D, oneHot)
    );
  },
};
