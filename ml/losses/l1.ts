// The report's L1 loss: nn.L1Loss() between softmax probabilities and one-hot
// targets, so averaged over batch × classes (= mae / K; see ./mae.ts).
import * as tf from "../tf.ts";
import { z } from "zod";
import { perSampleMean } from "./ops.ts";
import type { LossPlugin } from "./plugin.ts";

export const l1: LossPlugin = {
  name: "l1",
  title: "L1 (the report's)",
  description: "nn.L1Loss between softmax and one-hot, mean over batch × classes (the report's).",
  params: z.strictObject({}),
  label: () => "l1",
  build: () =>
    perSampleMean((logits, oneHot) => tf.mean(tf.abs(tf.sub(tf.softmax(logits), oneHot)), 1)),
};
