// Macro F1 on the held-out validation split (only with valFraction > 0).
import { macroF1 } from "./confusion.ts";
import { defineMetric } from "./plugin.ts";

export const valF1 = defineMetric({
  name: "valF1",
  title: "validation macro F1",
  unit: "fraction",
  split: "val",
  direction: "higher",
  stats: true,
  csv: "val_f1",
  optional: true,
  description: "Macro F1 on the validation split (with a validation split)",
  value: (e) => (e.val ? macroF1(e.val.confusion) : undefined),
});
