// Negative log-likelihood of the test split: the mean of −log p_y in nats, with
// p the softmax of the model's logits (in float64). A proper scoring rule: unlike
// the run's loss (test loss), it is the same function for every loss compared.
import { meanOfRowScores } from "./log_softmax.ts";
import { defineMetric } from "./plugin.ts";

export const nll = defineMetric({
  name: "nll",
  title: "test NLL",
  unit: "value",
  split: "test",
  direction: "lower",
  stats: true,
  optional: true, // epochs stored before it existed lack it, and a tuning trial's
  csv: "nll",
  description: "Mean −log p(label) over the test split, in nats (softmax of the logits)",
  predictions: (classes) => meanOfRowScores(classes, (logp, label) => -logp[label]),
});
