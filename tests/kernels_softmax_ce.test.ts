// The fused softmax cross-entropy op against PyTorch (the "ce" results of
// tests/fixtures/reference_losses.json: value and d loss / d logits), through
// tf.mean as the ce plug-in averages, on the cpu backend and on its op path.
import * as tf from "../ml/tf.ts";
import { softmaxCrossEntropy } from "../ml/kernels/softmax_ce.ts";
import { setupCpu } from "../ml/kernels/testing.ts";
import { assert, assertThrows } from "./util/assert.ts";

await setupCpu();

interface Case {
  logits: { shape: [number, number]; data: number[] };
  labels: number[];
}
const ref = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/reference_losses.json", import.meta.url)),
) as {
  cases: Record<string, Case>;
  results: { case: string; loss: string; value: number; grad: number[] }[];
};
const ceResults = ref.results.filter((r) => r.loss === "ce");

function meanCe(c: Case) {
  const z = tf.tensor2d(c.logits.data, c.logits.shape);
  const y = tf.oneHot(tf.tensor1d(c.labels, "int32"), c.logits.shape[1]).toFloat() as tf.Tensor2D;
  const { value, grad } = tf.valueAndGrad((t: tf.Tensor) =>
    tf.mean(softmaxCrossEntropy(t as tf.Tensor2D, y))
  )(z);
  const out = { value: value.dataSync()[0], grad: grad.dataSync() as Float32Array };
  tf.dispose([z, y, value, grad]);
  return out;
}

Deno.test("fused softmax cross-entropy matches PyTorch's value and gradient", () => {
  assert(ceResults.length > 0, "no ce results in the fixture");
  for (const r of ceResults) {
    const got = meanCe(ref.cases[r.case]);
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));
    assert(rel(got.value, r.value) < 1e-5, `${r.case}: ${got.value} vs ${r.value}`);
    let worst = 0;
    r.grad.forEach((g, i) => (worst = Math.max(worst, Math.abs(got.grad[i] - g))));
    assert(worst < 1e-6, `${r.case}: gradient off by ${worst}`);
  }
});

Deno.test("fused softmax cross-entropy: a target of the wrong shape is caught, not read past", () => {
  const z = tf.zeros([2, 3]) as tf.Tensor2D;
  const y = tf.zeros([2, 4]) as tf.Tensor2D;
  assertThrows(() => softmaxCrossEntropy(z, y));
  tf.dispose([z, y]);
});

Deno.test("fused softmax cross-entropy is finite for huge logits", () => {
  const z = tf.tensor2d([[1e4, -1e4, 0], [-3e38, 3e38, 0]]);
  const y = tf.tensor2d([[0, 1, 0], [0, 1, 0]]);
  const v = softmaxCrossEntropy(z, y).dataSync();
  assert(Math.abs(v[0] - 2e4) < 1 && v[1] === 0, `got ${Array.from(v)}`);
  tf.dispose([z, y]);
});
