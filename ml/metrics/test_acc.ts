// Test accuracy: sklearn's accuracy_score over the test split.
import { accuracy } from "./confusion.ts";
import { defineMetric } from "./plugin.ts";

export const testAcc = defineMetric({
  name: "testAcc",
  title: "test accuracy",
  unit: "fraction",
  split: "test",
  optional: true, // a tuning trial's epochs have no test split metrics
  direction: "higher",
  stats: true,
  csv: "test_acc",
  report: true,
  description: "Fraction of the test split classified correctly",
  value: (e) => (e.test ? accuracy(e.test.confusion) : undefined),
});
