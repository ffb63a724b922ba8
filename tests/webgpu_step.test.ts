// One training step on the WebGPU backend (Mesa's software adapter where no
// GPU is present) must agree with the cpu backend. CI installs
// mesa-vulkan-drivers, so a missing adapter is a failure, not a skip.
import * as tf from "../ml/tf.ts";
import "@tensorflow/tfjs-backend-webgpu";
import { assert, assertAlmostEquals } from "./util/assert.ts";
import { initBackend, probeAdapter, resolveBackend } from "../ml/backend.ts";
import { reportLossFn as lossFn } from "../ml/losses/report.ts";
import { createModel, initialWeights } from "../ml/models/convnet.ts";
import { readVariables as readWeights } from "../ml/models/layers.ts";
import { SgdMomentum } from "../ml/optimizer.ts";
import { Rng } from "../ml/rng.ts";
import { trainStep } from "../ml/trainer.ts";

const spec = { height: 32, width: 32, channels: 3, classes: 10 };

async function twoSteps(backend: "cpu" | "webgpu", x: Float32Array, y: Int32Array) {
  await initBackend(backend);
  assert(tf.getBackend() === backend, `running on ${tf.getBackend()}`);
  const model = createModel(spec, initialWeights(spec, 7));
  const opt = new SgdMomentum(model.params, 0.9);
  const loss = lossFn("focal", 2);
  const losses: number[] = [];
  for (let i = 0; i < 2; i++) {
    const xt = tf.tensor4d(x, [16, 32, 32, 3]);
    const yt = tf.tensor1d(y, "int32");
    const r = trainStep(model, loss, opt, xt, yt, 0.05);
    losses.push((await r.lossSum.data())[0] / 16);
    tf.dispose([xt, yt, r.lossSum, r.correct]);
  }
  const w = await readWeights(model.params);
  model.dispose();
  opt.dispose();
  return { losses, w };
}

Deno.test("a WebGPU adapter is available and auto picks cpu on a fallback adapter", async () => {
  const adapter = await probeAdapter();
  assert(
    adapter,
    "no WebGPU adapter: install mesa-vulkan-drivers (software Vulkan) or a GPU driver",
  );
  assert((await resolveBackend("auto")) === (adapter.isFallbackAdapter ? "cpu" : "webgpu"));
});

Deno.test({
  name: "one training step on WebGPU matches the cpu backend",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const rng = new Rng(3);
    const x = Float32Array.from({ length: 16 * 32 * 32 * 3 }, () => rng.float() * 4 - 2);
    const y = Int32Array.from({ length: 16 }, () => rng.int(10));
    const cpu = await twoSteps("cpu", x, y);
    const gpu = await twoSteps("webgpu", x, y);
    for (let i = 0; i < 2; i++) {
      assertAlmostEquals(gpu.losses[i], cpu.losses[i], 1e-4 * Math.abs(cpu.losses[i]) + 1e-6);
    }
    for (const [name, a] of Object.entries(cpu.w)) {
      const b = gpu.w[name];
      const scale = Math.max(...a.map(Math.abs));
      for (let i = 0; i < a.length; i++) {
        assertAlmostEquals(b[i], a[i], 1e-4 * scale, `${name}[${i}]`);
      }
    }
    // The step moved the weights, so agreement is not trivial.
    const w0 = initialWeights(spec, 7);
    assert(cpu.w["fc2.weight"].some((v, i) => Math.abs(v - w0["fc2.weight"][i]) > 1e-4));
  },
});
