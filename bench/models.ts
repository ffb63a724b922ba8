// deno run -A bench/models.ts [--rounds R] [--seconds S] [--batch B] [--models a,b] [--no-torch]
//
// Each model plug-in's training step on the cpu backend with the project's
// kernels (the trainer's trainStep, train mode, cross-entropy, SGD momentum)
// against a plain in-memory PyTorch step of the same model on one thread
// (bench/torch_models.py, one long-lived process), in interleaved rounds
// A B A B so that both see the same load on these shared machines. Prints one
// JSON line per model: medians of img/s and of the per-round ratio.
import * as tf from "@tensorflow/tfjs";
import { registerFastCpuKernels } from "../ml/kernels/register_all_kernels.ts";
import { reportLossFn as lossFn } from "../ml/losses/report.ts";
import { describeModels, getModel, MODELS } from "../ml/models/registry.ts";
import type { Model } from "../ml/models/plugin.ts";
import { SgdMomentum } from "../ml/optimizer.ts";
import { trainStep } from "../ml/trainer.ts";

const args = Deno.args;
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROUNDS = Number(opt("--rounds") ?? 3);
/** Seconds of steps per model per side per round (at least 3 steps). */
const SECONDS = Number(opt("--seconds") ?? 1.5);
const B = Number(opt("--batch") ?? 64);
const names = opt("--models")?.split(",") ?? MODELS.map((m) => m.name);
const spec = { height: 32, width: 32, channels: 3, classes: 10 };

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** lossbench's step for one model, on one fixed batch. */
function lossbenchStep(name: string): { step: () => void; dispose: () => void } {
  const plugin = getModel(name);
  const model = plugin.create(spec, plugin.initialWeights(spec, 1));
  // The trainer's step, with the model in train mode (batch statistics).
  const training = { ...model, apply: (x: tf.Tensor4D) => model.apply(x, true) } as Model;
  const sgd = new SgdMomentum(model.params, 0.9);
  const loss = lossFn("ce");
  const x = tf.randomNormal([B, 32, 32, 3], 0, 1, "float32", 1) as tf.Tensor4D;
  const y = tf.tensor1d(Array.from({ length: B }, (_, i) => (i * 7) % 10), "int32");
  return {
    step() {
      const s = trainStep(training as never, loss, sgd, x, y, 0.01);
      s.lossSum.dataSync(); // the cpu backend is synchronous; this only keeps it honest
      tf.dispose([s.lossSum, s.correct]);
    },
    dispose() {
      model.dispose();
      sgd.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** The long-lived PyTorch side: one request line in, one JSON line out. */
class Torch {
  #proc: Deno.ChildProcess;
  #chunks: ReadableStreamDefaultReader<string>;
  #buffered = "";
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  info: Record<string, unknown> = {};

  constructor() {
    this.#proc = new Deno.Command("/usr/bin/python3", {
      args: [new URL("torch_models.py", import.meta.url).pathname, "--threads", "1"],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#chunks = this.#proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
    this.#writer = this.#proc.stdin.getWriter();
  }

  async #read(): Promise<Record<string, number | string>> {
    while (!this.#buffered.includes("\n")) {
      const { value, done } = await this.#chunks.read();
      if (done) throw new Error("torch_models.py exited");
      this.#buffered += value;
    }
    const i = this.#buffered.indexOf("\n");
    const line = this.#buffered.slice(0, i);
    this.#buffered = this.#buffered.slice(i + 1);
    return JSON.parse(line);
  }

  async ready(): Promise<void> {
    this.info = await this.#read();
  }

  async run(model: string, steps: number): Promise<number> {
    const req = JSON.stringify({ model, steps, batch: B }) + "\n";
    await this.#writer.write(new TextEncoder().encode(req));
    return (await this.#read()).imgPerSec as number;
  }

  async close(): Promise<void> {
    await this.#writer.close();
    await this.#proc.status;
  }
}

registerFastCpuKernels();
tf.env().set("PROD", true);
await tf.setBackend("cpu");

let torch: Torch | undefined;
if (!args.includes("--no-torch")) {
  torch = new Torch();
  await torch.ready();
}
const sizes = Object.fromEntries(describeModels(spec).map((d) => [d.name, d]));

for (const name of names) {
  const ours = lossbenchStep(name);
  // Warm up, and size the rounds from one step's time.
  ours.step();
  let t0 = performance.now();
  ours.step();
  const steps = Math.max(3, Math.round((SECONDS * 1000) / (performance.now() - t0)));
  if (torch) await torch.run(name, 2);
  const mine: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    t0 = performance.now();
    for (let i = 0; i < steps; i++) ours.step();
    mine.push((B * steps) / ((performance.now() - t0) / 1000));
    // PyTorch gets as many seconds, in its own step count.
    if (torch) {
      const probe = await torch.run(name, 2);
      theirs.push(await torch.run(name, Math.max(3, Math.round(SECONDS * probe / B))));
    }
  }
  ours.dispose();
  const line: Record<string, unknown> = {
    model: name,
    params: sizes[name].params,
    flopsPerImage: sizes[name].flopsPerImage,
    batchSize: B,
    rounds: ROUNDS,
    stepsPerRound: steps,
    lossbenchStepImgPerSec: round(median(mine)),
  };
  if (torch) {
    line.torchStepImgPerSec1Thread = round(median(theirs));
    line.ratio = round(median(mine.map((m, i) => m / theirs[i])), 3);
    line.ratios = mine.map((m, i) => round(m / theirs[i], 3));
    line.torch = torch.info.torch;
  }
  console.log(JSON.stringify(line));
}
await torch?.close();
