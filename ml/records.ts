// The engine's records as zod schemas, whose outputs are the TypeScript types
// (ml/types.ts re-exports them): one declaration for the trainer, the worker
// protocol, KV and the API's contract. An epoch record's metric fields come
// from the metric registry (ml/metrics/registry.ts).
//
// A float is held two ways: in memory and KV as a number that may be NaN (a
// diverged loss), in JSON as a number or null (JSON has no NaN). Each record is
// built by a function of that float's schema, so the two forms cannot drift.
import { z } from "zod";
import { type Metric, METRICS } from "./metrics/registry.ts";

/** A float as the engine and KV hold it: NaN allowed. */
export const storedReal = z.union([z.number(), z.nan()]);
/** A float as JSON sends it: NaN and ±Infinity become null. */
export const jsonReal = z.number().nullable();

const count = z.number().int().min(0);

type MetricShape<R extends z.ZodType> =
  & { [M in Metric as M extends { optional?: true } ? never : M["name"]]: R }
  & { [M in Metric as M extends { optional?: true } ? M["name"] : never]: z.ZodOptional<R> };

/** The epoch record's metric fields, one per registered metric. */
function metricShape<R extends z.ZodType>(real: R): MetricShape<R> {
  return Object.fromEntries(
    METRICS.map((m) => [m.name, (m.optional ? real.optional() : real).describe(m.description)]),
  ) as MetricShape<R>;
}

export const conditionRecordSchema = z.strictObject({
  imbalanceCounts: z.array(count).describe(
    "Train images per class (true label) after the imbalance, before the validation split",
  ),
  flips: z.array(z.array(count)).describe("flips[true][given]; the diagonal is kept labels"),
  flipped: count.describe("Train labels that differ from the true label"),
  trainCounts: z.array(count).describe("Images per class (given label) in the split trained on"),
  valCount: count.describe("Images held out for validation"),
}).meta({ id: "ConditionRecord", description: "What the condition and validation split did" });

/** The schemas of records that hold floats, for a float schema `real`. */
export function recordSchemas<R extends z.ZodType>(real: R) {
  const reliability = z.strictObject({
    count: z.array(count).describe("Samples whose top-class confidence fell in each bin"),
    confidence: z.array(real).describe("Mean confidence of each bin (0 where empty)"),
    accuracy: z.array(real).describe("Accuracy of each bin (0 where empty)"),
  });
  const epochMetrics = z.strictObject({
    epoch: z.number().int().min(1),
    ...metricShape(real),
    /**
     * The diagnostic arrays of the test split: not metrics, not in the CSV or the statistics.
     * A tuning trial's epochs have none (it never evaluates the test split).
     */
    reliability: reliability.optional(),
    perClass: z.strictObject({
      precision: z.array(real),
      recall: z.array(real),
      f1: z.array(real),
    }).optional(),
    confusion: z.array(z.array(count)).optional()
      .describe("Test split: rows true, columns predicted"),
    lr: real,
    epochSeconds: real,
    trainImgPerSec: real,
    evalImgPerSec: real,
  });
  const progress = z.strictObject({
    epoch: z.number().int(),
    batch: z.number().int(),
    batches: z.number().int(),
    loss: real,
    imgPerSec: real,
    etaSeconds: real,
    threads: z.number().int().min(1).optional()
      .describe("Kernel threads the run trains on now (cpu: cores no other run holds)"),
  });
  return { reliability, epochMetrics, progress };
}

export const stored = recordSchemas(storedReal);
