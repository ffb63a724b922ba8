// A tuned experiment's records: which comparisons it holds, and the tuning
// stage's state as KV keeps it (service/tuning.ts moves it on).
import { z } from "zod";

const count = z.number().int().min(0);

export const COMPARISONS = ["defaults", "tuned"] as const;
export const compareSchema = z.array(z.enum(COMPARISONS, { error: `"defaults" or "tuned"` }))
  .min(1).max(2).describe(
    "The comparisons the experiment holds: every cell at the shared settings (defaults), and " +
      "every cell at its own tuned settings (tuned); both run on the comparison seeds",
  );
export type Comparison = typeof COMPARISONS[number];

export const rungDecisionSchema = z.strictObject({
  rung: count,
  epochs: count.describe("Epochs trained at this rung"),
  trials: z.array(count).describe("Trials that reached it"),
  values: z.array(z.number().nullable()).describe("Their values (null: failed before it)"),
  promoted: z.array(count).describe("Trials that go on; the others are pruned here"),
}).meta({ id: "RungDecision" });

export const tuningStateSchema = z.strictObject({
  status: z.enum(["tuning", "done", "cancelled"]),
  rungs: z.array(count).describe("Epochs of each rung; the last is the run's epochs"),
  trials: z.array(z.record(z.string(), z.union([z.number(), z.string()])))
    .describe("Trial k's values (the same for every cell)"),
  cells: z.array(z.strictObject({
    key: z.string(),
    decisions: z.array(rungDecisionSchema),
    chosen: z.strictObject({ trial: count, value: z.number() }).nullable().optional()
      .describe("Set once selected; null when no trial finished (nothing to confirm)"),
  })),
}).meta({ id: "TuningState" });

export type TuningState = z.output<typeof tuningStateSchema>;
