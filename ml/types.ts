// Plain data shapes shared by the engine, the worker boundary and the service.
// Nothing here imports tfjs, so routes/ can use these types too.

/** One split of a data set: images as NHWC uint8, labels as class indices. */
export interface Split {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
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
}

export type LossName = "ce" | "focal" | "l1";
export type BackendName = "auto" | "cpu" | "webgpu";
export type ModelName = "convnet";

/** A training run's full configuration (defaults filled in). */
export interface TrainConfig {
  loss: LossName;
  gamma: number;
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  stepSize: number;
  stepGamma: number;
  seed: number;
  data: string;
  trainLimit?: number;
  testLimit?: number;
  backend: BackendName;
  model: ModelName;
}

/** What one evaluated epoch records. `epoch` counts from 1. */
export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  testLoss: number;
  testAcc: number;
  f1: number;
  lr: number;
  epochSeconds: number;
  trainImgPerSec: number;
  evalImgPerSec: number;
  confusion: number[][];
}

/** Ephemeral batch progress. */
export interface Progress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  imgPerSec: number;
  etaSeconds: number;
}

/** Weights and optimizer state after a completed epoch. */
export interface Checkpoint {
  epoch: number;
  weights: Record<string, Float32Array>;
  momentum: Record<string, Float32Array>;
}
