// Brier score of the test split: the mean over samples of Σ_k (p_k − y_k)², summed
// over the classes (Brier 1950's multi-class form: 0 for a certain right answer,
// 2 for a certain wrong one), with p the softmax of the logits (in float64) and y
// the label one-hot. sklearn's brier_score_loss on multi-class input is the same sum.
import { meanOfRowScores } from "./log_softmax.ts";
import { defineMetric } from "./plugin.ts";

export const brier = defineMetric({
  name: "brier",
  title: "Brier score",
  unit: "value",
  split: "test",
  direction: "lower",
  stats: true,
  optional: true, // epochs stored before it existed lack it, and a tuning trial's
  csv: "brier",
  description: "Mean over the test split of Σ_k (p_k − y_k)², summed over classes (0 to 2)",
  predictions: (classes) =>
    meanOfRowScores(classes, (logp, label) => {
      let s = 0;
      for (let k = 0; k < classes; k++) {
        const d = Math.exp(logp[k]) - (k === label ? 1 : 0);
        s += d * d;
      }
      return s;
    }),
});
