// The published study: which experiments `deno task study` runs on the
// CIFAR-10 copy, with the report's model, transforms and default
// hyperparameters (20 epochs, batch 64, lr 0.01, momentum 0.9, StepLR 10/0.5).
import type { JpegDecoderName } from "../../ml/data/jpeg.ts";

/**
 * The JPEG decoder the published study (docs/results.md) was trained with:
 * jpeg-js 0.4.4, lossbench's decoder until it switched to libjpeg-turbo's
 * (PIL's pixels). `deno task study` and `--check` use it by default, so the
 * published runs stay reproducible bit for bit; a study on PIL's pixels is a
 * new study: `--decoder libjpeg-turbo` with a fresh `--kv`.
 */
export const PUBLISHED_DECODER: JpegDecoderName = "jpeg-js";

export interface StudySetting {
  /** Short id for file names and --only. */
  id: string;
  title: string;
  /** The experiment's name in lossbench (how a rerun finds it again). */
  name: string;
  /** The POST /api/experiments body, less the data set (added by the script). */
  body: Record<string, unknown>;
  /** Extra figures beyond the report's three and ECE. */
  extraMetrics: string[];
}

const SHARED = { epochs: 20, backend: "cpu" };

export const SETTINGS: StudySetting[] = [
  {
    id: "clean",
    title: "Clean labels: the report's comparison",
    name: "study: clean",
    // 10 seeds: with 5, CE beat focal γ=2 on every seed yet p(Holm) was 0.12.
    body: { ...SHARED, repeats: 10 },
    extraMetrics: [],
  },
  {
    id: "lt",
    title: "Long-tailed classes (exponential, ρ = 100)",
    name: "study: long-tailed exp ρ=100",
    body: {
      ...SHARED,
      repeats: 3,
      conditions: [{ imbalance: { profile: "exp", ratio: 100 } }],
      losses: [
        { loss: "ce" },
        { loss: "focal", params: { gamma: 2 } },
        { loss: "cb_focal" },
        { loss: "balanced_softmax" },
      ],
    },
    extraMetrics: ["balancedAcc", "worstClassAcc"],
  },
  {
    id: "noise",
    title: "40% symmetric label noise",
    name: "study: symmetric noise 40%",
    body: {
      ...SHARED,
      repeats: 3,
      conditions: [{ labelNoise: { kind: "symmetric", rate: 0.4 } }],
      losses: [
        { loss: "ce" },
        { loss: "focal", params: { gamma: 2 } },
        { loss: "mae" },
        { loss: "gce" },
        { loss: "sce" },
        { loss: "nce_rce" },
      ],
    },
    extraMetrics: ["trainAccNoisy", "trainAccClean"],
  },
  {
    id: "asym",
    title: "40% asymmetric label noise",
    name: "study: asymmetric noise 40%",
    body: {
      ...SHARED,
      repeats: 3,
      conditions: [{ labelNoise: { kind: "asymmetric", rate: 0.4 } }],
      losses: [{ loss: "ce" }, { loss: "gce" }, { loss: "sce" }, { loss: "nce_rce" }],
    },
    extraMetrics: ["trainAccNoisy", "trainAccClean"],
  },
  {
    id: "capacity",
    title: "A second model: the MLP (1.7 M parameters) under 40% symmetric noise",
    name: "study: mlp, symmetric noise 40%",
    body: {
      ...SHARED,
      repeats: 3,
      models: ["mlp"],
      conditions: [{ labelNoise: { kind: "symmetric", rate: 0.4 } }],
      losses: [{ loss: "ce" }, { loss: "gce" }],
    },
    extraMetrics: ["trainAccNoisy", "trainAccClean"],
  },
];
