// The fixed training step every step benchmark times: a model of the registry
// on CIFAR-shaped input, freshly initialised (seed 1), SGD with momentum 0.9,
// the report's CE, and one seeded batch (labels i·7 mod 10).
import * as tf from "../ml/tf.ts";
import { reportLossFn } from "../ml/losses/report.ts";
import { initBackend } from "../ml/backend.ts";
import { getModel, readModelWeights } from "../ml/models/registry.ts";
import { SgdMomentum } from "../ml/optimizer.ts";
import { Rng } from "../ml/rng.ts";
import { trainStep } from "../ml/trainer.ts";
import type { Model } from "../ml/models/plugin.ts";

export const CIFAR_SPEC = { height: 32, width: 32, channels: 3, classes: 10 };

/** Model, optimiser, loss and a fixed batch of `batch` images for `name`'s step. */
export function stepSetup(name: string, batch: number) {
  const plugin = getModel(name);
  const model: Model = plugin.create(CIFAR_SPEC, plugin.initialWeights(CIFAR_SPEC, 1));
  const sgd = new SgdMomentum(model.params, 0.9);
  const loss = reportLossFn("ce");
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, "float32", 1) as tf.Tensor4D;
  const y = tf.tensor1d(Array.from({ length: batch }, (_, i) => (i * 7) % 10), "int32");
  return { model, sgd, loss, x, y };
}

/** The parity check's batch: 16 seeded images in [−2, 2) and their labels. */
export function parityBatch(): { x: Float32Array; y: Int32Array } {
  const rng = new Rng(3);
  const x = Float32Array.from({ length: 16 * 32 * 32 * 3 }, () => rng.float() * 4 - 2);
  const y = Int32Array.from({ length: 16 }, () => rng.int(10));
  return { x, y };
}

/**
 * Two focal-loss steps of the ConvNet (seed 7) on `backend` from one batch: the per-sample
 * losses and the weights after, for comparing WebGPU against cpu (gpu_check, the WebGPU test).
 */
export async function twoSteps(backend: "cpu" | "webgpu", x: Float32Array, y: Int32Array) {
  await initBackend(backend);
  const plugin = getModel("convnet");
  const model = plugin.create(CIFAR_SPEC, plugin.initialWeights(CIFAR_SPEC, 7));
  const sgd = new SgdMomentum(model.params, 0.9);
  const loss = reportLossFn("focal", 2);
  const losses: number[] = [];
  for (let i = 0; i < 2; i++) {
    const xt = tf.tensor4d(x, [16, 32, 32, 3]);
    const yt = tf.tensor1d(y, "int32");
    const s = trainStep(model, loss, sgd, xt, yt, 0.05);
    losses.push((await s.lossSum.data())[0] / 16);
    tf.dispose([xt, yt, s.lossSum, s.correct]);
  }
  const w = await readModelWeights(model);
  model.dispose();
  sgd.dispose();
  return { backend: tf.getBackend(), losses, w };
}
