// The model plug-ins against PyTorch: tests/fixtures/reference_models.json,
// written by tools/make_model_fixtures.py (already in the engine's layout).
// Each case runs on the stock tfjs cpu kernels (the maths) and on the
// project's kernels (what training uses).
import * as tf from "../ml/tf.ts";
import {
  registerFastCpuKernels,
  unregisterFastCpuKernels,
} from "../ml/kernels/register_all_kernels.ts";
import { SgdMomentum } from "../ml/optimizer.ts";
import { convnetBn } from "../ml/models/convnet_bn.ts";
import { mlpPlugin } from "../ml/models/mlp.ts";
import type { Model, ModelPlugin, ModelSpec } from "../ml/models/plugin.ts";
import { readModelWeights } from "../ml/models/registry.ts";
import { assert, assertEquals } from "./util/assert.ts";

interface Packed {
  shape: number[];
  f32: string;
}
type Tensors = Record<string, Packed>;
interface Case {
  spec: ModelSpec;
  hidden?: number[];
  input: Packed;
  labels: number[];
  weights: Tensors;
  evalLogits: Packed;
  trainLogits: Packed;
  loss: number;
  grads: Tensors;
  buffersAfterForward: Tensors;
  sgd: { lr: number; momentum: number; steps: number; after: Tensors };
}

const ref = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/reference_models.json", import.meta.url)),
) as { torch: string; cases: Record<string, Case> };

function unpack(p: Packed): Float32Array {
  const bytes = Uint8Array.from(atob(p.f32), (c) => c.charCodeAt(0));
  const out = new Float32Array(bytes.buffer);
  assertEquals(out.length, p.shape.reduce((a, b) => a * b, 1), "fixture size and shape");
  return out;
}
const unpackAll = (t: Tensors) =>
  Object.fromEntries(Object.entries(t).map(([k, v]) => [k, unpack(v)]));

/** Largest |a − b| relative to the reference's max-abs scale. */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) {
  assertEquals(actual.length, expected.length, `${what}: length`);
  let scale = 0, err = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    err = Math.max(err, Math.abs(actual[i] - expected[i]));
  }
  const rel = err / (scale || 1);
  assert(rel < 1e-4, `${what}: max error ${err} (${rel.toExponential(2)} of scale ${scale})`);
}

function pluginFor(name: string, c: Case): ModelPlugin {
  return name.startsWith("convnet_bn") ? convnetBn : mlpPlugin(c.hidden!);
}

/** Softmax cross-entropy, mean over the batch (PyTorch's F.cross_entropy), in plain ops. */
function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const oneHot = tf.oneHot(labels, logits.shape[1]);
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)));
}

const bufferNames = (c: Case) => Object.keys(c.buffersAfterForward);

async function checkCase(name: string, c: Case, kernels: string) {
  const plugin = pluginFor(name, c);
  const what = (s: string) => `${name} (${kernels} kernels) ${s}`;
  const shapes = plugin.paramShapes(c.spec);
  assertEquals(shapes.map((p) => p.name).sort(), Object.keys(c.weights).sort(), what("names"));
  assertEquals(
    shapes.filter((p) => p.trainable === false).map((p) => p.name).sort(),
    bufferNames(c).sort(),
    what("buffers"),
  );

  const weights = unpackAll(c.weights);
  const { height, width, channels } = c.spec;
  const x = tf.tensor4d(unpack(c.input), [c.labels.length, height, width, channels]);
  const y = tf.tensor1d(c.labels, "int32");
  const model = plugin.create(c.spec, weights);

  // Eval: running statistics, left alone.
  const evalLogits = model.apply(x, false);
  assertClose(await evalLogits.data(), unpack(c.evalLogits), what("eval logits"));
  evalLogits.dispose();
  const afterEval = await readModelWeights(model);
  for (const b of bufferNames(c)) assertEquals(afterEval[b], weights[b], what(`${b} after eval`));

  // Train mode under tf.variableGrads with no variable list, as the trainer calls it.
  let logits: tf.Tensor2D | undefined;
  const { value, grads } = tf.variableGrads(() => {
    logits = tf.keep(model.apply(x, true));
    return crossEntropy(logits, y);
  });
  assertClose(await logits!.data(), unpack(c.trainLogits), what("train logits"));
  assertClose([(await value.data())[0]], [c.loss], what("loss"));
  const byVar = new Map([...model.params].map(([n, v]) => [v.name, n]));
  const got = Object.fromEntries(
    Object.entries(grads).filter(([v]) => byVar.has(v)).map(([v, g]) => [byVar.get(v)!, g]),
  );
  assertEquals(Object.keys(got).sort(), Object.keys(c.grads).sort(), what("gradient names"));
  for (const [p, g] of Object.entries(got)) {
    assertClose(await g.data(), unpack(c.grads[p]), what(`grad ${p}`));
  }
  const bufferVars = new Set([...model.buffers.values()].map((v) => v.name));
  assert(Object.keys(grads).every((v) => !bufferVars.has(v)), what("buffers get no gradient"));
  const afterForward = await readModelWeights(model);
  for (const b of bufferNames(c)) {
    assertClose(afterForward[b], unpack(c.buffersAfterForward[b]), what(`${b} after one forward`));
  }
  tf.dispose([logits!, value, ...Object.values(grads)]);
  model.dispose();

  // SGD with momentum, from the fixture's weights again.
  const fresh = plugin.create(c.spec, weights);
  await sgdSteps(fresh, x, y, c);
  const after = await readModelWeights(fresh);
  for (const [p, w] of Object.entries(c.sgd.after)) {
    assertClose(after[p], unpack(w), what(`${p} after ${c.sgd.steps} SGD steps`));
  }
  fresh.dispose();
  tf.dispose([x, y]);
}

async function sgdSteps(model: Model, x: tf.Tensor4D, y: tf.Tensor1D, c: Case) {
  const opt = new SgdMomentum(model.params, c.sgd.momentum);
  for (let i = 0; i < c.sgd.steps; i++) {
    const { value, grads } = tf.variableGrads(() => crossEntropy(model.apply(x, true), y));
    opt.step(grads, c.sgd.lr);
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
  }
  opt.dispose();
}

for (const kernels of ["stock", "project"]) {
  for (const [name, c] of Object.entries(ref.cases)) {
    Deno.test(`${name} matches PyTorch ${ref.torch} (${kernels} cpu kernels)`, async () => {
      if (kernels === "project") registerFastCpuKernels();
      else unregisterFastCpuKernels();
      await tf.setBackend("cpu");
      const before = tf.memory().numTensors;
      await checkCase(name, c, kernels);
      assertEquals(tf.memory().numTensors, before, "tensors leaked");
    });
  }
}

Deno.test("the parity tolerance tells an unbiased running variance from a biased one", () => {
  const c = ref.cases.convnet_bn;
  const m = c.labels.length * (c.spec.height / 4) * (c.spec.width / 4); // bn3's values per channel
  const rv0 = unpack(c.weights["bn3.running_var"]);
  const rv1 = unpack(c.buffersAfterForward["bn3.running_var"]);
  // Reconstruct the batch variance PyTorch used, and what a biased update would give.
  const biased = rv1.map((v, i) => {
    const batchUnbiased = (v - 0.9 * rv0[i]) / 0.1;
    return 0.9 * rv0[i] + 0.1 * batchUnbiased * (m - 1) / m;
  });
  let differs = false;
  try {
    assertClose(biased, rv1, "biased");
  } catch {
    differs = true;
  }
  assert(differs, "a biased running variance would pass the tolerance: the check cannot fail");
});
