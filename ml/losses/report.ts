// The report's three losses addressed as its code and the parity fixtures name them,
// (name, γ), for tests/parity_reference.test.ts: a thin door into the registry.
import { lossFn } from "./registry.ts";
import type { LossFn } from "./plugin.ts";

export type ReportLoss = "ce" | "l1" | "focal";

/** lossFn for ce, l1 or focal γ; none of them reads the context, so any class count works. */
export function reportLossFn(name: ReportLoss, gamma = 0): LossFn {
  return (logits, labels) => {
    const ctx = { classes: logits.shape[1], trainCounts: [] };
    return lossFn(name, name === "focal" ? { gamma } : {}, ctx)(logits, labels);
  };
}
