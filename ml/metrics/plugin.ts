// What a metric plug-in is: the key it has in an epoch record, how a reader
// should take it (title, unit, which way is better), where it goes (the
// statistics, a CSV column) and how it is computed. Each metric lives in its
// own file and is listed once in ./registry.ts; the epoch record's schema, the
// CSV, the statistics, the CLI summary and GET /api/metrics all follow it.
import type { Reliability } from "../types.ts";
import type { Confusion } from "./confusion.ts";

/** What one evaluation pass over a split measured. */
export interface SplitEval {
  /** Mean of the run's loss function over the split. */
  loss: number;
  confusion: Confusion;
  ece: number;
  reliability: Reliability;
  /** The prediction metrics' values (those with `predictions`), by name. */
  predicted: Record<string, number>;
}

/** Everything an epoch measured; each metric's `value` reads its number from it. */
export interface EpochEvidence {
  /** The training pass, against the labels as given (noisy ones included). */
  train: { loss: number; acc: number; accClean?: number; accNoisy?: number };
  /** Null in a tuning trial, which never evaluates the test split. */
  test: SplitEval | null;
  /** Only with a validation split. */
  val: SplitEval | null;
}

/** A batch of the test split's predictions: logits (m × classes, row-major) and labels. */
export interface PredictionBatch {
  logits: Float32Array;
  labels: Int32Array;
  classes: number;
}

/** Sums a metric over the batches of a split; finish() gives its value. */
export interface PredictionAccumulator {
  add(batch: PredictionBatch): void;
  finish(): number;
}

interface MetricInfo<N extends string, O extends boolean> {
  /** The key in epoch records (stored data and the golden bits use these names: never rename). */
  name: N;
  /** What a reader calls it, e.g. "test accuracy". */
  title: string;
  /** A fraction in [0, 1] (shown as percent or points), or a plain value. */
  unit: "fraction" | "value";
  /** The split it is measured on (train: during the epoch's training pass). */
  split: "train" | "test" | "val";
  /** Which way is better. */
  direction: "higher" | "lower";
  /** Whether experiment statistics summarize and compare it. */
  stats: boolean;
  /** Its CSV column. */
  csv: string;
  /** One of the report's CSV columns (they come first, in the report's order). */
  report?: boolean;
  /**
   * Some epoch records lack it: it needs a validation split or label noise, it is
   * of the test split (a tuning trial's epochs have none), or it arrived after
   * records were stored. Absent then, never 0.
   */
  optional?: O;
  /** One line for the API reference. */
  description: string;
}

/**
 * A scalar metric of an epoch. It is computed either from what the epoch measured
 * (`value`: the confusion matrix, the training pass's sums) or from the test
 * split's predictions batch by batch (`predictions`), which is evaluation only:
 * it never touches training. Per-class arrays, the confusion matrix and the
 * reliability bins are the record's fixed diagnostic fields, not metrics.
 */
export type MetricPlugin<N extends string = string, O extends boolean = boolean> =
  & MetricInfo<N, O>
  & (
    | { value(e: EpochEvidence): number | undefined; predictions?: undefined }
    | { predictions(classes: number): PredictionAccumulator; value?: undefined }
  );

/** Keeps the metric's literal name and optionality in its type, so records are typed by name. */
export function defineMetric<const N extends string, const O extends boolean = false>(
  m: MetricPlugin<N, O>,
): MetricPlugin<N, O> {
  return m;
}
