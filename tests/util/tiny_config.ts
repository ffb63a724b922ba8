// Run configs for tests that build records by hand (the store, the scheduler
// with its fake worker): the defaults filled in, as the schema would.
import type { TrainConfig } from "../../ml/types.ts";

export const testConfig = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  loss: "ce",
  params: {},
  condition: {},
  valFraction: 0,
  epochs: 3,
  batchSize: 64,
  lr: 0.01,
  momentum: 0.9,
  stepSize: 10,
  stepGamma: 0.5,
  weightDecay: 0,
  schedule: "step",
  warmupEpochs: 0,
  seed: 1,
  data: "synthetic",
  backend: "auto",
  model: "convnet",
  ...over,
});

/** The smallest run the in-process scheduler tests use (the fake worker reads seed and epochs). */
export const tinyConfig = (seed: number, epochs = 2): TrainConfig =>
  testConfig({ seed, epochs, trainLimit: 10, testLimit: 10 });
