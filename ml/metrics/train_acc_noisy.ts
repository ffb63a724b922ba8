// With label noise: train accuracy against the flipped (wrong) labels. Lower is
// better: fitting them is memorising noise.
import { defineMetric } from "./plugin.ts";

export const trainAccNoisy = defineMetric({
  name: "trainAccNoisy",
  title: "train accuracy on flipped labels",
  unit: "fraction",
  split: "train",
  direction: "lower",
  stats: true,
  csv: "train_acc_noisy",
  optional: true,
  description: "Train accuracy against the flipped labels (with label noise): memorisation",
  value: (e) => e.train.accNoisy,
});
