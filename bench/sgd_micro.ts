// deno run -A --lock=dev.lock bench/sgd_micro.ts [--model mlp] [--rounds 15] [--wd 5e-4] [--clip 5]
// The optimizer's update alone, for one model's parameters and fixed gradients: ms per
// update of the SIMD pass over resident wasm arrays and of the JS pass into fresh arrays
// (bench/levers.ts "simd-sgd"), alternating, with the median of each and of their ratio.
import * as tf from "../ml/tf.ts";
import { setupCpu } from "../ml/kernels/testing.ts";
import { getModel } from "../ml/models/registry.ts";
import { sgdFusion, SgdMomentum } from "../ml/optimizer.ts";
import { CIFAR_SPEC } from "./step_setup.ts";

const opt = (name: string, d: string) => {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : d;
};
const ROUNDS = Number(opt("--rounds", "15"));
const REPS = 5;
await setupCpu();
tf.env().set("PROD", true);
const plugin = getModel(opt("--model", "mlp"));
const model = plugin.create(CIFAR_SPEC, plugin.initialWeights(CIFAR_SPEC, 1));
const wd = Number(opt("--wd", "0"));
const clip = opt("--clip", "");
const sgd = new SgdMomentum(model.params, 0.9, {
  weightDecay: wd,
  ...(clip ? { gradClip: Number(clip) } : {}),
});
const grads: Record<string, tf.Tensor> = {};
for (const p of model.params.values()) grads[p.name] = tf.randomNormal(p.shape, 0, 1e-3);
const params = [...model.params.values()].reduce((n, p) => n + p.size, 0);

const time = (simd: boolean) => {
  sgdFusion.simd = simd;
  sgd.step(grads, 0.01); // the first after a switch moves the arrays
  const t = performance.now();
  for (let i = 0; i < REPS; i++) sgd.step(grads, 0.01);
  return (performance.now() - t) / REPS;
};
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const simd: number[] = [], js: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  if (r & 1) js.push(time(false)), simd.push(time(true));
  else simd.push(time(true)), js.push(time(false));
}
const r3 = (v: number) => Math.round(v * 1000) / 1000;
console.log(JSON.stringify({
  model: plugin.name,
  weightDecay: wd,
  gradClip: clip ? Number(clip) : null,
  params,
  simdMs: r3(median(simd)),
  jsMs: r3(median(js)),
  jsOverSimd: r3(median(js.map((x, i) => x / simd[i]))),
  loadavg1m: Deno.loadavg()[0],
}));
