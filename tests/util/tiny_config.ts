// The smallest run config the in-process scheduler tests use (the fake worker
// reads only its seed and epochs).
import type { TrainConfig } from "../../ml/types.ts";

export const tinyConfig = (seed: number, epochs = 2): TrainConfig => ({
  loss: "ce",
  params: {},
  condition: {},
  valFraction: 0,
  epochs,
  batchSize: 64,
  lr: 0.01,
  momentum: 0.9,
  stepSize: 10,
  stepGamma: 0.5,
  seed,
  data: "synthetic",
  trainLimit: 10,
  testLimit: 10,
  backend: "auto",
  model: "convnet",
});
