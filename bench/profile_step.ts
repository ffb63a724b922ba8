// deno run -A bench/profile_step.ts [--model NAME] [--batch B] [--reps N] [--threads T]
//                                   [--breakdown STEPS]
// Per-kernel ms of one training step of a model plug-in on the project's cpu
// kernels (tf.profile), the step's wall time, and the time outside kernels
// (tfjs bookkeeping and autodiff), to see what bounds the step. --breakdown also
// samples STEPS steps with V8's profiler: ms per step in the wasm kernels, in copies
// into and out of wasm memory, in tfjs, … (bench/cpu_profile.ts).
import * as tf from "../ml/tf.ts";
import { registerFastCpuKernels } from "../ml/kernels/register_all_kernels.ts";
import { reportLossFn } from "../ml/losses/report.ts";
import { getModel } from "../ml/models/registry.ts";
import { SgdMomentum } from "../ml/optimizer.ts";
import { trainStep } from "../ml/trainer.ts";
import { profileBreakdown } from "./cpu_profile.ts";
import { kernelThreads } from "../ml/kernels/wasm/threads.ts";

const opt = (name: string, d: string) => {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : d;
};
const name = opt("--model", "convnet");
const B = Number(opt("--batch", "64"));
const REPS = Number(opt("--reps", "10"));
const THREADS = Number(opt("--threads", "1"));
const spec = { height: 32, width: 32, channels: 3, classes: 10 };

registerFastCpuKernels();
kernelThreads().set(THREADS);
await kernelThreads().ready();
tf.env().set("PROD", true);
await tf.setBackend("cpu");
tf.env().set("IS_TEST", false);
const plugin = getModel(name);
const model = plugin.create(spec, plugin.initialWeights(spec, 1));
const sgd = new SgdMomentum(model.params, 0.9);
const loss = reportLossFn("ce");
const x = tf.randomNormal([B, 32, 32, 3], 0, 1, "float32", 1) as tf.Tensor4D;
const y = tf.tensor1d(Array.from({ length: B }, (_, i) => (i * 7) % 10), "int32");
const step = () => {
  const s = trainStep(model, loss, sgd, x, y, 0.01);
  tf.dispose([s.lossSum, s.correct]);
};
for (let i = 0; i < 5; i++) step();
const walls: number[] = [];
for (let i = 0; i < REPS * 3; i++) {
  const t = performance.now();
  step();
  walls.push(performance.now() - t);
}
walls.sort((a, b) => a - b);
const agg: Record<string, { ms: number; calls: number }> = {};
for (let r = 0; r < REPS; r++) {
  const info = await tf.profile(step);
  for (const k of info.kernels) {
    const e = agg[k.name] ??= { ms: 0, calls: 0 };
    e.ms += (k.kernelTimeMs as number) / REPS;
    e.calls += 1 / REPS;
  }
}
const r3 = (v: number) => Math.round(v * 1000) / 1000;
const inKernels = Object.values(agg).reduce((s, e) => s + e.ms, 0);
const calls = Object.values(agg).reduce((s, e) => s + e.calls, 0);
const stepMs = walls[walls.length >> 1];
console.log(JSON.stringify({
  threads: THREADS,
  model: name,
  batch: B,
  stepMsMedian: r3(stepMs),
  stepMsMin: r3(walls[0]),
  kernelMs: r3(inKernels),
  kernelCalls: Math.round(calls),
  outsideKernelsMs: r3(walls[0] - inKernels),
  loadavg1m: Deno.loadavg()[0],
}));
for (const [k, e] of Object.entries(agg).sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(
    `${k.padEnd(24)} ${r3(e.ms).toFixed(3).padStart(8)} ms  ${Math.round(e.calls)} calls`,
  );
}

const breakdown = Number(opt("--breakdown", "0"));
if (breakdown > 0) {
  const b = await profileBreakdown(() => {
    for (let i = 0; i < breakdown; i++) step();
  }, breakdown);
  console.log(JSON.stringify({ model: name, breakdown: b, loadavg1m: Deno.loadavg()[0] }));
}
