// The fused training ops are bit for bit the tfjs ops they replace, so that
// adopting them changes no recorded number: softmaxCrossEntropy against
// ml/losses/ops.ts's op path (value and gradient, ties and extreme logits
// included), and whole ConvNet training steps with every loss that calls
// crossEntropy, fused (convBiasRelu + the fused CE) against unfused.
import * as tf from "../ml/tf.ts";
import { opPath, softmaxCrossEntropy } from "../ml/kernels/softmax_ce.ts";
import { setupCpu } from "../ml/kernels/testing.ts";
import { ceFusion } from "../ml/losses/ops.ts";
import { LOSSES } from "../ml/losses/registry.ts";
import { convFusion, createModel, initialWeights } from "../ml/models/convnet.ts";
import { readVariables } from "../ml/models/layers.ts";
import { SgdMomentum } from "../ml/optimizer.ts";
import { assert } from "./util/assert.ts";
import { stepLosses } from "./util/golden_steps.ts";

await setupCpu();

/** Where two float32 arrays differ in bits (NaN payloads and ±0 included), or -1. */
function firstBitDiff(a: Float32Array, b: Float32Array): number {
  assert(a.length === b.length, `lengths ${a.length} and ${b.length}`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return i;
  return -1;
}

function assertSameBits(a: Float32Array, b: Float32Array, what: string) {
  const i = firstBitDiff(a, b);
  assert(i < 0, `${what}: element ${i} is ${a[i]} fused and ${b[i]} unfused`);
}

/** Value and d(mean · w)/d logits, through `f`; a weighted mean makes every row's dy differ. */
function valueAndGrad(
  f: (z: tf.Tensor2D, t: tf.Tensor2D) => tf.Tensor1D,
  z: tf.Tensor2D,
  t: tf.Tensor2D,
  w: tf.Tensor1D,
) {
  const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
    tf.sum(tf.mul(f(x as tf.Tensor2D, t), w))
  )(z);
  const per = f(z, t);
  const out = {
    per: per.dataSync() as Float32Array,
    value: value.dataSync() as Float32Array,
    grad: grad.dataSync() as Float32Array,
  };
  tf.dispose([value, grad, per]);
  return out;
}

Deno.test("fused softmax cross-entropy is bit for bit the op path", () => {
  const B = 257, K = 10;
  const cases: [string, Float32Array][] = [];
  const normal = tf.randomNormal([B, K], 0, 3, "float32", 7);
  cases.push(["normal", normal.dataSync() as Float32Array]);
  normal.dispose();
  // Ties at the max (two or all classes), huge and tiny logits, and −0.
  const ties = new Float32Array(B * K).map((_, i) => [0, 1, 1, -0, 2][i % 5] * (i % 3 ? 1 : -1));
  cases.push(["ties", ties]);
  const wide = new Float32Array(B * K).map((_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 9) - 3));
  cases.push(["wide", wide]);
  cases.push(["equal", new Float32Array(B * K).fill(0.25)]);
  for (const [name, data] of cases) {
    const z = tf.tensor2d(data, [B, K]);
    const labels = tf.tensor1d(Array.from({ length: B }, (_, i) => (i * 7) % K), "int32");
    const t = tf.oneHot(labels, K).toFloat() as tf.Tensor2D;
    const w = tf.tensor1d(Array.from({ length: B }, (_, i) => 1 / (1 + i)));
    const fused = valueAndGrad(softmaxCrossEntropy, z, t, w);
    const ops = valueAndGrad(opPath, z, t, w);
    assertSameBits(fused.per, ops.per, `${name}: per-sample loss`);
    assertSameBits(fused.value, ops.value, `${name}: weighted sum`);
    assertSameBits(fused.grad, ops.grad, `${name}: gradient`);
    tf.dispose([z, labels, t, w]);
  }
});

Deno.test("fused softmax cross-entropy is bit for bit the op path for soft targets too", () => {
  const z = tf.randomNormal([33, 7], 0, 2, "float32", 3) as tf.Tensor2D;
  const t = tf.softmax(tf.randomNormal([33, 7], 0, 1, "float32", 4)) as tf.Tensor2D;
  const w = tf.ones([33]) as tf.Tensor1D;
  const fused = valueAndGrad(softmaxCrossEntropy, z, t, w);
  const ops = valueAndGrad(opPath, z, t, w);
  assertSameBits(fused.grad, ops.grad, "gradient");
  assertSameBits(fused.per, ops.per, "value");
  tf.dispose([z, t, w]);
});

/** Three ConvNet steps with `lossName`, fused or not; the weights, losses and logits' argmax. */
async function steps(lossName: string, fused: boolean) {
  ceFusion.enabled = convFusion.enabled = fused;
  try {
    const spec = { height: 16, width: 16, channels: 3, classes: 10 };
    const model = createModel(spec, initialWeights(spec, 5));
    const opt = new SgdMomentum(model.params, 0.9);
    const plugin = LOSSES.find((l) => l.name === lossName)!;
    const loss = plugin.build(plugin.params.parse({}) as never, {
      classes: 10,
      trainCounts: [50, 40, 30, 20, 10, 9, 8, 7, 6, 5],
    });
    const x = tf.randomNormal([24, 16, 16, 3], 0, 1, "float32", 11) as tf.Tensor4D;
    const y = tf.tensor1d(Array.from({ length: 24 }, (_, i) => (i * 3) % 10), "int32");
    const losses = await stepLosses(model, loss, opt, x, y, 0.1);
    const w = await readVariables(model.params);
    model.dispose();
    opt.dispose();
    tf.dispose([x, y]);
    return { w, losses: new Float32Array(losses) };
  } finally {
    ceFusion.enabled = convFusion.enabled = true;
  }
}

Deno.test("ConvNet training steps: fused ops give the unfused op path's exact weights, every loss", async () => {
  for (const l of LOSSES) {
    const fused = await steps(l.name, true);
    const ops = await steps(l.name, false);
    assertSameBits(fused.losses, ops.losses, `${l.name}: losses`);
    for (const [name, w] of Object.entries(ops.w)) {
      assertSameBits(fused.w[name], w, `${l.name}: ${name}`);
    }
  }
});
