// The custom-gradient conv + bias + ReLU op against the plain ops it replaces
// under the tape (conv2d, add, relu with tfjs's own gradients, stock kernels):
// value and the gradients of a weighted sum with respect to input, filter and bias.
import * as tf from "../ml/tf.ts";
import { convBiasRelu } from "../ml/kernels/conv_bias_relu.ts";
import {
  registerFastCpuKernels,
  unregisterFastCpuKernels,
} from "../ml/kernels/register_all_kernels.ts";
import { maxRelDiff, setupCpu } from "../ml/kernels/testing.ts";
import { assert, assertEquals } from "./util/assert.ts";

await setupCpu();

const maxRel = (a: tf.Tensor, b: tf.Tensor) => {
  assertEquals(a.shape, b.shape);
  return maxRelDiff(a.dataSync(), b.dataSync());
};

type Shape4 = [number, number, number, number];
const cases: { x: Shape4; f: Shape4; pad: "valid" | "same" }[] = [
  { x: [4, 12, 12, 3], f: [3, 3, 3, 4], pad: "valid" },
  { x: [3, 9, 7, 4], f: [3, 3, 4, 8], pad: "valid" },
  { x: [2, 8, 8, 5], f: [3, 3, 5, 6], pad: "same" },
];

for (const [i, c] of cases.entries()) {
  Deno.test(`convBiasRelu ${c.x}⊛${c.f} ${c.pad}: value and gradients match the plain ops`, () => {
    tf.tidy(() => {
      const x = tf.randomNormal(c.x, 0, 1, "float32", 10 + i) as tf.Tensor4D;
      const f = tf.randomNormal(c.f, 0, 0.5, "float32", 20 + i) as tf.Tensor4D;
      const b = tf.randomNormal([c.f[3]], 0, 0.5, "float32", 30 + i) as tf.Tensor1D;
      const plain = (x: tf.Tensor4D, f: tf.Tensor4D, b: tf.Tensor1D) =>
        tf.relu(tf.add(tf.conv2d(x, f, 1, c.pad), b)) as tf.Tensor4D;
      // A weighted sum, so every output element's gradient differs.
      const wOut = tf.randomNormal(plain(x, f, b).shape, 0, 1, "float32", 40 + i);
      const loss = (fn: typeof plain) => (x: tf.Tensor, f: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(fn(x as tf.Tensor4D, f as tf.Tensor4D, b as tf.Tensor1D), wOut));
      const ours = (x: tf.Tensor4D, f: tf.Tensor4D, b: tf.Tensor1D) => convBiasRelu(x, f, b, c.pad);
      const got = tf.grads(loss(ours))([x, f, b]);
      unregisterFastCpuKernels();
      const want = tf.grads(loss(plain))([x, f, b]);
      const wantValue = plain(x, f, b);
      registerFastCpuKernels();
      assert(maxRel(ours(x, f, b), wantValue) < 1e-5, "value");
      for (const [k, name] of ["x", "filter", "bias"].entries()) {
        const r = maxRel(got[k], want[k]);
        assert(r < 1e-5, `d/d${name}: ${r}`);
      }
      // Without the input gradient: the same filter and bias gradients.
      const fb = tf.grads((f: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(convBiasRelu(x, f as tf.Tensor4D, b as tf.Tensor1D, c.pad, false), wOut))
      )([f, b]);
      assert(maxRel(fb[0], want[1]) < 1e-5 && maxRel(fb[1], want[2]) < 1e-5, "no-input-grad");
    });
  });
}

Deno.test("convBiasRelu's relu mask is the stock one: zero at and below 0, NaN kept", () => {
  tf.tidy(() => {
    // 1×1 conv with filter 1 and bias 0: y = relu(x); dy = −1 everywhere.
    const x = tf.tensor4d([2, -3, 0, NaN], [1, 2, 2, 1]);
    const f = tf.ones([1, 1, 1, 1]) as tf.Tensor4D;
    const b = tf.zeros([1]) as tf.Tensor1D;
    const grad = (fn: (x: tf.Tensor4D) => tf.Tensor) =>
      Array.from(
        tf.grads((x: tf.Tensor) => tf.neg(tf.sum(fn(x as tf.Tensor4D))))([x])[0]
          .dataSync(),
      );
    const got = grad((x) => convBiasRelu(x, f, b));
    const want = grad((x) => tf.relu(tf.add(tf.conv2d(x, f, 1, "valid"), b)));
    assertEquals(got.slice(0, 3).map((v) => v + 0), [-1, 0, 0]);
    assert(Number.isNaN(got[3]) && Number.isNaN(want[3]), `${got} vs ${want}`);
    assertEquals(got.slice(0, 3).map((v) => v + 0), want.slice(0, 3).map((v) => v + 0));
  });
});
