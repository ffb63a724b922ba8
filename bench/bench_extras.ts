// The bench's extras (bench/bench.ts): the per-kernel profile of the convnet step, the
// report's DataLoader pipeline (--pipeline) and the WebGPU step (--webgpu).
import * as tf from "../ml/tf.ts";
import { fillBatch, normalizationFor, normalizationTable } from "../ml/augment.ts";
import { probeAdapter } from "../ml/backend.ts";
import { Rng } from "../ml/rng.ts";
import { trainStep } from "../ml/trainer.ts";
import type { Split } from "../ml/types.ts";
import { lossbenchModel } from "./ours.ts";

const IMG = 32 * 32 * 3;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * Per-kernel ms of the convnet step (tf.profile): each kernel's least time over the reps (on a
 * loaded machine a preempted call shows up as a spike in one rep), and the step's least wall time.
 */
export async function profileStep(m: ReturnType<typeof lossbenchModel>) {
  const reps = 7;
  const best: Record<string, number[]> = {};
  let calls = 0;
  let wall = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    const info = await tf.profile(() => {
      const s = trainStep(m.model, m.loss, m.sgd, m.x, m.y, 0.01);
      tf.dispose([s.lossSum, s.correct]);
    });
    wall = Math.min(wall, performance.now() - t);
    calls = info.kernels.length;
    // A kernel's calls in one step, summed per name.
    const step: Record<string, number> = {};
    for (const k of info.kernels) step[k.name] = (step[k.name] ?? 0) + (k.kernelTimeMs as number);
    for (const [k, v] of Object.entries(step)) (best[k] ??= []).push(v);
  }
  const agg = Object.entries(best).map(([k, v]) => [k, Math.min(...v)] as const);
  const inKernels = agg.reduce((p, [, v]) => p + v, 0);
  agg.sort((p, q) => q[1] - p[1]);
  return {
    kernelCalls: calls,
    kernelMs: round(inKernels, 2),
    profiledWallMs: round(wall, 2),
    kernels: Object.fromEntries(agg.map(([k, v]) => [k, round(v, 3)])),
  };
}

/** Train with augmentation (fillBatch + step) once, then the report's DataLoader pipeline. */
export function trainWithPipeline(B: number) {
  const COUNT = 4096;
  const rng = new Rng(1, 99);
  const split: Split = {
    images: Uint8Array.from({ length: COUNT * IMG }, () => rng.uint32() & 255),
    labels: Uint8Array.from({ length: COUNT }, () => rng.int(10)),
    count: COUNT,
  };
  const order = rng.permutation(COUNT);
  const lut = normalizationTable(normalizationFor(3));
  const m = lossbenchModel("convnet", B);
  const xs = new Float32Array(B * IMG);
  const ys = new Int32Array(B);
  const aug = new Rng(1, 7);
  const steps = Math.floor(COUNT / B);
  const t = performance.now();
  for (let b = 0; b < steps; b++) {
    fillBatch(split, order, b * B, B, { height: 32, width: 32, channels: 3 }, lut, xs, ys, aug);
    const x = tf.tensor4d(xs, [B, 32, 32, 3]);
    const y = tf.tensor1d(ys, "int32");
    const s = trainStep(m.model, m.loss, m.sgd, x, y, 0.01);
    tf.dispose([s.lossSum, s.correct, x, y]);
  }
  const oursPerSec = (steps * B) / ((performance.now() - t) / 1000);
  m.dispose();
  const out = new Deno.Command("/usr/bin/python3", {
    args: [new URL("torch_step.py", import.meta.url).pathname, "--steps", "20", "--threads", "2"],
    stdout: "piped",
  }).outputSync();
  const theirs = out.code === 0
    ? JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!)
    : null;
  return {
    pipeline: "train with augmentation, one pass over 4,096 images, not interleaved",
    lossbenchTrainImgPerSec: round(oursPerSec),
    torchPipelineTrainImgPerSec: theirs ? round(theirs.trainImgPerSec) : null,
    ratio: theirs ? round(oursPerSec / theirs.trainImgPerSec, 2) : null,
  };
}

/** The convnet step on the WebGPU backend, when an adapter is there (each step read back). */
export async function webgpu(B: number, steps: number) {
  const adapter = await probeAdapter();
  if (!adapter || !(await tf.setBackend("webgpu").catch(() => false))) {
    return { webgpu: "no adapter" };
  }
  await tf.ready();
  const m = lossbenchModel("convnet", B);
  await m.step(3);
  const stepPerSec = await m.step(steps);
  const evalPerSec = await m.eval(Math.max(2, steps >> 2));
  m.dispose();
  await tf.setBackend("cpu");
  return {
    webgpu: adapter.description,
    fallbackAdapter: adapter.isFallbackAdapter,
    stepImgPerSec: round(stepPerSec),
    evalImgPerSec: round(evalPerSec),
  };
}
