// Accuracy on the held-out validation split (only with valFraction > 0).
import { accuracy } from "./confusion.ts";
import { defineMetric } from "./plugin.ts";

export const valAcc = defineMetric({
  name: "valAcc",
  title: "validation accuracy",
  unit: "fraction",
  split: "val",
  direction: "higher",
  stats: true,
  csv: "val_acc",
  optional: true,
  description: "Accuracy on the validation split (with a validation split)",
  value: (e) => (e.val ? accuracy(e.val.confusion) : undefined),
});
