// The first STEPS training steps of a CE run on real data, exactly as the
// trainer takes them (epochPlan → fillBatch → trainStep → SgdMomentum, lr 0.01,
// momentum 0.9, batch 64): each step's loss, and the weights after the last,
// in PyTorch's layout, for `tools/parity_probe.py steps` to replay in PyTorch.
//
//   deno run -A --lock=dev.lock tools/parity_steps.ts ARCHIVE DUMP STEPS SEED...
//
// Writes DUMP/steps-s<seed>.json ({losses}) and DUMP/steps-s<seed>.f32.
import * as tf from "../ml/tf.ts";
import { initBackend } from "../ml/backend.ts";
import { fillBatch, normalizationFor, normalizationTable } from "../ml/augment.ts";
import { loadDataset } from "../ml/data/mod.ts";
import { lossFn } from "../ml/losses/registry.ts";
import { getModel, readModelWeights } from "../ml/models/registry.ts";
import { SgdMomentum } from "../ml/optimizer.ts";
import { epochPlan, trainStep } from "../ml/trainer.ts";
import { torchLayout, writeView } from "./parity_dump_plan.ts";

const [archive, out, stepsArg, ...seedArgs] = Deno.args;
if (!archive || !out || !stepsArg || seedArgs.length === 0) {
  console.error("usage: parity_steps.ts ARCHIVE DUMP STEPS SEED...");
  Deno.exit(2);
}
await initBackend("cpu");
const data = await loadDataset(archive, { cacheDir: ".lossbench/cache" });
const shape = { height: data.height, width: data.width, channels: data.channels };
const spec = { ...shape, classes: data.classes.length };
const lut = normalizationTable(normalizationFor(data.channels));
const plugin = getModel("convnet");
const B = 64;
for (const seed of seedArgs.map(Number)) {
  const model = plugin.create(spec, plugin.initialWeights(spec, seed));
  const opt = new SgdMomentum(model.params, 0.9);
  const loss = lossFn("ce", {}, { classes: spec.classes, trainCounts: [] });
  const { order, augRng } = epochPlan(seed, 0, data.train.count);
  const xs = new Float32Array(B * data.height * data.width * data.channels);
  const ys = new Int32Array(B);
  const losses: number[] = [];
  for (let b = 0; b < Number(stepsArg); b++) {
    fillBatch(data.train, order, b * B, B, shape, lut, xs, ys, augRng);
    const x = tf.tensor4d(xs, [B, data.height, data.width, data.channels]);
    const y = tf.tensor1d(ys, "int32");
    const s = trainStep(model, loss, opt, x, y, 0.01);
    losses.push((await s.lossSum.data())[0] / B);
    tf.dispose([x, y, s.lossSum, s.correct]);
  }
  const w = await readModelWeights(model);
  await writeView(`${out}/steps-s${seed}.f32`, torchLayout(plugin.paramShapes(spec), w));
  await Deno.writeTextFile(`${out}/steps-s${seed}.json`, JSON.stringify({ losses }));
  model.dispose();
  opt.dispose();
}
console.log(`wrote ${out}/steps-s*.{json,f32}`);
