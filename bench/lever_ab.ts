// deno run -A bench/lever_ab.ts LEVER [--steps N]
// One lever (bench/levers.ts) on and off in alternating single ConvNet
// training steps (on, off, off, on, …): the finest interleaving there is, for
// effects smaller than the interleaved bench's round-to-round spread. Prints
// the step's least, first-quartile and median ms each way; on a loaded machine
// the least and the first quartile are the ones to compare (preemption only
// ever adds time).
import { stepSetup } from "./step_setup.ts";
import * as tf from "../ml/tf.ts";
import { registerFastCpuKernels } from "../ml/kernels/register_all_kernels.ts";
import { trainStep } from "../ml/trainer.ts";
import { LEVERS } from "./levers.ts";
import { quantile } from "./summary.ts";

const name = Deno.args[0];
const lever = LEVERS[name];
if (!lever) throw new Error(`usage: lever_ab.ts LEVER (one of ${Object.keys(LEVERS).join(", ")})`);
const i = Deno.args.indexOf("--steps");
const STEPS = i >= 0 ? Number(Deno.args[i + 1]) : 200;

registerFastCpuKernels();
tf.env().set("PROD", true);
await tf.setBackend("cpu");
tf.env().set("IS_TEST", false);
const { model, sgd, loss, x, y } = stepSetup("convnet", 64);
const step = () => {
  const s = trainStep(model, loss, sgd, x, y, 0.01);
  tf.dispose([s.lossSum, s.correct]);
};
const times = { on: [] as number[], off: [] as number[] };
for (let i = 0; i < 5; i++) for (const set of [lever.on, lever.off]) set(), step();
for (let i = 0; i < STEPS; i++) {
  for (const which of i % 2 === 0 ? ["on", "off"] as const : ["off", "on"] as const) {
    lever[which]();
    const t = performance.now();
    step();
    times[which].push(performance.now() - t);
  }
}
const r2 = (v: number) => Math.round(v * 100) / 100;
const stats = (a: number[]) => {
  const s = [...a].sort((p, q) => p - q);
  return { min: r2(s[0]), q1: r2(quantile(s, 0.25)), median: r2(quantile(s, 0.5)) };
};
const on = stats(times.on);
const off = stats(times.off);
console.log(JSON.stringify({
  lever: name,
  steps: STEPS,
  stepMsOn: on,
  stepMsOff: off,
  speedupQ1: r2(off.q1 / on.q1),
  speedupMin: r2(off.min / on.min),
  loadavg1m: Deno.loadavg()[0],
}));
