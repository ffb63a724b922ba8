// Mean training loss over the epoch, as the loss function computed it while training.
import { defineMetric } from "./plugin.ts";

export const trainLoss = defineMetric({
  name: "trainLoss",
  title: "train loss",
  unit: "value",
  split: "train",
  direction: "lower",
  stats: true,
  csv: "train_loss",
  report: true,
  description: "Mean of the run's loss over the epoch's training batches",
  value: (e) => e.train.loss,
});
