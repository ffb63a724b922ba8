// The training loop on synthetic data: it learns, it is reproducible by seed,
// resuming from a checkpoint reproduces the uninterrupted curve, and a cancel
// stops it between batches.
import { assert, assertEquals, assertRejects } from "./util/assert.ts";
import { initBackend } from "../ml/backend.ts";
import { synthetic } from "../ml/data/mod.ts";
import { train } from "../ml/trainer.ts";
import { DivergedError } from "../ml/divergence.ts";
import type { Checkpoint, EpochMetrics, TrainConfig } from "../ml/types.ts";
import { parseTrainConfig } from "../ml/config.ts";

await initBackend("cpu");
const data = synthetic({ train: 1024, test: 256, seed: 1, difficulty: "easy" });
const config: TrainConfig = parseTrainConfig({
  loss: "ce",
  epochs: 2,
  batchSize: 32,
  lr: 0.02,
  data: "synthetic",
  backend: "cpu",
});

const strip = ({ epochSeconds: _a, trainImgPerSec: _b, evalImgPerSec: _c, ...m }: EpochMetrics) =>
  m;

Deno.test("a short training on synthetic data clearly beats chance", async () => {
  const epochs = await train(config, data);
  assertEquals(epochs.map((e) => e.epoch), [1, 2]);
  const last = epochs[1];
  assert(last.testAcc! > 0.4, `test accuracy ${last.testAcc} (chance is 0.1)`);
  assert(last.f1! > 0.3, `macro F1 ${last.f1}`);
  assertEquals(last.confusion!.flat().reduce((a, b) => a + b, 0), 256);
  assert(epochs[1].trainLoss < epochs[0].trainLoss, "train loss fell");
});

Deno.test("same seed gives the same curve; resuming from a checkpoint continues it exactly", async () => {
  const cfg = { ...config, loss: "focal", params: { gamma: 0.5 }, epochs: 3, seed: 4 };
  const full = await train(cfg, data);
  const again = await train(cfg, data);
  assertEquals(again.map(strip), full.map(strip));

  let first: Checkpoint | undefined;
  const ac = new AbortController();
  await assertRejects(() =>
    train(cfg, data, {
      signal: ac.signal,
      onEpoch: (_m, cp) => {
        if (cp.epoch === 1) {
          first = cp;
          ac.abort();
        }
      },
    }), "cancelled");
  assert(first, "got a checkpoint after epoch 1");
  const resumed = await train(cfg, data, { resume: first });
  assertEquals(resumed.map((e) => e.epoch), [2, 3]);
  assertEquals(resumed.map(strip), full.slice(1).map(strip));
});

Deno.test("cancelling stops within a batch and reports AbortError", async () => {
  const ac = new AbortController();
  let batches = 0;
  const err = await assertRejects(() =>
    train({ ...config, epochs: 5 }, data, {
      signal: ac.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        batches++;
        if (p.batch === 3) ac.abort();
      },
    })
  );
  assertEquals(err.name, "AbortError");
  assertEquals(batches, 3);
});

Deno.test("a grayscale 28×28 data set trains (flatten size follows the input)", async () => {
  const gray = synthetic({ train: 256, test: 64, size: 28, channels: 1, seed: 2 });
  const epochs = await train({ ...config, epochs: 1 }, gray);
  assertEquals(epochs.length, 1);
  assert(Number.isFinite(epochs[0].testLoss));
});

Deno.test("focal loss with gamma < 1 stays finite on fully confident predictions", async () => {
  const tf = await import("../ml/tf.ts");
  const { reportLossFn: lossFn } = await import("../ml/losses/report.ts");
  const logits = tf.variable(tf.tensor2d([[200, 0, 0], [0, 0, 300], [1, 2, 3]]));
  const y = tf.tensor1d([0, 2, 1], "int32");
  for (const gamma of [0.25, 0.5, 2]) {
    const { value, grads } = tf.variableGrads(() => lossFn("focal", gamma)(logits, y));
    const g = await Object.values(grads)[0].data();
    assert(Number.isFinite((await value.data())[0]), `loss at gamma ${gamma}`);
    assert(g.every(Number.isFinite), `gradient at gamma ${gamma}: ${g}`);
    // The confident rows contribute (almost) nothing; the third row does.
    assert(Math.abs(g[0]) < 1e-6 && Math.abs(g[6]) > 1e-3, `gradient at gamma ${gamma}: ${g}`);
  }
});

Deno.test("training and resuming leave no tensors behind (workers live for many runs)", async () => {
  const tf = await import("../ml/tf.ts");
  const small = synthetic({ train: 128, test: 64, seed: 3 });
  const before = tf.memory().numTensors;
  let cp: Checkpoint | undefined;
  await train({ ...config, epochs: 1 }, small, { onEpoch: (_m, c) => void (cp = c) });
  await train({ ...config, epochs: 2 }, small, { resume: cp });
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("paired seeds: two losses with one seed share initial weights, condition and batches", async () => {
  const { epochPlan } = await import("../ml/trainer.ts");
  const { fillBatch, normalizationFor, normalizationTable } = await import("../ml/augment.ts");
  const base = {
    ...config,
    epochs: 1,
    seed: 9,
    momentum: 0,
    // An update far below float32 resolution: the epoch's checkpoint holds the initial weights.
    lr: 1e-30,
    condition: { labelNoise: { kind: "symmetric" as const, rate: 0.3 } },
  };
  const seen: { record?: unknown; weights?: Record<string, Float32Array> }[] = [];
  const losses: Pick<TrainConfig, "loss" | "params">[] = [
    { loss: "ce", params: {} },
    { loss: "gce", params: { q: 0.7 } },
  ];
  for (const loss of losses) {
    const out: (typeof seen)[number] = {};
    await train({ ...base, ...loss }, data, {
      onPrepared: (r) => void (out.record = r),
      onEpoch: (_m, ck) => void (out.weights = ck.weights),
    });
    seen.push(out);
  }
  assertEquals(seen[0].record, seen[1].record);
  assert(seen[0].weights && seen[1].weights);
  assertEquals(seen[0].weights, seen[1].weights);
  // And the first batch: same images, same augmentation draws.
  const shape = { height: data.height, width: data.width, channels: data.channels };
  const lut = normalizationTable(normalizationFor(data.channels));
  const first = () => {
    const { order, augRng } = epochPlan(base.seed, 0, data.train.count);
    const xs = new Float32Array(32 * 32 * 32 * 3);
    const ys = new Int32Array(32);
    fillBatch(data.train, order, 0, 32, shape, lut, xs, ys, augRng);
    return { xs, ys };
  };
  assertEquals(first(), first());
  const other = epochPlan(base.seed + 1, 0, data.train.count).order;
  assert(other.some((v, i) => v !== epochPlan(base.seed, 0, data.train.count).order[i]));
});

Deno.test("a diverging run stops with where its loss first was not finite", async () => {
  // An mlp at lr 9.999 (valid: lr ≤ 10) overflows within its first epoch.
  const cfg = { ...config, model: "mlp", lr: 9.999, epochs: 3 };
  const small = synthetic({ train: 512, test: 64, seed: 1 });
  // Read every batch: the running loss is finite up to the batch before the one named.
  const seen: number[] = [];
  const e1 = await train(cfg, small, {
    progressIntervalMs: 0,
    onProgress: (p) => {
      assert(Number.isFinite(p.loss), `progress reported a loss of ${p.loss}`);
      seen.push(p.batch);
    },
  }).then(() => null, (e) => e);
  assert(e1 instanceof DivergedError, String(e1));
  assertEquals(e1.at, { epoch: 1, batch: seen.length + 1 });
  assertEquals(seen, Array.from({ length: seen.length }, (_, i) => i + 1));
  assertEquals(
    e1.message,
    `training diverged: non-finite loss at epoch 1, batch ${seen.length + 1}`,
  );
  // No reads on the way: the device-side tracker names the same batch at the epoch's end.
  const e2 = await train(cfg, small).then(() => null, (e) => e);
  assert(e2 instanceof DivergedError, String(e2));
  assertEquals(e2.at, e1.at);
});
