// Accuracy over the epoch's training batches, against the labels as given.
import { defineMetric } from "./plugin.ts";

export const trainAcc = defineMetric({
  name: "trainAcc",
  title: "train accuracy",
  unit: "fraction",
  split: "train",
  direction: "higher",
  stats: true,
  csv: "train_acc",
  report: true,
  description: "Accuracy on the epoch's training batches (augmented, against the given labels)",
  value: (e) => e.train.acc,
});
