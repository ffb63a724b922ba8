// Expected calibration error over 15 equal-width confidence bins (Guo et al. 2017).
import { defineMetric } from "./plugin.ts";

export const ece = defineMetric({
  name: "ece",
  title: "ECE",
  unit: "value",
  split: "test",
  optional: true, // a tuning trial's epochs have no test split metrics
  direction: "lower",
  stats: true,
  csv: "ece",
  description: "Expected calibration error of the test split (15 equal-width bins)",
  value: (e) => e.test?.ece,
});
