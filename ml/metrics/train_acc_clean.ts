// With label noise: train accuracy on the samples whose label was kept.
import { defineMetric } from "./plugin.ts";

export const trainAccClean = defineMetric({
  name: "trainAccClean",
  title: "train accuracy on clean labels",
  unit: "fraction",
  split: "train",
  direction: "higher",
  stats: true,
  csv: "train_acc_clean",
  optional: true,
  description: "Train accuracy on the samples whose label was kept (with label noise)",
  value: (e) => e.train.accClean,
});
