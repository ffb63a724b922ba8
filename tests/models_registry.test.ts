// The model registry: the list, sizes against PyTorch (reference_models.json,
// from tools/make_model_fixtures.py), input-size errors, initialisation and
// checkpoints of parameters and batch-norm buffers.
import * as tf from "../ml/tf.ts";
import { setupCpu } from "../ml/kernels/testing.ts";
import { convnet } from "../ml/models/convnet.ts";
import {
  DEFAULT_MODEL,
  describeModels,
  getModel,
  MODELS,
  readModelWeights,
} from "../ml/models/registry.ts";
import { assert, assertEquals, assertThrows } from "./util/assert.ts";

await setupCpu();

const ref = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/reference_models.json", import.meta.url)),
) as {
  cifarSpec: { height: number; width: number; channels: number; classes: number };
  sizes: Record<string, { params: number; macsPerImage: number; buffers: string[] }>;
};
const cifar = ref.cifarSpec;

Deno.test("MODELS: unique names, the report's convnet first and the default", () => {
  const names = MODELS.map((m) => m.name);
  assertEquals(names, ["convnet", "convnet_bn", "mlp"]);
  assertEquals(DEFAULT_MODEL, "convnet");
  assertEquals(getModel("convnet_bn").name, "convnet_bn");
});

Deno.test("getModel names the known models for an unknown one", () => {
  const e = assertThrows(() => getModel("resnet50"));
  assert(/unknown model "resnet50"/.test(e.message), e.message);
  assert(/convnet, convnet_bn, mlp/.test(e.message), e.message);
});

Deno.test("describeModels: parameter counts and multiply-adds equal PyTorch's", () => {
  const d = describeModels(cifar);
  assertEquals(d.map((m) => m.name).sort(), Object.keys(ref.sizes).sort());
  for (const m of d) {
    assertEquals(m.params, ref.sizes[m.name].params, `${m.name} params`);
    assertEquals(m.flopsPerImage, ref.sizes[m.name].macsPerImage, `${m.name} flops`);
    assert(m.title.length > 0 && m.description.length > 0, `${m.name} text`);
    const buffers = getModel(m.name).paramShapes(cifar).filter((p) => p.trainable === false);
    assertEquals(buffers.map((p) => p.name).sort(), ref.sizes[m.name].buffers, `${m.name} buffers`);
  }
});

Deno.test("convnet's flops per image, by hand", () => {
  // conv1 30·30·4 outputs × 3·3·3 taps; conv2 13·13·8 × 3·3·4; fc1 8·6·6 × 32; fc2 32 × 10.
  const byHand = 30 * 30 * 4 * 27 + 13 * 13 * 8 * 36 + 288 * 32 + 32 * 10;
  assertEquals(byHand, 155408);
  assertEquals(convnet.flopsPerImage(cifar), byHand);
  // 28×28 grey, 4 classes: conv1 26·26·4·9; pool 13; conv2 11·11·8·36; pool 5; fc1 200·32.
  const grey = { height: 28, width: 28, channels: 1, classes: 4 };
  assertEquals(convnet.flopsPerImage(grey), 26 * 26 * 4 * 9 + 11 * 11 * 8 * 36 + 200 * 32 + 128);
});

Deno.test("an input too small for a model throws a clear error", () => {
  const tiny = { height: 3, width: 9, channels: 3, classes: 10 };
  for (const name of ["convnet", "convnet_bn"]) {
    const m = getModel(name);
    for (const f of [() => m.paramShapes(tiny), () => m.flopsPerImage(tiny)]) {
      const e = assertThrows(f);
      assert(e.message.includes(`3×9 are too small for ${name}`), e.message);
    }
    assertThrows(() => m.create(tiny, {}), "too small");
  }
  assertThrows(() => describeModels(tiny), "too small");
  assertThrows(() => getModel("mlp").paramShapes({ ...tiny, height: 0 }), "empty");
  // The smallest sizes that do fit.
  getModel("convnet").paramShapes({ ...tiny, height: 10, width: 10 });
  getModel("convnet_bn").paramShapes({ ...tiny, height: 4, width: 4 });
});

Deno.test("initial weights: PyTorch's ranges, batch norm at 1/0, seeded", () => {
  for (const plugin of MODELS) {
    const shapes = plugin.paramShapes(cifar);
    const w = plugin.initialWeights(cifar, 5);
    assertEquals(Object.keys(w), shapes.map((p) => p.name), plugin.name);
    for (const p of shapes) {
      const v = w[p.name];
      assertEquals(v.length, p.shape.reduce((a, b) => a * b, 1), p.name);
      if (p.name.startsWith("bn")) {
        const one = p.name.endsWith(".weight") || p.name.endsWith(".running_var");
        assert(v.every((x) => x === (one ? 1 : 0)), `${plugin.name} ${p.name}`);
      } else {
        const bound = 1 / Math.sqrt(p.fanIn);
        assert(v.every((x) => Math.abs(x) <= bound), `${plugin.name} ${p.name} in ±${bound}`);
        // Uniform, so the largest of many draws is near the bound (not, say, a tenth of it).
        if (v.length >= 32) {
          assert(v.some((x) => Math.abs(x) > 0.8 * bound), `${plugin.name} ${p.name} spread`);
        }
      }
    }
    assertEquals(plugin.initialWeights(cifar, 5), w, `${plugin.name} deterministic`);
    const other = plugin.initialWeights(cifar, 6);
    assert(other[shapes[0].name][0] !== w[shapes[0].name][0], `${plugin.name} seed matters`);
  }
});

Deno.test("create checks the weights it is given", () => {
  const plugin = getModel("convnet_bn");
  const w = plugin.initialWeights(cifar, 1);
  const { ["bn2.running_var"]: _, ...missing } = w;
  assertThrows(() => plugin.create(cifar, missing), "missing weight bn2.running_var");
  assertThrows(
    () => plugin.create(cifar, { ...w, "fc.bias": new Float32Array(3) }),
    "fc.bias has 3 values",
  );
});

Deno.test("checkpoint round trip keeps parameters and batch-norm running statistics", async () => {
  const before = tf.memory().numTensors;
  const plugin = getModel("convnet_bn");
  const spec = { height: 8, width: 8, channels: 3, classes: 10 };
  const model = plugin.create(spec, plugin.initialWeights(spec, 2));
  const x = tf.randomNormal([4, 8, 8, 3], 0.5, 2, "float32", 3) as tf.Tensor4D;
  tf.dispose([model.apply(x, true), model.apply(x, true)]); // moves the running statistics
  const saved = await readModelWeights(model);
  assertEquals(Object.keys(saved).sort(), plugin.paramShapes(spec).map((p) => p.name).sort());
  assert(saved["bn1.running_var"].some((v) => v !== 1), "running variance moved");
  assert(saved["bn1.running_mean"].some((v) => v !== 0), "running mean moved");

  const restored = plugin.create(spec, saved);
  assertEquals(await readModelWeights(restored), saved);
  const [a, b] = [model.apply(x, false), restored.apply(x, false)];
  assertEquals(await a.data(), await b.data());
  // Eval depends on the buffers: the initial ones give different logits.
  const initial = plugin.create(spec, plugin.initialWeights(spec, 2));
  const c = initial.apply(x, false);
  assert((await c.data()).some((v, i) => v !== (a.dataSync()[i])), "buffers change eval logits");
  tf.dispose([a, b, c, x]);
  for (const m of [model, restored, initial]) m.dispose();
  assertEquals(tf.memory().numTensors, before, "tensors leaked");
});

Deno.test("train-mode forward: one running-statistics update per call, none in eval", async () => {
  const plugin = getModel("convnet_bn");
  const spec = { height: 4, width: 4, channels: 1, classes: 2 };
  const model = plugin.create(spec, plugin.initialWeights(spec, 1));
  const x = tf.tensor4d(Array.from({ length: 32 }, (_, i) => i), [2, 4, 4, 1]);
  const rm = async () => (await readModelWeights(model))["bn1.running_mean"];
  const r0 = await rm();
  tf.dispose(model.apply(x, false));
  assertEquals(await rm(), r0);
  tf.dispose(model.apply(x, true));
  const r1 = await rm();
  tf.dispose(model.apply(x, true));
  const r2 = await rm();
  // The same batch twice: m₂ = 0.9·m₁ + 0.1·μ, with m₁ = 0.1·μ, so m₂ = 1.9·m₁.
  for (let c = 0; c < r1.length; c++) {
    assert(Math.abs(r2[c] - 1.9 * r1[c]) <= 1e-5 * (1 + Math.abs(r2[c])), `channel ${c}`);
  }
  assert(r1.some((v) => v !== 0), "moved");
  // bn3 sees one value per channel for one 4×4 image: batch statistics are undefined
  // there (PyTorch refuses it too), and eval mode is still fine.
  const one = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
  assertThrows(() => model.apply(one, true), "more than 1 value per channel");
  tf.dispose(model.apply(one, false));
  tf.dispose([x, one]);
  model.dispose();
});
