// deno task bench [--steps N] [--batch B] [--eval-batches E] [--no-torch] [--no-stock] [--no-webgpu]
//
// Trains the report's ConvNet (the real model, loss, optimizer and trainStep)
// on fixed in-memory data for a fixed number of steps on each available
// backend and prints one JSON line per backend, then the report's PyTorch
// step and pipeline measured in the same invocation, then one line of ratios.
// Only ratios measured in one run mean anything: these machines are shared.
import * as tf from "@tensorflow/tfjs";
import { fillBatch, normalizationFor, normalizationTable } from "../ml/augment.ts";
import { probeAdapter } from "../ml/backend.ts";
import {
  registerFastCpuKernels,
  unregisterFastCpuKernels,
} from "../ml/kernels/register_all_kernels.ts";
import { reportLossFn as lossFn } from "../ml/losses/report.ts";
import { createModel, initialWeights } from "../ml/model.ts";
import { SgdMomentum } from "../ml/optimizer.ts";
import { Rng } from "../ml/rng.ts";
import { trainStep } from "../ml/trainer.ts";
import type { Split } from "../ml/types.ts";

const args = Deno.args;
const flag = (name: string) => args.includes(name);
const num = (name: string, d: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const STEPS = num("--steps", 150);
const B = num("--batch", 64);
const EVAL_B = 500;
/** Eval batches timed on the project's kernels, and eval reps of PyTorch (short runs are noise). */
const EVAL_BATCHES = num("--eval-batches", 24);
const shape = { height: 32, width: 32, channels: 3 };
const spec = { ...shape, classes: 10 };
const IMG = 32 * 32 * 3;
const cores = navigator.hardwareConcurrency;

// Fixed uint8 data, like a decoded CIFAR-10 split.
const COUNT = 4096;
const rng = new Rng(1, 99);
const split: Split = {
  images: Uint8Array.from({ length: COUNT * IMG }, () => rng.uint32() & 255),
  labels: Uint8Array.from({ length: COUNT }, () => rng.int(10)),
  count: COUNT,
};
const order = rng.permutation(COUNT);
const lut = normalizationTable(normalizationFor(3));

interface Result {
  backend: string;
  model: string;
  batchSize: number;
  steps: number;
  trainImgPerSec: number;
  stepImgPerSec: number;
  evalImgPerSec: number;
  augmentImgPerSec: number;
  kernels: Record<string, number>;
  [k: string]: unknown;
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** Per-kernel ms per step from tf.profile over `reps` steps. */
async function profileKernels(step: () => void, reps: number): Promise<Record<string, number>> {
  const agg: Record<string, number> = {};
  for (let r = 0; r < reps; r++) {
    const info = await tf.profile(step);
    for (const k of info.kernels) {
      agg[k.name] = (agg[k.name] ?? 0) + (k.kernelTimeMs as number) / reps;
    }
  }
  const sorted = Object.entries(agg).sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(sorted.map(([k, v]) => [k, round(v, 3)]));
}

async function runBackend(
  name: string,
  steps: number,
  evalBatches: number,
  sync: boolean,
): Promise<Result> {
  const model = createModel(spec, initialWeights(spec, 1));
  const opt = new SgdMomentum(model.params, 0.9);
  const loss = lossFn("ce");
  const xs = new Float32Array(B * IMG);
  const ys = new Int32Array(B);
  const aug = new Rng(1, 7);
  let cursor = 0;
  const nextBatch = () => {
    if (cursor + B > COUNT) cursor = 0;
    fillBatch(split, order, cursor, B, shape, lut, xs, ys, aug);
    cursor += B;
  };
  const finish = async (s: { lossSum: tf.Scalar; correct: tf.Scalar }) => {
    if (sync) await s.lossSum.data();
    s.lossSum.dispose();
    s.correct.dispose();
  };
  const oneStep = async (x: tf.Tensor4D, y: tf.Tensor1D) => {
    await finish(trainStep(model, loss, opt, x, y, 0.01));
  };
  const fullStep = async () => {
    nextBatch();
    const x = tf.tensor4d(xs, [B, 32, 32, 3]);
    const y = tf.tensor1d(ys, "int32");
    await oneStep(x, y);
    x.dispose();
    y.dispose();
  };
  const warm = Math.min(3, steps);
  for (let i = 0; i < warm; i++) await fullStep();

  // End to end, as the trainer runs: augment → tensors → step.
  let t0 = performance.now();
  for (let i = 0; i < steps; i++) await fullStep();
  const trainMs = (performance.now() - t0) / steps;

  // The bare step on one fixed batch.
  nextBatch();
  const x = tf.tensor4d(xs, [B, 32, 32, 3]);
  const y = tf.tensor1d(ys, "int32");
  t0 = performance.now();
  for (let i = 0; i < steps; i++) await oneStep(x, y);
  const stepMs = (performance.now() - t0) / steps;

  // The input pipeline alone.
  const augReps = Math.max(20, steps);
  t0 = performance.now();
  for (let i = 0; i < augReps; i++) nextBatch();
  const augMs = (performance.now() - t0) / augReps;

  const kernels = await profileKernels(() => {
    const s = trainStep(model, loss, opt, x, y, 0.01);
    s.lossSum.dispose();
    s.correct.dispose();
  }, Math.min(3, steps));
  x.dispose();
  y.dispose();

  // Evaluation as the trainer does it: batches of 500, loss + argmax read back.
  const ex = new Float32Array(EVAL_B * IMG);
  const ey = new Int32Array(EVAL_B);
  let prepMs = 0;
  const evalOnce = async (b: number) => {
    const tp = performance.now();
    fillBatch(split, order, (b * EVAL_B) % (COUNT - EVAL_B), EVAL_B, shape, lut, ex, ey);
    prepMs += performance.now() - tp;
    const [l, p] = tf.tidy(() => {
      const logits = model.apply(tf.tensor4d(ex, [EVAL_B, 32, 32, 3]));
      return [loss(logits, tf.tensor1d(ey, "int32")), tf.argMax(logits, 1)];
    });
    await Promise.all([l.data(), p.data()]);
    l.dispose();
    p.dispose();
  };
  await evalOnce(0);
  prepMs = 0;
  t0 = performance.now();
  for (let b = 0; b < evalBatches; b++) await evalOnce(b);
  const evalMs = (performance.now() - t0) / evalBatches;

  model.dispose();
  opt.dispose();
  return {
    backend: name,
    model: "convnet",
    batchSize: B,
    steps,
    trainImgPerSec: round(B / (trainMs / 1000)),
    stepImgPerSec: round(B / (stepMs / 1000)),
    evalImgPerSec: round(EVAL_B / (evalMs / 1000)),
    augmentImgPerSec: round(B / (augMs / 1000)),
    augmentMsPerBatch: round(augMs, 3),
    stepMs: round(stepMs, 2),
    evalMs: round(evalMs, 2),
    // of evalMs: normalising the batch (PyTorch's eval is timed on a ready tensor)
    evalPrepMs: round(prepMs / evalBatches, 2),
    kernels,
  };
}

function runTorch(threads: number, pipeline: boolean): Record<string, unknown> | null {
  const py = "/usr/bin/python3";
  try {
    const cmd = new Deno.Command(py, {
      args: [
        new URL("torch_step.py", import.meta.url).pathname,
        "--steps",
        String(Math.max(100, STEPS)),
        "--batch",
        String(B),
        "--threads",
        String(threads),
        "--eval-reps",
        String(EVAL_BATCHES),
        ...(pipeline ? [] : ["--no-pipeline"]),
      ],
      stdout: "piped",
      stderr: "piped",
    });
    const out = cmd.outputSync();
    if (out.code !== 0) {
      console.error(`torch bench failed: ${new TextDecoder().decode(out.stderr).slice(-500)}`);
      return null;
    }
    const line = new TextDecoder().decode(out.stdout).trim().split("\n").pop()!;
    const r = JSON.parse(line);
    for (const k of Object.keys(r)) {
      if (typeof r[k] === "number" && k.endsWith("PerSec")) r[k] = round(r[k]);
    }
    return r;
  } catch (e) {
    console.error(`torch bench skipped: ${(e as Error).message}`);
    return null;
  }
}

const results: Record<string, Result> = {};

registerFastCpuKernels();
// As training runs it: production mode (no debug checks, no tfjs-node banner).
tf.env().set("PROD", true);
await tf.setBackend("cpu");
tf.env().set("IS_TEST", false);
results.cpu = await runBackend("cpu", STEPS, EVAL_BATCHES, false);
console.log(JSON.stringify(results.cpu));

if (!flag("--no-stock")) {
  unregisterFastCpuKernels();
  results["cpu-stock"] = await runBackend("cpu-stock", 2, 1, false);
  console.log(JSON.stringify(results["cpu-stock"]));
  registerFastCpuKernels();
}

if (!flag("--no-webgpu")) {
  const adapter = await probeAdapter();
  if (adapter && (await tf.setBackend("webgpu").catch(() => false))) {
    await tf.ready();
    const r = await runBackend("webgpu", num("--webgpu-steps", 5), 1, true);
    r.adapter = adapter.description;
    r.fallbackAdapter = adapter.isFallbackAdapter;
    results.webgpu = r;
    console.log(JSON.stringify(r));
    await tf.setBackend("cpu");
  }
}

if (!flag("--no-torch")) {
  const torch = runTorch(cores, true);
  const torch1 = cores > 1 ? runTorch(1, false) : null;
  if (torch) {
    if (torch1) {
      torch.stepImgPerSec1Thread = torch1.stepImgPerSec;
      torch.evalImgPerSec1Thread = torch1.evalImgPerSec;
    }
    console.log(JSON.stringify(torch));
    const cpu = results.cpu;
    const ratio = (a: number, b: unknown) =>
      typeof b === "number" && b > 0 ? round(a / b, 2) : null;
    const ratios: Record<string, unknown> = {
      ratios: "cpu (project kernels) ÷ pytorch, same run",
      train_vs_torchPipeline: ratio(cpu.trainImgPerSec, torch.trainImgPerSec),
      step_vs_torchStep: ratio(cpu.stepImgPerSec, torch.stepImgPerSec),
      eval_vs_torchEval: ratio(cpu.evalImgPerSec, torch.evalImgPerSec),
      step_vs_torchStep1Thread: ratio(cpu.stepImgPerSec, torch.stepImgPerSec1Thread),
      eval_vs_torchEval1Thread: ratio(cpu.evalImgPerSec, torch.evalImgPerSec1Thread),
      // the same eval less its batch normalisation, which PyTorch's timed eval does not do
      evalForward_vs_torchEval: ratio(
        EVAL_B / (((cpu.evalMs as number) - (cpu.evalPrepMs as number)) / 1000),
        torch.evalImgPerSec,
      ),
    };
    if (results["cpu-stock"]) {
      ratios.cpu_vs_stockCpu_step = ratio(cpu.stepImgPerSec, results["cpu-stock"].stepImgPerSec);
    }
    console.log(JSON.stringify(ratios));
  }
}
