// The WebGPU check that tools/gpu_check.sh runs on a machine with a real GPU
// (compiled with `deno compile`, so that machine needs no Deno):
//   1. the adapter: a clear exit when there is none (2) or only a software one (3)
//   2. parity: two training steps of the ConvNet on WebGPU against the cpu
//      backend from the same weights and batch (tests/webgpu_step.test.ts's
//      tolerance); exit 1 when they disagree
//   3. the bench on WebGPU: each model's training step (read back once per
//      chunk, as the trainer reads its running loss) and the ConvNet's eval at
//      batch 500, next to the same on the cpu backend
// One JSON line per result.
//   lossbench-gpu-check [--allow-fallback] [--steps N] [--models a,b|all]
import { parityBatch, stepSetup, twoSteps } from "./step_setup.ts";
import * as tf from "../ml/tf.ts";
import "@tensorflow/tfjs-backend-webgpu";
import { initBackend, probeAdapter } from "../ml/backend.ts";
import { MODELS } from "../ml/models/registry.ts";
import { trainStep } from "../ml/trainer.ts";

const args = Deno.args;
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const STEPS = Number(opt("--steps") ?? 50);
const modelsArg = opt("--models") ?? "all";
const names = modelsArg === "all" ? MODELS.map((m) => m.name) : modelsArg.split(",");
const B = 64;
const EVAL_B = 500;
const say = (o: Record<string, unknown>) => console.log(JSON.stringify(o));
const round = (x: number) => Math.round(x * 10) / 10;

const adapter = await probeAdapter();
if (!adapter) {
  say({
    adapter: null,
    error: "no WebGPU adapter: Deno found no Vulkan device. Install the GPU's Vulkan driver " +
      "(NVIDIA: the proprietary driver with its Vulkan ICD, plus libvulkan1; AMD/Intel: " +
      "mesa-vulkan-drivers) and check that `vulkaninfo --summary` lists the GPU.",
  });
  Deno.exit(2);
}
say({ adapter: adapter.description, fallbackAdapter: adapter.isFallbackAdapter });
if (adapter.isFallbackAdapter && !args.includes("--allow-fallback")) {
  say({
    error: "only a software (fallback) adapter: this is not a GPU. Its numbers would say " +
      "nothing about GPU speed; rerun with --allow-fallback to check correctness anyway.",
  });
  Deno.exit(3);
}

// 2. Parity of two steps, WebGPU against cpu.
const { x: px, y: py } = parityBatch();
const cpu = await twoSteps("cpu", px, py);
const gpu = await twoSteps("webgpu", px, py);
let worst = 0;
for (const [name, a] of Object.entries(cpu.w)) {
  const scale = Math.max(...a.map(Math.abs));
  a.forEach((v, i) => (worst = Math.max(worst, Math.abs(gpu.w[name][i] - v) / scale)));
}
const lossOk = cpu.losses.every((l, i) => Math.abs(gpu.losses[i] - l) <= 1e-4 * Math.abs(l) + 1e-6);
const parityOk = lossOk && worst <= 1e-4;
say({
  parity: parityOk ? "ok" : "MISMATCH",
  cpuLosses: cpu.losses,
  webgpuLosses: gpu.losses,
  worstWeightRelDiff: worst,
});
if (!parityOk) Deno.exit(1);

// 3. Speed: each model's step, and the ConvNet's eval, on WebGPU then cpu.
async function speed(backend: "cpu" | "webgpu", name: string) {
  await initBackend(backend);
  const { model, sgd, loss, x, y } = stepSetup(name, B);
  const steps = async (n: number) => {
    let sum = tf.scalar(0);
    for (let i = 0; i < n; i++) {
      const s = trainStep(model, loss, sgd, x, y, 0.01);
      const next = tf.add(sum, s.lossSum);
      tf.dispose([sum, s.lossSum, s.correct]);
      sum = next as tf.Scalar;
    }
    await sum.data();
    sum.dispose();
  };
  const n = backend === "cpu" ? Math.min(STEPS, 20) : STEPS;
  await steps(3);
  let t = performance.now();
  await steps(n);
  const stepImgPerSec = (B * n) / ((performance.now() - t) / 1000);
  let evalImgPerSec: number | undefined;
  if (name === "convnet") {
    const ex = tf.randomNormal([EVAL_B, 32, 32, 3], 0, 1, "float32", 2) as tf.Tensor4D;
    const ey = tf.tensor1d(Array.from({ length: EVAL_B }, (_, i) => i % 10), "int32");
    const once = async () => {
      const outs = tf.tidy(() => {
        const logits = model.apply(ex, false);
        return [loss(logits, ey), tf.argMax(logits, 1), tf.max(tf.softmax(logits), 1)];
      });
      await Promise.all(outs.map((o) => o.data()));
      tf.dispose(outs);
    };
    await once();
    const reps = backend === "cpu" ? 4 : 10;
    t = performance.now();
    for (let i = 0; i < reps; i++) await once();
    evalImgPerSec = (EVAL_B * reps) / ((performance.now() - t) / 1000);
    tf.dispose([ex, ey]);
  }
  model.dispose();
  sgd.dispose();
  tf.dispose([x, y]);
  return {
    backend,
    model: name,
    batch: B,
    stepImgPerSec: round(stepImgPerSec),
    ...(evalImgPerSec ? { evalImgPerSec: round(evalImgPerSec) } : {}),
  };
}
for (const name of names) {
  say(await speed("webgpu", name));
  say(await speed("cpu", name));
}
