// deno task bench [--rounds R] [--seconds S] [--chunks C] [--models a,b|all] [--lever NAME] [--no-torch]
//                 [--no-eval] [--no-profile] [--pipeline] [--stock] [--webgpu] [--batch B]
//
// lossbench's training step and evaluation against a plain in-memory PyTorch
// loop of the same model, measured in short alternating rounds (A B A B …)
// within one invocation, so that both sides see the same load on a shared
// machine. PyTorch runs as one long-lived /usr/bin/python3 process
// (bench/torch_models.py): its step on 1 thread, its eval on 2. Each round's
// ratio is lossbench ÷ PyTorch in that round; the bench prints, per measure,
// the ratio's median and spread (min–max, IQR) over the rounds, and the img/s
// medians. A round is itself a few chunks, the arms taking turns in a fresh
// random order each chunk, so both sides see nearly the same load.
//
// --lever NAME adds, next to each lossbench arm, the same arm with that lever
// switched off (bench/levers.ts), in the same rounds: before and after, side
// by side. --profile (on by default) ends with the per-kernel ms of one step.
// --pipeline also runs the report's DataLoader pipeline once (bench/torch_step.py).
import { stepSetup } from "./step_setup.ts";
import * as tf from "../ml/tf.ts";
import { fillBatch, normalizationFor, normalizationTable } from "../ml/augment.ts";
import { probeAdapter } from "../ml/backend.ts";
import {
  registerFastCpuKernels,
  unregisterFastCpuKernels,
} from "../ml/kernels/register_all_kernels.ts";
import { MODELS } from "../ml/models/registry.ts";
import { Rng } from "../ml/rng.ts";
import { trainStep } from "../ml/trainer.ts";
import type { Split } from "../ml/types.ts";
import { LEVERS } from "./levers.ts";
import { rounded, summarize, type Summary } from "./summary.ts";
import { type TorchReply, TorchServer } from "./torch_client.ts";

const args = Deno.args;
const flag = (name: string) => args.includes(name);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROUNDS = Number(opt("--rounds") ?? 9);
/** Seconds of work per arm per round (each arm's step count is sized once, up front). */
const SECONDS = Number(opt("--seconds") ?? 0.4);
/**
 * Each round is this many chunks, the arms taking turns chunk by chunk (each chunk ~SECONDS/CHUNKS
 * of work), so that both sides of a ratio sample the machine's load at nearly the same moments.
 */
const CHUNKS = Number(opt("--chunks") ?? 8);
const B = Number(opt("--batch") ?? 64);
const EVAL_B = 500;
const modelsArg = opt("--models") ?? "all";
const modelNames = modelsArg === "all" ? MODELS.map((m) => m.name) : modelsArg.split(",");
const leverName = opt("--lever");
const lever = leverName ? LEVERS[leverName] : undefined;
if (leverName && !lever) {
  throw new Error(`unknown lever ${leverName} (known: ${Object.keys(LEVERS).join(", ")})`);
}
const IMG = 32 * 32 * 3;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** One measured thing: `run(n)` does n units of work (`img` images each) and returns img/s. */
interface Arm {
  name: string;
  run: (n: number) => Promise<number>;
  img: number;
  /** Units per chunk, sized from two timed units after warm-up. */
  units: number;
  /** img/s of each round (all its chunks together). */
  perSec: number[];
  /** Seconds spent in the current round. */
  seconds: number;
}

async function sized(name: string, run: (n: number) => Promise<number>, img: number) {
  await run(2); // warm-up: kernels compiled, scratch grown, allocator settled
  const perSec = await run(2);
  const units = Math.max(1, Math.round((SECONDS / CHUNKS) * perSec / img));
  return { name, run, img, units, perSec: [], seconds: 0 } as Arm;
}

/** lossbench's training step and eval of one model on fixed batches (cpu, project kernels). */
function lossbenchModel(name: string) {
  const { model, sgd, loss, x, y } = stepSetup(name, B);
  const ex = new Float32Array(EVAL_B * IMG).map((_, i) => Math.sin(i));
  const ey = new Int32Array(EVAL_B).map((_, i) => i % 10);
  const step = () => {
    const s = trainStep(model, loss, sgd, x, y, 0.01);
    s.lossSum.dataSync(); // the cpu backend is synchronous; this only keeps it honest
    tf.dispose([s.lossSum, s.correct]);
  };
  // As the trainer's evaluate: a batch of 500 in, loss, argmax and max softmax read back.
  const evalBatch = async () => {
    const outs = tf.tidy(() => {
      const logits = model.apply(tf.tensor4d(ex, [EVAL_B, 32, 32, 3]), false);
      return [
        loss(logits, tf.tensor1d(ey, "int32")),
        tf.argMax(logits, 1),
        tf.max(tf.softmax(logits), 1),
      ];
    });
    await Promise.all(outs.map((t) => t.data()));
    tf.dispose(outs);
  };
  const timed = (f: () => void | Promise<void>, img: number) => async (n: number) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await f();
    return (img * n) / ((performance.now() - t0) / 1000);
  };
  return {
    model,
    sgd,
    x,
    y,
    loss,
    step: timed(step, B),
    eval: timed(evalBatch, EVAL_B),
    dispose() {
      model.dispose();
      sgd.dispose();
      tf.dispose([x, y]);
    },
  };
}

registerFastCpuKernels();
// As training runs it: production mode (no debug checks).
tf.env().set("PROD", true);
await tf.setBackend("cpu");
tf.env().set("IS_TEST", false);

const torch = flag("--no-torch") ? null : await TorchServer.start();
const arms: Arm[] = [];
/** Each PyTorch arm's CPU time ÷ wall time per chunk (is "1 thread" one thread?). */
const torchCpu = new Map<string, number[]>();
const torchArm = (label: string, run: () => Promise<TorchReply>) => async () => {
  const r = await run();
  if (r.cpuPerWall !== undefined) torchCpu.set(label, [...torchCpu.get(label) ?? [], r.cpuPerWall]);
  return r.imgPerSec;
};

/** [label, lossbench arm, PyTorch arm] for each ratio reported. */
const pairs: [string, Arm, Arm | undefined][] = [];
const variants = lever
  ? [{ tag: "", set: lever.on }, { tag: ` (without ${leverName})`, set: lever.off }]
  : [{ tag: "", set: () => {} }];
const ours = modelNames.map(lossbenchModel);

for (const [i, name] of modelNames.entries()) {
  const m = ours[i];
  const theirs = torch
    ? await sized(
      `pytorch ${name} step, 1 thread`,
      (n) => torchArm(`pytorch ${name} step, 1 thread`, () => torch.step(name, n, B, 1))(),
      B,
    )
    : undefined;
  if (theirs) arms.push(theirs);
  const mine: Arm[] = [];
  for (const v of variants) {
    const a = await sized(`lossbench ${name} step${v.tag}`, (n) => {
      v.set();
      return m.step(n);
    }, B);
    arms.push(a);
    mine.push(a);
    pairs.push([`${name} step${v.tag} ÷ pytorch 1 thread`, a, theirs]);
  }
  if (lever) pairs.push([`${name} step with ÷ without ${leverName}`, mine[0], mine[1]]);
}
if (!flag("--no-eval") && modelNames.includes("convnet")) {
  const m = ours[modelNames.indexOf("convnet")];
  const theirs = torch
    ? await sized(
      "pytorch convnet eval, 2 threads",
      (n) =>
        torchArm("pytorch convnet eval, 2 threads", () => torch.eval("convnet", n, EVAL_B, 2))(),
      EVAL_B,
    )
    : undefined;
  if (theirs) arms.push(theirs);
  const mine: Arm[] = [];
  for (const v of variants) {
    const a = await sized(`lossbench convnet eval${v.tag}`, (n) => {
      v.set();
      return m.eval(n);
    }, EVAL_B);
    arms.push(a);
    mine.push(a);
    pairs.push([`convnet eval${v.tag} ÷ pytorch 2 threads`, a, theirs]);
  }
  if (lever) pairs.push([`convnet eval with ÷ without ${leverName}`, mine[0], mine[1]]);
}
lever?.on();

// A fresh random order for every chunk: no arm always follows the same one (a fixed order, even
// alternated, measured one arm against an identical copy of itself at 0.84).
const shuffle = new Rng(7, 7);
const t0 = performance.now();
for (let r = 0; r < ROUNDS; r++) {
  for (const a of arms) a.seconds = 0;
  for (let c = 0; c < CHUNKS; c++) {
    const order = Array.from(shuffle.permutation(arms.length), (i) => arms[i]);
    for (const a of order) a.seconds += (a.units * a.img) / (await a.run(a.units));
  }
  for (const a of arms) a.perSec.push((CHUNKS * a.units * a.img) / a.seconds);
}
const benchSeconds = (performance.now() - t0) / 1000;
lever?.on();

const load = Deno.loadavg();
console.log(JSON.stringify({
  bench: "interleaved rounds",
  rounds: ROUNDS,
  secondsPerArm: SECONDS,
  chunksPerRound: CHUNKS,
  seconds: round(benchSeconds),
  batch: B,
  evalBatch: EVAL_B,
  loadavg1m: load[0],
  cores: navigator.hardwareConcurrency,
  torch: torch?.info.torch ?? null,
  lever: leverName ?? null,
}));
for (const a of arms) {
  console.log(JSON.stringify({
    arm: a.name,
    unitsPerChunk: a.units,
    imgPerSec: rounded(summarize(a.perSec), 0),
    ...(torchCpu.has(a.name)
      ? { cpuPerWall: rounded(summarize(torchCpu.get(a.name)!)).median }
      : {}),
  }));
}
const ratioSummaries: Record<string, Summary> = {};
for (const [label, a, b] of pairs) {
  if (!b) continue;
  const s = rounded(summarize(a.perSec.map((x, i) => x / b.perSec[i])));
  ratioSummaries[label] = s;
  console.log(JSON.stringify({ ratio: label, ...s }));
}

if (!flag("--no-profile") && modelNames.includes("convnet")) {
  const m = ours[modelNames.indexOf("convnet")];
  console.log(JSON.stringify({
    profile: "convnet step, ms per step (least of 7)",
    ...(await profileStep(m)),
  }));
}

for (const m of ours) m.dispose();
await torch?.close();

if (flag("--pipeline")) console.log(JSON.stringify(trainWithPipeline()));
if (flag("--stock")) {
  unregisterFastCpuKernels();
  const m = lossbenchModel("convnet");
  console.log(JSON.stringify({ stockCpuConvnetStepImgPerSec: round(await m.step(2)) }));
  m.dispose();
  registerFastCpuKernels();
}
if (flag("--webgpu")) console.log(JSON.stringify(await webgpu()));

/**
 * Per-kernel ms of the convnet step (tf.profile): each kernel's least time over the reps (on a
 * loaded machine a preempted call shows up as a spike in one rep), and the step's least wall time.
 */
async function profileStep(m: ReturnType<typeof lossbenchModel>) {
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
function trainWithPipeline() {
  const COUNT = 4096;
  const rng = new Rng(1, 99);
  const split: Split = {
    images: Uint8Array.from({ length: COUNT * IMG }, () => rng.uint32() & 255),
    labels: Uint8Array.from({ length: COUNT }, () => rng.int(10)),
    count: COUNT,
  };
  const order = rng.permutation(COUNT);
  const lut = normalizationTable(normalizationFor(3));
  const m = lossbenchModel("convnet");
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
async function webgpu() {
  const adapter = await probeAdapter();
  if (!adapter || !(await tf.setBackend("webgpu").catch(() => false))) {
    return { webgpu: "no adapter" };
  }
  await tf.ready();
  const m = lossbenchModel("convnet");
  await m.step(3);
  const steps = Number(opt("--webgpu-steps") ?? 20);
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
