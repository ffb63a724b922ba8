// The run's loss on the held-out validation split (only with valFraction > 0).
import { defineMetric } from "./plugin.ts";

export const valLoss = defineMetric({
  name: "valLoss",
  title: "validation loss",
  unit: "value",
  split: "val",
  direction: "lower",
  stats: true,
  csv: "val_loss",
  optional: true,
  description: "Mean of the run's loss over the validation split (with a validation split)",
  value: (e) => e.val?.loss,
});
