// The lowest per-class recall: how the rarest or hardest class fares.
import { worstClassAccuracy } from "./confusion.ts";
import { defineMetric } from "./plugin.ts";

export const worstClassAcc = defineMetric({
  name: "worstClassAcc",
  title: "worst-class accuracy",
  unit: "fraction",
  split: "test",
  optional: true, // a tuning trial's epochs have no test split metrics
  direction: "higher",
  stats: true,
  csv: "worst_class_acc",
  description: "Lowest per-class recall of the test split",
  value: (e) => (e.test ? worstClassAccuracy(e.test.confusion) : undefined),
});
