// One training step on the WebGPU backend (Mesa's software adapter where no
// GPU is present) must agree with the cpu backend, and the optimizer's options
// (weight decay, gradient clipping) with PyTorch's steps. CI installs
// mesa-vulkan-drivers, so a missing adapter is a failure, not a skip.
import "@tensorflow/tfjs-backend-webgpu";
import { assert, assertAlmostEquals } from "./util/assert.ts";
import * as tf from "../ml/tf.ts";
import { initBackend, probeAdapter, resolveBackend } from "../ml/backend.ts";
import { initialWeights } from "../ml/models/convnet.ts";
import { parityBatch, twoSteps } from "../bench/step_setup.ts";
import { checkCase, optionsOf, ref, runCase } from "./util/sgd_fixture.ts";

const spec = { height: 32, width: 32, channels: 3, classes: 10 };

async function stepsOn(backend: "cpu" | "webgpu", x: Float32Array, y: Int32Array) {
  const r = await twoSteps(backend, x, y);
  assert(r.backend === backend, `running on ${r.backend}`);
  return r;
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
    const { x, y } = parityBatch();
    const cpu = await stepsOn("cpu", x, y);
    const gpu = await stepsOn("webgpu", x, y);
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

Deno.test({
  name: "weight decay and gradient clipping on WebGPU match PyTorch's steps",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await initBackend("webgpu");
    assert(tf.getBackend() === "webgpu", `running on ${tf.getBackend()}`);
    for (const [name, c] of Object.entries(ref.sgd.cases)) {
      checkCase(name, c, await runCase(c, optionsOf(c), false));
    }
  },
});
