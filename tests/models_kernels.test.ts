// The cpu kernels the model plug-ins added (batch norm) against the stock
// tfjs kernels they replace, including the layouts they hand back to stock.
import * as tf from "@tensorflow/tfjs";
import { compareWithStock, setupCpu } from "../ml/kernels/testing.ts";
import { checkAgainstStock as check } from "./util/stock.ts";
import { assert } from "./util/assert.ts";

await setupCpu();

const randn = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, "float32", seed);
const positive = (shape: number[], seed: number) =>
  tf.add(tf.randomUniform(shape, 0, 2, "float32", seed), 0.01);

Deno.test("FusedBatchNorm matches stock for per-channel, scalar and absent statistics", () => {
  const cases: { x: number[]; stat: number[]; scale?: number[]; offset?: number[] }[] = [
    { x: [4, 6, 6, 16], stat: [16], scale: [16], offset: [16] },
    { x: [3, 5, 5, 3], stat: [3], scale: [3], offset: [3] }, // channels not a multiple of 4
    { x: [2, 4, 4, 8], stat: [8] }, // no scale, no offset
    { x: [2, 4, 4, 8], stat: [8], scale: [1], offset: [8] }, // scalar scale
    { x: [2, 4, 4, 8], stat: [1], scale: [8], offset: [1] }, // scalar statistics
    { x: [7, 10], stat: [10], scale: [10], offset: [10] }, // rank 2
    { x: [2, 3, 3, 6], stat: [3], scale: [3], offset: [3] }, // period 3 inside 6 channels
  ];
  let s = 0;
  for (const c of cases) {
    tf.tidy(() => {
      const inputs: Record<string, tf.Tensor> = {
        x: randn(c.x, s++),
        mean: randn(c.stat, s++),
        variance: positive(c.stat, s++),
      };
      if (c.scale) inputs.scale = randn(c.scale, s++);
      if (c.offset) inputs.offset = randn(c.offset, s++);
      for (const varianceEpsilon of [1e-5, 0.001]) {
        check(
          "FusedBatchNorm",
          inputs,
          { varianceEpsilon },
          `${JSON.stringify(c)} ε ${varianceEpsilon}`,
        );
      }
    });
  }
});

Deno.test("FusedBatchNorm hands mismatched statistic lengths to stock", () => {
  tf.tidy(() => {
    // mean of 2 and variance of 4 along 8 channels: the stock kernel's wrap-around.
    const inputs = { x: randn([2, 3, 3, 8], 1), mean: randn([2], 2), variance: positive([4], 3) };
    check("FusedBatchNorm", inputs, { varianceEpsilon: 1e-5 }, "wrap-around");
  });
});

Deno.test("FusedBatchNorm honours epsilon where it matters (variance near ε)", () => {
  tf.tidy(() => {
    const x = randn([2, 4, 4, 8], 1);
    const inputs = { x, mean: randn([8], 2), variance: tf.fill([8], 1e-4) };
    const ours = tf.engine().runKernel("FusedBatchNorm", inputs, { varianceEpsilon: 1e-5 });
    const other = tf.engine().runKernel("FusedBatchNorm", inputs, { varianceEpsilon: 1e-3 });
    const d = tf.max(tf.abs(tf.sub(ours as tf.Tensor, other as tf.Tensor))).dataSync()[0];
    assert(d > 1, `epsilon changes the output (${d})`);
    const c = compareWithStock("FusedBatchNorm", inputs, { varianceEpsilon: 1e-5 });
    assert(c.maxRel < 1e-5, `matches stock (${c.maxRel})`);
  });
});
