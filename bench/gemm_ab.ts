// deno run -A --lock=dev.lock bench/gemm_ab.ts [--steps N] [--reps N]
// The packed GEMM (ml/kernels/BatchMatMul.ts) against the kernel before it (bench/gemm_legacy.ts),
// in alternating calls within one process: each mlp GEMM shape at batch 64 (least and first
// quartile ms of each), then whole mlp training steps with one kernel or the other registered
// (on, off, off, on, …). On a loaded machine compare the least and the first quartile.
import { stepSetup } from "./step_setup.ts";
import * as tf from "../ml/tf.ts";
import type { KernelFunc } from "@tensorflow/tfjs-core";
import { batchMatMul } from "../ml/kernels/BatchMatMul.ts";
import { registerFastCpuKernels } from "../ml/kernels/register_all_kernels.ts";
import { trainStep } from "../ml/trainer.ts";
import { legacyBatchMatMul } from "./gemm_legacy.ts";
import { mlpGemmShapes } from "./gemm_shapes.ts";
import { quantile } from "./summary.ts";

const opt = (name: string, d: number) => {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Number(Deno.args[i + 1]) : d;
};
const STEPS = opt("--steps", 100);
const REPS = opt("--reps", 30);

registerFastCpuKernels();
tf.env().set("PROD", true);
await tf.setBackend("cpu");
tf.env().set("IS_TEST", false);

const arms = { packed: batchMatMul, legacy: legacyBatchMatMul } as const;
type Arm = keyof typeof arms;
const use = (arm: Arm) => {
  tf.unregisterKernel("BatchMatMul", "cpu");
  tf.registerKernel({
    kernelName: "BatchMatMul",
    backendName: "cpu",
    kernelFunc: arms[arm] as unknown as KernelFunc,
  });
};
const r3 = (v: number) => Math.round(v * 1000) / 1000;
const stats = (a: number[]) => {
  const s = [...a].sort((p, q) => p - q);
  return { min: r3(s[0]), q1: r3(quantile(s, 0.25)) };
};
/** Alternates the arms (packed, legacy, legacy, packed, …), timing `run` under each. */
function alternate(n: number, run: () => void): Record<Arm, number[]> {
  const times: Record<Arm, number[]> = { packed: [], legacy: [] };
  for (let i = 0; i < n + 3; i++) {
    for (const arm of i % 2 === 0 ? ["packed", "legacy"] as const : ["legacy", "packed"] as const) {
      use(arm);
      const t = performance.now();
      run();
      if (i >= 3) times[arm].push(performance.now() - t);
    }
  }
  return times;
}

for (const s of mlpGemmShapes(64)) {
  const a = tf.randomNormal(s.tA ? [s.K, s.M] : [s.M, s.K], 0, 1, "float32", 1) as tf.Tensor2D;
  const b = tf.randomNormal(s.tB ? [s.N, s.K] : [s.K, s.N], 0, 1, "float32", 2) as tf.Tensor2D;
  const t = alternate(REPS, () => tf.matMul(a, b, s.tA, s.tB).dispose());
  const p = stats(t.packed);
  const l = stats(t.legacy);
  const gmac = (ms: number) => Math.round((s.M * s.K * s.N) / ms / 1e4) / 100;
  console.log(
    `${s.name.padEnd(7)} ${s.M}×${s.K}×${s.N}`.padEnd(24) +
      `packed ${p.min.toFixed(3)} ms (${gmac(p.min)} GMAC/s)  legacy ${l.min.toFixed(3)} ms ` +
      `(${gmac(l.min)} GMAC/s)  legacy ÷ packed, least ${r3(l.min / p.min)}, Q1 ${r3(l.q1 / p.q1)}`,
  );
  tf.dispose([a, b]);
}

const { model, sgd, loss, x, y } = stepSetup("mlp", 64);
const t = alternate(STEPS, () => {
  const r = trainStep(model, loss, sgd, x, y, 0.01);
  tf.dispose([r.lossSum, r.correct]);
});
const p = stats(t.packed);
const l = stats(t.legacy);
console.log(JSON.stringify({
  mlpStepMs: { packed: p, legacy: l },
  speedupLeast: r3(l.min / p.min),
  speedupQ1: r3(l.q1 / p.q1),
  loadavg1m: Deno.loadavg()[0],
}));
