// Symmetric cross-entropy (Wang et al. 2019): α·CE + β·RCE, RCE with log 0 := A = −4
// (see ./ops.ts). Defaults are the paper's CIFAR-10 setting.
import * as tf from "../tf.ts";
import { z } from "zod";
import { crossEntropy, perSampleMean, reverseCrossEntropy } from "./ops.ts";
import { label } from "./label.ts";
import type { LossPlugin } from "./plugin.ts";

export const sce: LossPlugin = {
  name: "sce",
  title: "Symmetric CE",
  description: "α·CE + β·reverse CE with A = −4 (Wang et al. 2019).",
  params: z.strictObject({
    alpha: z.number().min(0).max(100).default(0.1),
    beta: z.number().min(0).max(100).default(1),
  }),
  label: (p) => label("sce", ["α", p.alpha], ["β", p.beta]),
  build: (p) =>
    perSampleMean((logits, oneHot) =>
      tf.add(
        tf.mul(crossEntropy(logits, oneHot, true), p.alpha),
        tf.mul(reverseCrossEntropy(logits, oneHot), p.beta),
      )
    ),
};
