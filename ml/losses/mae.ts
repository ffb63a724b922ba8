// MAE as Ghosh et al. (2017) define it: ‖e_y − p‖₁ = 2 (1 − p_y), mean over the
// batch only. K times the report's l1, which also averages over the classes.
import * as tf from "../tf.ts";
import { z } from "zod";
import { crossEntropy, perSampleMean } from "./ops.ts";
import type { LossPlugin } from "./plugin.ts";

export const mae: LossPlugin = {
  name: "mae",
  title: "MAE (Ghosh et al.)",
  description: "Mean absolute error 2(1 − p_y), noise-tolerant (Ghosh et al. 2017).",
  params: z.strictObject({}),
  label: () => "mae",
  // 1 − p_y = −expm1(−ce): exact where p_y ≈ 1, unlike 1 − softmax.
  build: () =>
    perSampleMean((logits, oneHot) => tf.mul(tf.expm1(tf.neg(crossEntropy(logits, oneHot))), -2)),
};
