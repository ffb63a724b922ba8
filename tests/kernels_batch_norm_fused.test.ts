// Batch norm's fused training loops (assembly/batch_norm.ts) against the op-by-op loops they
// replace, bit for bit: the same float32 steps and float64 channel sums in the same order.
import * as tf from "../ml/tf.ts";
import { BatchNormTrain, trainForward } from "../ml/kernels/BatchNormTrain.ts";
import { BatchNormTrainGrad, trainBackward } from "../ml/kernels/BatchNormTrainGrad.ts";
import { rng, setupCpu } from "../ml/kernels/testing.ts";
import { wasmRuntime } from "../ml/kernels/wasm/runtime.ts";
import { assert, assertEquals } from "./util/assert.ts";

await setupCpu();

function randn(r: (n: number) => number, n: number, scale: number, shift: number): Float32Array {
  return Float32Array.from({ length: n }, () => (r(2001) / 1000 - 1) * scale + shift);
}

const bits = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));

Deno.test("fused batch-norm loops give the op-by-op loops' bits", () => {
  const r = rng(5);
  const rt = wasmRuntime();
  // 8-channel blocks, a 4-channel tail, and convnet_bn's widths.
  for (const c of [4, 8, 12, 16, 20, 32, 64]) {
    const rows = 2 + r(300);
    const n = rows * c;
    const x = randn(r, n, 3, 1.5);
    const dy = randn(r, n, 0.1, 0);
    const g = randn(r, c, 1, 1);
    const b = randn(r, c, 1, 0);
    const run = (fused: boolean) => {
      rt.reset();
      const xp = rt.input(x);
      const dyp = rt.input(dy);
      const relu = trainForward(rt, xp, n, c, g, b, 1e-5, true, fused);
      const yRelu = rt.f32.slice(relu.out >> 2, (relu.out >> 2) + n);
      const f = trainForward(rt, xp, n, c, g, b, 1e-5, false, fused);
      const y = rt.f32.slice(f.out >> 2, (f.out >> 2) + n);
      const bw = trainBackward(rt, dyp, xp, n, c, f.mean, f.variance, g, 1e-5, fused);
      const dx = rt.f32.slice(bw.out >> 2, (bw.out >> 2) + n);
      return {
        y,
        yRelu,
        mean: f.mean,
        variance: f.variance,
        dx,
        dScale: bw.dScale,
        dOffset: bw.dOffset,
      };
    };
    const fused = run(true);
    const steps = run(false);
    for (const k of Object.keys(fused) as (keyof typeof fused)[]) {
      assertEquals(bits(fused[k]), bits(steps[k]), `c ${c} rows ${rows}: ${k}`);
    }
    assert(fused.dx.some((v) => v !== 0) && fused.variance.every((v) => v > 0), "non-trivial");
  }
});

Deno.test("batch norm with relu is the kernels then Relu, its gradient Step and Multiply first", () => {
  const r = rng(9);
  const c = 16;
  const shape = [3, 5, 7, c];
  const n = 3 * 5 * 7 * c;
  tf.tidy(() => {
    const x = tf.tensor(randn(r, n, 2, 0.5), shape);
    const dy = tf.tensor(randn(r, n, 0.1, 0), shape);
    const scale = tf.tensor(randn(r, c, 1, 1));
    const offset = tf.tensor(randn(r, c, 1, 0));
    const run = (name: string, inputs: tf.NamedTensorMap, relu: boolean) =>
      tf.engine().runKernel(name, inputs, { varianceEpsilon: 1e-5, relu }) as tf.Tensor[];
    const [y, mean, variance] = run(BatchNormTrain, { x, scale, offset }, false);
    const [yRelu, mean2] = run(BatchNormTrain, { x, scale, offset }, true);
    const data = (t: tf.Tensor) => t.dataSync() as Float32Array;
    assertEquals(bits(data(yRelu)), bits(data(tf.relu(y))), "forward");
    assertEquals(bits(data(mean2)), bits(data(mean)), "mean");
    const stats = { x, mean, variance, scale };
    const fused = run(BatchNormTrainGrad, { ...stats, dy, y: yRelu }, false);
    const ops = run(BatchNormTrainGrad, { ...stats, dy: tf.mul(dy, tf.step(y)) }, false);
    for (let i = 0; i < 3; i++) assertEquals(bits(data(fused[i])), bits(data(ops[i])), `grad ${i}`);
    const unmasked = run(BatchNormTrainGrad, { ...stats, dy }, false);
    assert(data(unmasked[2]).some((v, j) => v !== data(fused[2])[j]), "the mask changes dOffset");
  });
});
