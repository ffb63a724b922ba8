// deno run -A bench/eval_profile.ts [--reps N]
// Per-kernel ms of one evaluation batch of 500 (the bench's eval) on the
// project's cpu kernels, plus the whole forward's wall time (median of reps).
import * as tf from "../ml/tf.ts";
import { registerFastCpuKernels } from "../ml/kernels/register_all_kernels.ts";
import { createModel, initialWeights } from "../ml/models/convnet.ts";

const i = Deno.args.indexOf("--reps");
const REPS = i >= 0 ? Number(Deno.args[i + 1]) : 20;
const spec = { height: 32, width: 32, channels: 3, classes: 10 };
registerFastCpuKernels();
await tf.setBackend("cpu");
tf.env().set("IS_TEST", false);
const model = createModel(spec, initialWeights(spec, 1));
const x = tf.randomNormal([500, 32, 32, 3]) as tf.Tensor4D;
const fwd = () => tf.tidy(() => tf.argMax(model.apply(x), 1));
for (let r = 0; r < 3; r++) fwd().dispose();
const times: number[] = [];
for (let r = 0; r < REPS; r++) {
  const t0 = performance.now();
  const p = fwd();
  await p.data();
  times.push(performance.now() - t0);
  p.dispose();
}
times.sort((a, b) => a - b);
const agg: Record<string, number> = {};
for (let r = 0; r < 5; r++) {
  const info = await tf.profile(() => fwd());
  for (const k of info.kernels) agg[k.name] = (agg[k.name] ?? 0) + (k.kernelTimeMs as number) / 5;
}
const kernels = Object.fromEntries(
  Object.entries(agg).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v * 100) / 100]),
);
console.log(JSON.stringify({
  evalMsMedian: Math.round(times[times.length >> 1] * 100) / 100,
  evalMsMin: Math.round(times[0] * 100) / 100,
  evalImgPerSec: Math.round(500 / (times[times.length >> 1] / 1000)),
  kernels,
}));
