// lossbench's side of bench/bench.ts, one model at a time on the cpu backend with the
// project's kernels: the bare training step, the evaluation batch, one epoch with
// augmentation, and one short tuned run through the trainer itself. Each returns
// images per second over n units (the peers are bench/torch_models.py's ops).
import * as tf from "../ml/tf.ts";
import { fillBatch, normalizationFor, normalizationTable } from "../ml/augment.ts";
import { parseTrainConfig } from "../ml/config.ts";
import { synthetic } from "../ml/data/mod.ts";
import { Rng } from "../ml/rng.ts";
import { epochPlan, train, trainStep } from "../ml/trainer.ts";
import type { Split } from "../ml/types.ts";
import { CIFAR_SPEC, stepSetup } from "./step_setup.ts";

const IMG = 32 * 32 * 3;
export const EVAL_B = 500;
/** The epoch's images (uint8, in memory), and the trial's train and test images. */
export const EPOCH_IMAGES = 512;
export const TRIAL = { images: 512, test: 256, epochs: 2 };
/** Images a trial trains on: every epoch over the split left after validation's tenth. */
export const TRIAL_IMAGES = (TRIAL.images - Math.floor(TRIAL.images / 10)) * TRIAL.epochs;

const timed = (f: () => void | Promise<void>, img: number) => async (n: number) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await f();
  return (img * n) / ((performance.now() - t0) / 1000);
};

export function lossbenchModel(name: string, B: number) {
  const { model, sgd, loss, x, y } = stepSetup(name, B);
  const ex = new Float32Array(EVAL_B * IMG).map((_, i) => Math.sin(i));
  const ey = new Int32Array(EVAL_B).map((_, i) => i % 10);
  const step = () => {
    const s = trainStep(model, loss, sgd, x, y, 0.01);
    s.lossSum.dataSync(); // the cpu backend is synchronous; this only keeps it honest
    tf.dispose([s.lossSum, s.correct]);
  };
  // As the trainer's evaluate: a batch of 500 in, loss, argmax and max softmax read back.
  const evalBatch = async () => {
    const outs = tf.tidy(() => {
      const logits = model.apply(tf.tensor4d(ex, [EVAL_B, 32, 32, 3]), false);
      return [
        loss(logits, tf.tensor1d(ey, "int32")),
        tf.argMax(logits, 1),
        tf.max(tf.softmax(logits), 1),
      ];
    });
    await Promise.all(outs.map((t) => t.data()));
    tf.dispose(outs);
  };
  // As the trainer's epoch: one batch buffer, augmented batches, the loss summed on the device.
  const rng = new Rng(1, 99);
  const split: Split = {
    images: Uint8Array.from({ length: EPOCH_IMAGES * IMG }, () => rng.uint32() & 255),
    labels: Uint8Array.from({ length: EPOCH_IMAGES }, () => rng.int(10)),
    count: EPOCH_IMAGES,
  };
  const lut = normalizationTable(normalizationFor(3));
  const xs = new Float32Array(B * IMG);
  const ys = new Int32Array(B);
  let epochs = 0;
  const epoch = async () => {
    const { order, augRng } = epochPlan(1, epochs++, EPOCH_IMAGES);
    let sum = tf.scalar(0);
    for (let s = 0; s < EPOCH_IMAGES; s += B) {
      const m = Math.min(B, EPOCH_IMAGES - s);
      fillBatch(split, order, s, m, CIFAR_SPEC, lut, xs, ys, augRng);
      const xb = tf.tensor4d(xs.subarray(0, m * IMG), [m, 32, 32, 3]);
      const yb = tf.tensor1d(ys.subarray(0, m), "int32");
      const r = trainStep(model, loss, sgd, xb, yb, 0.01);
      const next = tf.add(sum, r.lossSum);
      tf.dispose([xb, yb, sum, r.lossSum, r.correct]);
      sum = next as tf.Scalar;
    }
    await sum.data();
    sum.dispose();
  };
  // A tuned experiment's trial: the trainer from a fresh model, with the tuning options on.
  const data = synthetic({ train: TRIAL.images, test: TRIAL.test, seed: 1 });
  const config = parseTrainConfig({
    model: name,
    loss: "ce",
    epochs: TRIAL.epochs,
    batchSize: B,
    lr: 0.01,
    valFraction: 0.1,
    weightDecay: 5e-4,
    gradClip: 5,
    schedule: "cosine",
    data: "synthetic",
    backend: "cpu",
  });
  const trial = async () => void (await train(config, data));
  return {
    model,
    sgd,
    x,
    y,
    loss,
    step: timed(step, B),
    eval: timed(evalBatch, EVAL_B),
    epoch: timed(epoch, EPOCH_IMAGES),
    trial: timed(trial, TRIAL_IMAGES),
    dispose() {
      model.dispose();
      sgd.dispose();
      tf.dispose([x, y]);
    },
  };
}
