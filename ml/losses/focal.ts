// Focal loss (Lin et al. 2017) on softmax cross-entropy, as the report uses it:
// mean((1 − p_t)^γ · ce_i) with p_t = exp(−ce_i); γ = 0 is exactly ce.
import { z } from "zod";
import { crossEntropy, focalTerm, perSampleMean } from "./ops.ts";
import { label } from "./label.ts";
import type { LossPlugin } from "./plugin.ts";

export const focal: LossPlugin = {
  name: "focal",
  title: "Focal loss",
  description: "(1 − p_t)^γ · CE: down-weights easy samples (Lin et al. 2017).",
  params: z.strictObject({ gamma: z.number().min(0).max(20).default(2) }),
  label: (p) => label("focal", ["γ", p.gamma]),
  build: (p) => perSampleMean((logits, oneHot) => focalTerm(crossEntropy(logits, oneHot), p.gamma)),
};
