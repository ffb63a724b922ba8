// End to end: training steps of the report's ConvNet with the project's cpu
// kernels give the same weights as with the stock kernels (small shapes).
import * as tf from "../ml/tf.ts";
import {
  registerFastCpuKernels,
  unregisterFastCpuKernels,
} from "../ml/kernels/register_all_kernels.ts";
import { reportLossFn as lossFn } from "../ml/losses/report.ts";
import { createModel, initialWeights } from "../ml/models/convnet.ts";
import { readVariables as readWeights } from "../ml/models/layers.ts";
import { SgdMomentum } from "../ml/optimizer.ts";
import { trainStep } from "../ml/trainer.ts";
import { assert } from "./util/assert.ts";

async function train(fast: boolean): Promise<Record<string, Float32Array>> {
  if (fast) registerFastCpuKernels();
  else unregisterFastCpuKernels();
  await tf.setBackend("cpu");
  const spec = { height: 14, width: 14, channels: 3, classes: 10 };
  const model = createModel(spec, initialWeights(spec, 3));
  const opt = new SgdMomentum(model.params, 0.9);
  const loss = lossFn("focal", 2);
  const x = tf.randomNormal([6, 14, 14, 3], 0, 1, "float32", 9) as tf.Tensor4D;
  const y = tf.tensor1d([0, 1, 2, 3, 4, 5], "int32");
  for (let i = 0; i < 3; i++) {
    const s = trainStep(model, loss, opt, x, y, 0.05);
    s.lossSum.dispose();
    s.correct.dispose();
  }
  const w = await readWeights(model.params);
  model.dispose();
  opt.dispose();
  x.dispose();
  y.dispose();
  return w;
}

Deno.test("ConvNet training steps: project kernels match stock", async () => {
  const fast = await train(true);
  const stock = await train(false);
  registerFastCpuKernels();
  for (const [name, w] of Object.entries(stock)) {
    let d = 0;
    for (let i = 0; i < w.length; i++) d = Math.max(d, Math.abs(w[i] - fast[name][i]));
    assert(d < 1e-5, `${name}: max diff ${d}`);
  }
});

Deno.test("registerFastCpuKernels is idempotent", () => {
  registerFastCpuKernels();
  const k = tf.getKernel("Conv2DBackpropFilter", "cpu")!.kernelFunc;
  registerFastCpuKernels();
  assert(tf.getKernel("Conv2DBackpropFilter", "cpu")!.kernelFunc === k);
});
