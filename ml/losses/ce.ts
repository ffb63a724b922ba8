// Softmax cross-entropy: the report's nn.CrossEntropyLoss().
import { z } from "zod";
import { crossEntropy, perSampleMean } from "./ops.ts";
import type { LossPlugin } from "./plugin.ts";

export const ce: LossPlugin = {
  name: "ce",
  title: "Cross-entropy",
  description: "Softmax cross-entropy, −log p_y (the report's nn.CrossEntropyLoss).",
  params: z.strictObject({}),
  label: () => "ce",
  build: () => perSampleMean(crossEntropy),
};
