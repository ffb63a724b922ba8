// Training steps whose every bit is pinned by tests/fixtures/golden_bits.json: the
// ConvNet and the MLP (the published study's models), several losses, real-sized
// batches. The fixture was recorded by tools/make_golden_bits.ts on the code that trained
// the published study (commit 4b72ca7), so a kernel change that moves any bit of the
// study's numbers fails tests/golden_bits.test.ts before `deno task study --check` would.
import * as tf from "../../ml/tf.ts";
import { lossFn } from "../../ml/losses/registry.ts";
import { getModel } from "../../ml/models/registry.ts";
import { SgdMomentum } from "../../ml/optimizer.ts";
import { trainStep } from "../../ml/trainer.ts";

export const GOLDEN_CASES: { model: string; loss: string; params: Record<string, number> }[] = [
  { model: "convnet", loss: "ce", params: {} },
  { model: "convnet", loss: "focal", params: { gamma: 2 } },
  { model: "convnet", loss: "gce", params: { q: 0.7 } },
  { model: "convnet", loss: "balanced_softmax", params: {} },
  { model: "convnet", loss: "sce", params: {} },
  { model: "mlp", loss: "ce", params: {} },
  { model: "mlp", loss: "gce", params: { q: 0.7 } },
];

const hex = (b: ArrayBuffer) =>
  Array.from(new Uint8Array(b), (v) => v.toString(16).padStart(2, "0")).join("");

/** SHA-256 of the weights (in name order) and of logits on a second batch, after 3 steps. */
/** The loss sums of three training steps on one batch (trainStep's arguments). */
export async function stepLosses(...args: Parameters<typeof trainStep>): Promise<number[]> {
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = trainStep(...args);
    losses.push((await s.lossSum.data())[0]);
    tf.dispose([s.lossSum, s.correct]);
  }
  return losses;
}

export async function goldenDigest(
  c: (typeof GOLDEN_CASES)[number],
): Promise<{ weights: string; evalLogits: string; losses: number[] }> {
  const spec = { height: 32, width: 32, channels: 3, classes: 10 };
  const plugin = getModel(c.model);
  const model = plugin.create(spec, plugin.initialWeights(spec, 7));
  const opt = new SgdMomentum(model.params, 0.9);
  const counts = [900, 800, 700, 600, 500, 400, 300, 200, 100, 50];
  const loss = lossFn(c.loss, c.params, { classes: 10, trainCounts: counts });
  const x = tf.randomNormal([64, 32, 32, 3], 0, 1, "float32", 1) as tf.Tensor4D;
  const y = tf.tensor1d(Array.from({ length: 64 }, (_, i) => (i * 7) % 10), "int32");
  const losses = await stepLosses(model, loss, opt, x, y, 0.05);
  const names = [...model.params.keys()].sort();
  const parts: Float32Array[] = [];
  for (const n of names) parts.push(await model.params.get(n)!.data() as Float32Array);
  const all = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((o, p) => (all.set(p, o), o + p.length), 0);
  const ex = tf.randomNormal([100, 32, 32, 3], 0, 1, "float32", 2) as tf.Tensor4D;
  const logits = model.apply(ex, false);
  const lv = await logits.data() as Float32Array;
  const out = {
    weights: hex(await crypto.subtle.digest("SHA-256", all)),
    evalLogits: hex(await crypto.subtle.digest("SHA-256", lv.slice())),
    losses,
  };
  tf.dispose([x, y, ex, logits]);
  model.dispose();
  opt.dispose();
  return out;
}
