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

export type BackendName = "auto" | "cpu" | "webgpu";

/** A loss's parameters by name (each loss's schema in ml/losses/ says which). */
export type LossParams = Record<string, number>;

export interface LabelNoise {
  kind: "symmetric" | "asymmetric";
  /** Fraction of train labels flipped, in [0, 1). */
  rate: number;
}

export interface Imbalance {
  profile: "exp" | "step";
  /** n_max / n_min, at least 1. */
  ratio: number;
}

/** What a run does to its train split (never the test split): imbalance first, then noise. */
export interface Condition {
  labelNoise?: LabelNoise;
  imbalance?: Imbalance;
}

/** What a run's condition and validation split actually did (recorded with the run). */
export interface ConditionRecord {
  /** Train images per class (true label) after the imbalance, before the validation split. */
  imbalanceCounts: number[];
  /** K×K label flips over that train split: flips[true][given]; the diagonal is kept labels. */
  flips: number[][];
  /** Train labels that differ from the true label (before the validation split). */
  flipped: number;
  /** Images per class (given label) in the split actually trained on. */
  trainCounts: number[];
  /** Images held out for validation (0 without a validation split). */
  valCount: number;
}

/** A training run's full configuration (defaults filled in). */
export interface TrainConfig {
  /** A loss registered in ml/losses/. */
  loss: string;
  /** That loss's parameters, defaults filled in (only those the loss has). */
  params: LossParams;
  condition: Condition;
  /** Fraction of the (conditioned) train split held out, class-stratified, for validation. */
  valFraction: number;
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
  /** A model registered in ml/models/. */
  model: string;
}

/** Reliability diagram over equal-width confidence bins (15 by default). */
export interface Reliability {
  /** Samples whose top-class confidence fell in each bin. */
  count: number[];
  /** Mean confidence of each bin (0 where empty). */
  confidence: number[];
  /** Accuracy of each bin (0 where empty). */
  accuracy: number[];
}

/** What one evaluated epoch records. `epoch` counts from 1. */
export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  testLoss: number;
  testAcc: number;
  f1: number;
  /** Mean per-class recall of the test set. */
  balancedAcc: number;
  /** Lowest per-class recall of the test set. */
  worstClassAcc: number;
  /** Expected calibration error of the test set (15 equal-width bins). */
  ece: number;
  reliability: Reliability;
  perClass: { precision: number[]; recall: number[]; f1: number[] };
  /** With label noise: train accuracy, against the given labels, on the clean and the flipped samples. */
  trainAccClean?: number;
  trainAccNoisy?: number;
  /** With a validation split. */
  valLoss?: number;
  valAcc?: number;
  valF1?: number;
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
