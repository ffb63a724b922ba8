// The cpu kernels the model plug-ins added (batch norm): FusedBatchNorm against
// the stock kernel it replaces, including the layouts it hands back to stock,
// and batch norm's training kernels against the plain-op path.
import * as tf from "../ml/tf.ts";
import { BatchNormTrain } from "../ml/kernels/BatchNormTrain.ts";
import { BatchNormTrainGrad } from "../ml/kernels/BatchNormTrainGrad.ts";
import {
  registerFastCpuKernels,
  unregisterFastCpuKernels,
} from "../ml/kernels/register_all_kernels.ts";
import { compareWithStock, maxRelDiff, setupCpu } from "../ml/kernels/testing.ts";
import { backwardOps, BN_EPS, forwardOps } from "../ml/models/batch_norm.ts";
import { checkAgainstStock as check } from "./util/stock.ts";
import { assert, assertEquals, assertThrows } from "./util/assert.ts";

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

// Batch norm's training kernels are the project's own ops: there is no stock
// kernel, so they are compared with the plain-op path of ml/models/batch_norm.ts
// run on the stock kernels (that path is itself checked against PyTorch in
// models_parity.test.ts).
async function bnReference(
  x: tf.Tensor4D,
  g: tf.Tensor1D,
  b: tf.Tensor1D,
  dy: tf.Tensor4D,
): Promise<Float32Array[]> {
  unregisterFastCpuKernels();
  try {
    return await Promise.all(
      tf.tidy(() => {
        const f = forwardOps(x, g, b);
        const grads = backwardOps(dy, x, f.mean, f.variance, g);
        return [f.y, f.mean, f.variance, ...grads].map((t) => tf.keep(t));
      }).map(async (t) => {
        const v = (await t.data()) as Float32Array;
        t.dispose();
        return v;
      }),
    );
  } finally {
    registerFastCpuKernels();
  }
}

const maxRel = maxRelDiff;

Deno.test("BatchNormTrain and its gradient match the plain-op path on stock kernels", async () => {
  const shapes = [[4, 5, 5, 3], [2, 3, 3, 8], [8, 4, 4, 16], [1, 1, 2, 4], [3, 2, 7, 6]];
  let s = 100;
  for (const shape of shapes) {
    const c = shape[3];
    const [x, g, b, dy] = [
      tf.add(tf.mul(randn(shape, s++), 3), 2) as tf.Tensor4D, // off zero mean and unit variance
      randn([c], s++) as tf.Tensor1D,
      randn([c], s++) as tf.Tensor1D,
      randn(shape, s++) as tf.Tensor4D,
    ];
    const want = await bnReference(x, g, b, dy);
    const eps = { varianceEpsilon: BN_EPS };
    const fwd = tf.engine().runKernel(
      BatchNormTrain,
      { x, scale: g, offset: b },
      eps,
    ) as tf.Tensor[];
    const [, mean, variance] = fwd;
    const bwd = tf.engine().runKernel(
      BatchNormTrainGrad,
      { dy, x, mean, variance, scale: g },
      eps,
    ) as tf.Tensor[];
    const names = ["y", "mean", "variance", "dx", "dScale", "dOffset"];
    const got = [...fwd, ...bwd];
    for (let i = 0; i < got.length; i++) {
      assertEquals(got[i].shape, i === 0 || i === 3 ? shape : [c], `${shape} ${names[i]} shape`);
      const r = maxRel((await got[i].data()) as Float32Array, want[i]);
      assert(r < 1e-5, `${shape} ${names[i]}: rel error ${r}`);
    }
    tf.dispose([x, g, b, dy, ...got]);
  }
});

Deno.test("BatchNormTrain refuses one value per channel and non-float32 input", () => {
  tf.tidy(() => {
    const one = { x: randn([1, 1, 1, 4], 1), scale: tf.ones([4]), offset: tf.zeros([4]) };
    assertThrows(() => tf.engine().runKernel(BatchNormTrain, one, {}), "more than 1 value");
    const ints = { ...one, x: tf.zeros([2, 1, 1, 4], "int32") };
    assertThrows(() => tf.engine().runKernel(BatchNormTrain, ints, {}), "float32 only");
  });
});

Deno.test("unregistering the project's kernels removes batch norm's own kernels", () => {
  unregisterFastCpuKernels();
  try {
    assert(!tf.getKernel(BatchNormTrain, "cpu"), "BatchNormTrain left registered");
    assert(!tf.getKernel(BatchNormTrainGrad, "cpu"), "BatchNormTrainGrad left registered");
    assert(tf.getKernel("FusedBatchNorm", "cpu"), "stock FusedBatchNorm put back");
  } finally {
    registerFastCpuKernels();
  }
  assert(tf.getKernel(BatchNormTrain, "cpu"), "registered again");
});
