// The training loop: per epoch, shuffle → augment → step, then evaluate.
// Knows nothing of HTTP or KV: callers get progress, epochs and checkpoints
// through hooks, and stop it with an AbortSignal.
import * as tf from "@tensorflow/tfjs";
import { fillBatch, normalizationFor, normalizationTable } from "./augment.ts";
import { type LossFn, lossFn } from "./losses.ts";
import { accumulateConfusion, accuracy, emptyConfusion, macroF1 } from "./metrics.ts";
import { createModel, initialWeights, type Model, readWeights } from "./model.ts";
import { SgdMomentum, stepLr } from "./optimizer.ts";
import { Rng, Stream } from "./rng.ts";
import type { Checkpoint, Dataset, EpochMetrics, Progress, Split, TrainConfig } from "./types.ts";

export interface TrainHooks {
  onProgress?: (p: Progress) => void;
  /** Called after each epoch with its metrics and a checkpoint to resume from. */
  onEpoch?: (m: EpochMetrics, checkpoint: Checkpoint) => void | Promise<void>;
  signal?: AbortSignal;
  /** Resume after this checkpoint's epoch instead of starting from scratch. */
  resume?: Checkpoint;
  /** Minimum milliseconds between progress reports. */
  progressIntervalMs?: number;
}

const EVAL_BATCH = 500;

/** One SGD step; returns the batch's summed loss and correct count, kept on device. */
export function trainStep(
  model: Model,
  loss: LossFn,
  opt: SgdMomentum,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  lr: number,
): { lossSum: tf.Scalar; correct: tf.Scalar } {
  let logits: tf.Tensor2D | undefined;
  const { value, grads } = tf.variableGrads(() => {
    logits = tf.keep(model.apply(x));
    return loss(logits, y);
  });
  opt.step(grads, lr);
  const out = tf.tidy(() => ({
    lossSum: tf.mul(value, y.shape[0]) as tf.Scalar,
    correct: tf.sum(tf.cast(tf.equal(tf.argMax(logits!, 1), y), "float32")) as tf.Scalar,
  }));
  value.dispose();
  logits!.dispose();
  for (const g of Object.values(grads)) g.dispose();
  return out;
}

function abortError(): Error {
  return new DOMException("training cancelled", "AbortError");
}

/** Lets queued messages (e.g. a cancel) through on the cpu backend, where steps never yield. */
const yieldToEventLoop = () => new Promise<void>((r) => setTimeout(r, 0));

export async function train(
  config: TrainConfig,
  data: Dataset,
  hooks: TrainHooks = {},
): Promise<EpochMetrics[]> {
  const spec = {
    height: data.height,
    width: data.width,
    channels: data.channels,
    classes: data.classes.length,
  };
  const shape = { height: data.height, width: data.width, channels: data.channels };
  const lut = normalizationTable(normalizationFor(data.channels));
  const trainSplit = data.train;
  const testSplit = data.test;
  if (trainSplit.count === 0 || testSplit.count === 0) {
    throw new Error("data set has an empty split");
  }

  const resume = hooks.resume;
  const model = createModel(spec, resume?.weights ?? initialWeights(spec, config.seed));
  const opt = new SgdMomentum(model.params, config.momentum);
  if (resume) opt.loadState(resume.momentum);
  const loss = lossFn(config.loss, config.gamma);
  const interval = hooks.progressIntervalMs ?? 250;
  const results: EpochMetrics[] = [];

  try {
    for (let epoch = resume ? resume.epoch : 0; epoch < config.epochs; epoch++) {
      const lr = stepLr(config.lr, config.stepGamma, config.stepSize, epoch);
      const t0 = performance.now();
      const tr = await trainEpoch(epoch, lr);
      const t1 = performance.now();
      const ev = await evaluate(model, testSplit, loss, shape, lut, spec.classes, hooks.signal);
      const t2 = performance.now();
      const m: EpochMetrics = {
        epoch: epoch + 1,
        trainLoss: tr.loss,
        trainAcc: tr.acc,
        testLoss: ev.loss,
        testAcc: accuracy(ev.confusion),
        f1: macroF1(ev.confusion),
        lr,
        epochSeconds: (t2 - t0) / 1000,
        trainImgPerSec: trainSplit.count / ((t1 - t0) / 1000),
        evalImgPerSec: testSplit.count / ((t2 - t1) / 1000),
        confusion: ev.confusion,
      };
      results.push(m);
      const checkpoint: Checkpoint = {
        epoch: epoch + 1,
        weights: await readWeights(model.params),
        momentum: await opt.readState(),
      };
      await hooks.onEpoch?.(m, checkpoint);
    }
    return results;
  } finally {
    model.dispose();
    opt.dispose();
  }

  async function trainEpoch(epoch: number, lr: number): Promise<{ loss: number; acc: number }> {
    const n = trainSplit.count;
    const B = config.batchSize;
    const batches = Math.ceil(n / B);
    const order = new Rng(config.seed, Stream.shuffle, epoch).permutation(n);
    const augRng = new Rng(config.seed, Stream.augment, epoch);
    const img = shape.height * shape.width * shape.channels;
    let lossSum = tf.scalar(0);
    let correct = tf.scalar(0);
    const start = performance.now();
    let lastReport = start;
    let lastYield = start;
    try {
      for (let b = 0; b < batches; b++) {
        if (hooks.signal?.aborted) throw abortError();
        const s = b * B;
        const m = Math.min(B, n - s);
        const xs = new Float32Array(m * img);
        const ys = new Int32Array(m);
        fillBatch(trainSplit, order, s, m, shape, lut, xs, ys, augRng);
        const x = tf.tensor4d(xs, [m, shape.height, shape.width, shape.channels]);
        const y = tf.tensor1d(ys, "int32");
        const step = trainStep(model, loss, opt, x, y, lr);
        x.dispose();
        y.dispose();
        const nl = tf.add(lossSum, step.lossSum) as tf.Scalar;
        const nc = tf.add(correct, step.correct) as tf.Scalar;
        lossSum.dispose();
        correct.dispose();
        step.lossSum.dispose();
        step.correct.dispose();
        lossSum = nl;
        correct = nc;

        const now = performance.now();
        if (hooks.onProgress && (now - lastReport >= interval || b === batches - 1)) {
          lastReport = now;
          const seen = s + m;
          const running = (await lossSum.data())[0] / seen;
          const rate = seen / ((now - start) / 1000);
          hooks.onProgress({
            epoch: epoch + 1,
            batch: b + 1,
            batches,
            loss: running,
            imgPerSec: rate,
            etaSeconds: (n - seen) / rate +
              (config.epochs - epoch - 1) * n / rate,
          });
        }
        if (now - lastYield >= 50) {
          lastYield = now;
          await yieldToEventLoop();
        }
      }
      const [l, c] = await Promise.all([lossSum.data(), correct.data()]);
      return { loss: l[0] / n, acc: c[0] / n };
    } finally {
      lossSum.dispose();
      correct.dispose();
    }
  }
}

/** Test loss (mean over samples) and the confusion matrix. */
export async function evaluate(
  model: Model,
  split: Split,
  loss: LossFn,
  shape: { height: number; width: number; channels: number },
  lut: Float32Array,
  classes: number,
  signal?: AbortSignal,
): Promise<{ loss: number; confusion: number[][] }> {
  const n = split.count;
  const img = shape.height * shape.width * shape.channels;
  const order = new Uint32Array(n).map((_, i) => i);
  const confusion = emptyConfusion(classes);
  let lossSum = 0;
  for (let s = 0; s < n; s += EVAL_BATCH) {
    if (signal?.aborted) throw abortError();
    const m = Math.min(EVAL_BATCH, n - s);
    const xs = new Float32Array(m * img);
    const ys = new Int32Array(m);
    fillBatch(split, order, s, m, shape, lut, xs, ys);
    const [l, pred] = tf.tidy(() => {
      const logits = model.apply(tf.tensor4d(xs, [m, shape.height, shape.width, shape.channels]));
      return [loss(logits, tf.tensor1d(ys, "int32")), tf.argMax(logits, 1)];
    });
    const [lv, pv] = await Promise.all([l.data(), pred.data()]);
    l.dispose();
    pred.dispose();
    lossSum += lv[0] * m;
    accumulateConfusion(confusion, pv, ys);
    await yieldToEventLoop();
  }
  return { loss: lossSum / n, confusion };
}
