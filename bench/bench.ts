// deno task bench [--quick] [--rounds R] [--seconds S] [--chunks C] [--models a,b|all]
//                 [--measures step,eval,epoch,trial] [--lever NAME] [--no-torch] [--no-profile]
//                 [--pipeline] [--stock] [--webgpu] [--batch B]
//
// lossbench against a plain in-memory PyTorch loop of the same model, per model, on the whole
// path to a verdict: the training step, the evaluation batch, one epoch with augmentation and
// one short tuned run (a trial), each measured in short alternating rounds within one
// invocation, so that both sides see the same load on a shared machine. PyTorch runs as one
// long-lived /usr/bin/python3 process (bench/torch_models.py): its step on 1 thread and on 2
// (the fair peer of a run that uses both cores), its eval on 1 and on 2, its epoch and trial
// on 1 (one run per core, as lossbench's workers run), and on 2 against a lone lossbench run's
// step and epoch on 2 kernel threads (ml/kernels/wasm/threads.ts: both cores free, as the
// service gives them to a lone run). lossbench's side is bench/ours.ts.
// Each round's ratio is lossbench ÷ PyTorch in that round; the bench prints, per measure, the
// ratio's median and spread (min–max, IQR) over the rounds, and the img/s medians.
//
// A round is a few chunks, the arms taking turns in a fresh random order each chunk. An arm
// whose one unit (an epoch, a trial) outlasts a chunk runs in every k-th chunk only, with its
// peer in the same chunks, so that each arm gets about S seconds a round.
//
// --quick: 5 rounds of 0.25 s per arm. --lever NAME adds, next to each lossbench arm, the
// same arm with that lever switched off (bench/levers.ts), in the same rounds.
// --profile (on by default) ends with the per-kernel ms of one convnet step. --pipeline also
// runs the report's DataLoader pipeline once (bench/torch_step.py).
import * as tf from "../ml/tf.ts";
import {
  registerFastCpuKernels,
  unregisterFastCpuKernels,
} from "../ml/kernels/register_all_kernels.ts";
import { MODELS } from "../ml/models/registry.ts";
import { Rng } from "../ml/rng.ts";
import { profileStep, trainWithPipeline, webgpu } from "./bench_extras.ts";
import { LEVERS } from "./levers.ts";
import { EPOCH_IMAGES, EVAL_B, lossbenchModel, TRIAL, TRIAL_IMAGES } from "./ours.ts";
import { rounded, summarize, type Summary } from "./summary.ts";
import { type TorchReply, TorchServer } from "./torch_client.ts";
import { kernelThreads } from "../ml/kernels/wasm/threads.ts";

const args = Deno.args;
const flag = (name: string) => args.includes(name);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = flag("--quick");
const ROUNDS = Number(opt("--rounds") ?? (quick ? 5 : 9));
/** Seconds of work per arm per round (each arm's step count is sized once, up front). */
const SECONDS = Number(opt("--seconds") ?? (quick ? 0.25 : 0.4));
/**
 * Each round is this many chunks, the arms taking turns chunk by chunk (each chunk ~SECONDS/CHUNKS
 * of work), so that both sides of a ratio sample the machine's load at nearly the same moments.
 */
const CHUNKS = Number(opt("--chunks") ?? 8);
const B = Number(opt("--batch") ?? 64);
const modelsArg = opt("--models") ?? "all";
const modelNames = modelsArg === "all" ? MODELS.map((m) => m.name) : modelsArg.split(",");
const measures = new Set((opt("--measures") ?? "step,eval,epoch,trial").split(","));
const leverName = opt("--lever");
const lever = leverName ? LEVERS[leverName] : undefined;
if (leverName && !lever) {
  throw new Error(`unknown lever ${leverName} (known: ${Object.keys(LEVERS).join(", ")})`);
}
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** One measured thing: `run(n)` does n units of work (`img` images each) and returns img/s. */
interface Arm {
  name: string;
  run: (n: number) => Promise<number>;
  img: number;
  /** Seconds of one unit, timed after warm-up. */
  unit: number;
  /** Units per chunk it runs in: about SECONDS a round. */
  units: number;
  /** It runs in chunks c with c mod every = 0 (a unit longer than a chunk: every > 1). */
  every: number;
  /** img/s of each round (all its chunks together). */
  perSec: number[];
  /** Seconds and images in the current round. */
  seconds: number;
  images: number;
}

async function sized(name: string, run: (n: number) => Promise<number>, img: number) {
  await run(1); // warm-up: kernels compiled, scratch grown, allocator settled
  let perSec = await run(1);
  const chunk = SECONDS / CHUNKS;
  if (img / perSec < chunk / 4) perSec = await run(2);
  const unit = img / perSec;
  const every = Math.min(CHUNKS, Math.max(1, Math.round(unit / chunk)));
  return { name, run, img, unit, units: 1, every, perSec: [], seconds: 0, images: 0 } as Arm;
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
async function torchArm(label: string, img: number, run: (n: number) => Promise<TorchReply>) {
  if (!torch) return undefined;
  const a = await sized(label, async (n) => {
    const r = await run(n);
    if (r.cpuPerWall !== undefined) {
      torchCpu.set(label, [...torchCpu.get(label) ?? [], r.cpuPerWall]);
    }
    return r.imgPerSec;
  }, img);
  arms.push(a);
  return a;
}

/** [label, lossbench arm, PyTorch arm] for each ratio reported. */
const pairs: [string, Arm, Arm | undefined][] = [];
const variants = lever
  ? [{ tag: "", set: lever.on }, { tag: ` (without ${leverName})`, set: lever.off }]
  : [{ tag: "", set: () => {} }];
const ours = modelNames.map((name) => lossbenchModel(name, B));

/** lossbench's arm(s) of one measure against PyTorch's arms of it (label → arm). */
async function measure(
  label: string,
  img: number,
  run: (n: number) => Promise<number>,
  peers: [string, Arm | undefined][],
) {
  const mine: Arm[] = [];
  for (const v of variants) {
    const a = await sized(`lossbench ${label}${v.tag}`, (n) => {
      v.set();
      return run(n);
    }, img);
    arms.push(a);
    mine.push(a);
    for (const [peer, b] of peers) pairs.push([`${label}${v.tag} ÷ pytorch ${peer}`, a, b]);
  }
  if (mine.length > 1) pairs.push([`${label} with ÷ without ${leverName}`, mine[0], mine[1]]);
}

/** A lone run's arm: lossbench on 2 kernel threads against PyTorch on 2 threads. */
async function lone(
  label: string,
  img: number,
  run: (n: number) => Promise<number>,
  peer: Arm | undefined,
) {
  const threads = kernelThreads();
  const a = await sized(`lossbench ${label}, 2 threads`, async (n) => {
    threads.set(2);
    await threads.ready();
    try {
      return await run(n);
    } finally {
      threads.set(1);
    }
  }, img);
  arms.push(a);
  // The label ends in "2 threads": like PyTorch's 2-thread arms, it keeps chunks of its own.
  pairs.push([`${label}, lone run ÷ pytorch 2 threads`, a, peer]);
}

for (const [i, name] of modelNames.entries()) {
  const m = ours[i];
  if (measures.has("step")) {
    const peers: [string, Arm | undefined][] = [];
    for (const t of [1, 2]) {
      const label = `${t} thread${t > 1 ? "s" : ""}`;
      peers.push([
        label,
        await torchArm(`pytorch ${name} step, ${label}`, B, (n) => torch!.step(name, n, B, t)),
      ]);
    }
    await measure(`${name} step`, B, m.step, peers);
    await lone(`${name} step`, B, m.step, peers[1][1]);
  }
  if (measures.has("eval")) {
    const peers: [string, Arm | undefined][] = [];
    for (const t of [1, 2]) {
      const label = `${t} thread${t > 1 ? "s" : ""}`;
      peers.push([
        label,
        await torchArm(
          `pytorch ${name} eval, ${label}`,
          EVAL_B,
          (n) => torch!.eval(name, n, EVAL_B, t),
        ),
      ]);
    }
    await measure(`${name} eval`, EVAL_B, m.eval, peers);
  }
  if (measures.has("epoch")) {
    const theirs = await torchArm(
      `pytorch ${name} epoch, 1 thread`,
      EPOCH_IMAGES,
      (n) => torch!.request({ op: "epoch", model: name, reps: n, images: EPOCH_IMAGES, batch: B }),
    );
    await measure(`${name} epoch`, EPOCH_IMAGES, m.epoch, [["1 thread", theirs]]);
    const theirs2 = await torchArm(
      `pytorch ${name} epoch, 2 threads`,
      EPOCH_IMAGES,
      (n) =>
        torch!.request({
          op: "epoch",
          model: name,
          reps: n,
          images: EPOCH_IMAGES,
          batch: B,
          threads: 2,
        }),
    );
    await lone(`${name} epoch`, EPOCH_IMAGES, m.epoch, theirs2);
  }
  if (measures.has("trial")) {
    const theirs = await torchArm(
      `pytorch ${name} trial, 1 thread`,
      TRIAL_IMAGES,
      (n) => torch!.request({ op: "trial", model: name, reps: n, batch: B, ...TRIAL }),
    );
    await measure(`${name} trial`, TRIAL_IMAGES, m.trial, [["1 thread", theirs]]);
  }
}
lever?.on();

// A pair runs in the same chunks: both sides take the larger `every` (twice, for arms in two
// pairs). Not the 2-thread peers: on a loaded machine PyTorch's 2 threads slow down tenfold, and
// their `every` would thin out the 1-thread comparison too; they run in chunks of their own.
for (let k = 0; k < 2; k++) {
  for (const [label, a, b] of pairs) {
    if (b && !label.endsWith("2 threads")) a.every = b.every = Math.max(a.every, b.every);
  }
}
for (const a of arms) a.units = Math.max(1, Math.round((SECONDS * a.every) / CHUNKS / a.unit));

// A fresh random order for every chunk: no arm always follows the same one (a fixed order, even
// alternated, measured one arm against an identical copy of itself at 0.84).
const shuffle = new Rng(7, 7);
const t0 = performance.now();
for (let r = 0; r < ROUNDS; r++) {
  for (const a of arms) a.seconds = a.images = 0;
  for (let c = 0; c < CHUNKS; c++) {
    const active = arms.filter((a) => c % a.every === 0);
    const order = Array.from(shuffle.permutation(active.length), (i) => active[i]);
    for (const a of order) {
      a.seconds += (a.units * a.img) / (await a.run(a.units));
      a.images += a.units * a.img;
    }
  }
  for (const a of arms) a.perSec.push(a.images / a.seconds);
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
  epochImages: EPOCH_IMAGES,
  trial: TRIAL,
  loadavg1m: load[0],
  cores: navigator.hardwareConcurrency,
  torch: torch?.info.torch ?? null,
  lever: leverName ?? null,
}));
for (const a of arms) {
  console.log(JSON.stringify({
    arm: a.name,
    unitsPerChunk: a.units,
    ...(a.every > 1 ? { everyKthChunk: a.every } : {}),
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

if (flag("--pipeline")) console.log(JSON.stringify(trainWithPipeline(B)));
if (flag("--stock")) {
  unregisterFastCpuKernels();
  const m = lossbenchModel("convnet", B);
  console.log(JSON.stringify({ stockCpuConvnetStepImgPerSec: round(await m.step(2)) }));
  m.dispose();
  registerFastCpuKernels();
}
if (flag("--webgpu")) {
  console.log(JSON.stringify(await webgpu(B, Number(opt("--webgpu-steps") ?? 20))));
}
