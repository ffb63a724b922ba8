// Plain data shapes shared by the engine, the worker boundary and the service.
// Nothing here imports tfjs, so routes/ can use these types too.
import type { z } from "zod";
import type { conditionRecordSchema, stored } from "./records.ts";
import type { TrainConfig } from "./config.ts";

/** One split of a data set: images as NHWC uint8, labels as class indices. */
export interface Split {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  /**
   * Alternative label sets by name (ml/data/label_sets.ts), each aligned with
   * `labels`: what the human-noise conditions train on. Train split only.
   */
  labelSets?: Record<string, Uint8Array>;
}

/** A decoded data set, held as uint8 (never a float copy of the whole set). */
export interface Dataset {
  name: string;
  classes: string[];
  height: number;
  width: number;
  channels: number;
  train: Split;
  test: Split;
  /**
   * Image folders: each train image's path in the set ("train/cat/0001.jpg"), in
   * split order; what a label file keyed by `file` names. Dropped before workers.
   */
  trainFiles?: string[];
}

export type BackendName = TrainConfig["backend"];

/** A loss's parameters by name (each loss's schema in ml/losses/ says which). */
export type LossParams = Record<string, number>;

// Records declared once as zod schemas (ml/config.ts, ml/records.ts); these are their outputs.
export type { Condition, Imbalance, LabelNoise, TrainConfig } from "./config.ts";

/** What a run's condition and validation split actually did (recorded with the run). */
export type ConditionRecord = z.output<typeof conditionRecordSchema>;

/** Reliability diagram over equal-width confidence bins (15 by default). */
export type Reliability = z.output<typeof stored.reliability>;

/**
 * What one evaluated epoch records (`epoch` counts from 1): one field per metric
 * of ml/metrics/registry.ts, the test split's diagnostic arrays, lr and timings.
 */
export type EpochMetrics = z.output<typeof stored.epochMetrics>;

/** Ephemeral batch progress. */
export type Progress = z.output<typeof stored.progress>;

/** Weights and optimizer state after a completed epoch. */
export interface Checkpoint {
  epoch: number;
  weights: Record<string, Float32Array>;
  momentum: Record<string, Float32Array>;
}
