// The run's own loss function on the test split (for ce it is the NLL; for l1 it is not).
import { defineMetric } from "./plugin.ts";

export const testLoss = defineMetric({
  name: "testLoss",
  title: "test loss",
  unit: "value",
  split: "test",
  optional: true, // a tuning trial's epochs have no test split metrics
  direction: "lower",
  stats: true,
  csv: "test_loss",
  report: true,
  description: "Mean of the run's loss function over the test split",
  value: (e) => e.test?.loss,
});
