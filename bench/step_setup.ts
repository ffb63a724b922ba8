// The fixed training step every step benchmark times: a model of the registry
// on CIFAR-shaped input, freshly initialised (seed 1), SGD with momentum 0.9,
// the report's CE, and one seeded batch (labels i·7 mod 10).
import * as tf from "../ml/tf.ts";
import { reportLossFn } from "../ml/losses/report.ts";
import { getModel } from "../ml/models/registry.ts";
import { SgdMomentum } from "../ml/optimizer.ts";
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
