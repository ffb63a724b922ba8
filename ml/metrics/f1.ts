// Macro F1 on the test split, as sklearn's f1_score(average="macro").
import { macroF1 } from "./confusion.ts";
import { defineMetric } from "./plugin.ts";

export const f1 = defineMetric({
  name: "f1",
  title: "macro F1",
  unit: "fraction",
  split: "test",
  optional: true, // a tuning trial's epochs have no test split metrics
  direction: "higher",
  stats: true,
  csv: "f1",
  report: true,
  description: "Mean per-class F1 of the test split (sklearn's average='macro')",
  value: (e) => (e.test ? macroF1(e.test.confusion) : undefined),
});
