// Balanced accuracy: the mean per-class recall, what class imbalance cannot inflate.
import { balancedAccuracy } from "./confusion.ts";
import { defineMetric } from "./plugin.ts";

export const balancedAcc = defineMetric({
  name: "balancedAcc",
  title: "balanced accuracy",
  unit: "fraction",
  split: "test",
  optional: true, // a tuning trial's epochs have no test split metrics
  direction: "higher",
  stats: true,
  csv: "balanced_acc",
  description: "Mean per-class recall of the test split (sklearn's balanced_accuracy_score)",
  value: (e) => (e.test ? balancedAccuracy(e.test.confusion) : undefined),
});
