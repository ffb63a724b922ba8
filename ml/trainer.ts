// The training loop: per epoch, shuffle → augment → step, then evaluate.
// Knows nothing of HTTP or KV: callers get progress, epochs and checkpoints
// through hooks, and stop it with an AbortSignal.
import * as tf from "./tf.ts";
import { fillBatch, normalizationFor, normalizationTable } from "./augment.ts";
import { prepareTrain } from "./conditions/mod.ts";
import { DivergedError, FirstNonFinite } from "./divergence.ts";
import type { LossFn } from "./losses/plugin.ts";
import { lossFn } from "./losses/registry.ts";
import {
  accumulateConfusion,
  emptyConfusion,
  perClassPrecisionRecallF1,
} from "./metrics/confusion.ts";
import type { PredictionAccumulator, SplitEval } from "./metrics/plugin.ts";
import { metricValues, predictionAccumulators } from "./metrics/registry.ts";
import {
  accumulateReliability,
  emptyReliabilityAcc,
  finishReliability,
} from "./metrics/reliability.ts";
import type { Model } from "./models/plugin.ts";
import { getModel, readModelWeights } from "./models/registry.ts";
import { SgdMomentum } from "./optimizer.ts";
import { Rng, Stream } from "./rng.ts";
import { lrAt } from "./schedule.ts";
import type {
  Checkpoint,
  ConditionRecord,
  Dataset,
  EpochMetrics,
  Progress,
  Split,
  TrainConfig,
} from "./types.ts";

export interface TrainHooks {
  onProgress?: (p: Progress) => void;
  /** Called once, before the first epoch, with what the condition and validation split did. */
  onPrepared?: (record: ConditionRecord) => void | Promise<void>;
  /** Called after each epoch with its metrics and a checkpoint to resume from. */
  onEpoch?: (m: EpochMetrics, checkpoint: Checkpoint) => void | Promise<void>;
  signal?: AbortSignal;
  /** Resume after this checkpoint's epoch instead of starting from scratch. */
  resume?: Checkpoint;
  /** Minimum milliseconds between progress reports. */
  progressIntervalMs?: number;
  /**
   * False for a tuning trial: the test split is never evaluated, so its epochs
   * have no test metrics and nothing about the test set can steer the tuning.
   */
  evalTest?: boolean;
  /**
   * Stop after this epoch (a tuning trial paused at a rung): the schedule is
   * still the whole run's, so resuming from the checkpoint continues the same
   * run bit for bit.
   */
  stopAfter?: number;
}

const EVAL_BATCH = 500;

/**
 * One SGD step; returns the batch's summed loss and correct count, kept on
 * device, and with `flipped` (1 for samples whose label was flipped) the
 * correct count among those (memorisation of the given, wrong labels).
 */
export function trainStep(
  model: Model,
  loss: LossFn,
  opt: SgdMomentum,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  lr: number,
  flipped?: tf.Tensor1D,
): { lossSum: tf.Scalar; correct: tf.Scalar; correctFlipped?: tf.Scalar } {
  let logits: tf.Tensor2D | undefined;
  const { value, grads } = tf.variableGrads(() => {
    logits = tf.keep(model.apply(x, true));
    return loss(logits, y);
  }, [...model.params.values()]);
  opt.step(grads, lr);
  const out = tf.tidy(() => {
    const hit = tf.cast(tf.equal(tf.argMax(logits!, 1), y), "float32");
    return {
      lossSum: tf.mul(value, y.shape[0]) as tf.Scalar,
      correct: tf.sum(hit) as tf.Scalar,
      ...(flipped ? { correctFlipped: tf.sum(tf.mul(hit, flipped)) as tf.Scalar } : {}),
    };
  });
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
  if (data.train.count === 0 || data.test.count === 0) {
    throw new Error("data set has an empty split");
  }
  // Conditions and the validation split depend only on the seed, so a resumed
  // run re-derives exactly the split it trained on.
  const prepared = prepareTrain(
    data.train,
    data.classes,
    config.condition,
    config.valFraction,
    config.seed,
  );
  await hooks.onPrepared?.(prepared.record);
  const trainSplit = prepared.train;
  const testSplit = data.test;
  const valSplit = prepared.val;
  const flippedMask = prepared.flippedMask;
  /** Flipped samples in the split trained on (some may be held out for validation). */
  const flippedCount = flippedMask ? flippedMask.reduce((a, b) => a + b, 0) : 0;

  const resume = hooks.resume;
  const plugin = getModel(config.model);
  const model = plugin.create(spec, resume?.weights ?? plugin.initialWeights(spec, config.seed));
  const opt = new SgdMomentum(model.params, config.momentum, {
    weightDecay: config.weightDecay,
    gradClip: config.gradClip,
  });
  // The schedule is a function of the epoch: the momentum buffers are the only optimizer state.
  if (resume) opt.loadState(resume.momentum);
  const loss = lossFn(config.loss, config.params, {
    classes: spec.classes,
    trainCounts: prepared.record.trainCounts,
  });
  const interval = hooks.progressIntervalMs ?? 250;
  const results: EpochMetrics[] = [];
  const evalOpts = { shape, lut, classes: spec.classes, signal: hooks.signal };

  try {
    const evalTest = hooks.evalTest ?? true;
    const last = Math.min(config.epochs, hooks.stopAfter ?? config.epochs);
    for (let epoch = resume ? resume.epoch : 0; epoch < last; epoch++) {
      const lr = lrAt(config, epoch);
      const t0 = performance.now();
      const tr = await trainEpoch(epoch, lr);
      const t1 = performance.now();
      // The loss stayed finite, but the last steps may have left the weights not so.
      const lastStep = () =>
        new DivergedError(
          { epoch: epoch + 1, batch: Math.ceil(trainSplit.count / config.batchSize) },
          "model outputs",
          "evaluated after the epoch's last batch, whose loss was still finite",
        );
      const predictions = predictionAccumulators(spec.classes);
      const ev = evalTest
        ? await evaluate(model, testSplit, loss, { ...evalOpts, predictions }) ??
          throwIt(lastStep())
        : null;
      const t2 = performance.now();
      const val = valSplit
        ? await evaluate(model, valSplit, loss, evalOpts) ?? throwIt(lastStep())
        : null;
      const t3 = performance.now();
      const m: EpochMetrics = {
        epoch: epoch + 1,
        // Every registered metric, from what this epoch measured (ml/metrics/registry.ts).
        ...metricValues({ train: tr, test: ev, val }),
        ...(ev
          ? { reliability: ev.reliability, perClass: perClassPrecisionRecallF1(ev.confusion) }
          : {}),
        lr,
        // A trial's epoch includes its validation pass (it has no test pass).
        epochSeconds: ((ev ? t2 : t3) - t0) / 1000,
        trainImgPerSec: trainSplit.count / ((t1 - t0) / 1000),
        evalImgPerSec: ev
          ? testSplit.count / ((t2 - t1) / 1000)
          : (valSplit?.count ?? 0) / ((t3 - t2) / 1000),
        ...(ev ? { confusion: ev.confusion } : {}),
      };
      results.push(m);
      const checkpoint: Checkpoint = {
        epoch: epoch + 1,
        weights: await readModelWeights(model),
        momentum: await opt.readState(),
      };
      await hooks.onEpoch?.(m, checkpoint);
    }
    return results;
  } finally {
    model.dispose();
    opt.dispose();
  }

  async function trainEpoch(
    epoch: number,
    lr: number,
  ): Promise<{ loss: number; acc: number; accClean?: number; accNoisy?: number }> {
    const n = trainSplit.count;
    const B = config.batchSize;
    const batches = Math.ceil(n / B);
    const { order, augRng } = epochPlan(config.seed, epoch, n);
    const img = shape.height * shape.width * shape.channels;
    let lossSum = tf.scalar(0);
    let correct = tf.scalar(0);
    let correctFlipped = tf.scalar(0);
    const nonFinite = new FirstNonFinite();
    const diverged = async () =>
      new DivergedError({ epoch: epoch + 1, batch: (await nonFinite.first() ?? batches - 1) + 1 });
    const maskBuf = flippedMask ? new Float32Array(B) : null;
    const start = performance.now();
    let lastReport = start;
    let lastYield = start;
    // One batch buffer for the epoch: a fresh 0.8 MB array per batch cost its page faults each
    // time. The batch's tensors are made over it and disposed before it is refilled.
    const xsAll = new Float32Array(B * img);
    const ysAll = new Int32Array(B);
    try {
      for (let b = 0; b < batches; b++) {
        if (hooks.signal?.aborted) throw abortError();
        const s = b * B;
        const m = Math.min(B, n - s);
        const xs = m === B ? xsAll : xsAll.subarray(0, m * img);
        const ys = m === B ? ysAll : ysAll.subarray(0, m);
        fillBatch(trainSplit, order, s, m, shape, lut, xs, ys, augRng);
        const x = tf.tensor4d(xs, [m, shape.height, shape.width, shape.channels]);
        const y = tf.tensor1d(ys, "int32");
        let mask: tf.Tensor1D | undefined;
        if (maskBuf && flippedMask) {
          for (let i = 0; i < m; i++) maskBuf[i] = flippedMask[order[s + i]];
          mask = tf.tensor1d(maskBuf.subarray(0, m));
        }
        const step = trainStep(model, loss, opt, x, y, lr, mask);
        x.dispose();
        y.dispose();
        mask?.dispose();
        nonFinite.note(step.lossSum, b);
        lossSum = accumulate(lossSum, step.lossSum);
        correct = accumulate(correct, step.correct);
        if (step.correctFlipped) correctFlipped = accumulate(correctFlipped, step.correctFlipped);

        const now = performance.now();
        if (hooks.onProgress && (now - lastReport >= interval || b === batches - 1)) {
          lastReport = now;
          const seen = s + m;
          const running = (await lossSum.data())[0] / seen;
          if (!Number.isFinite(running)) throw await diverged();
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
      const [l, c, cf] = await Promise.all([lossSum.data(), correct.data(), correctFlipped.data()]);
      if (!Number.isFinite(l[0])) throw await diverged();
      if (!flippedMask) return { loss: l[0] / n, acc: c[0] / n };
      const clean = n - flippedCount;
      return {
        loss: l[0] / n,
        acc: c[0] / n,
        accClean: clean > 0 ? (c[0] - cf[0]) / clean : 0,
        accNoisy: flippedCount > 0 ? cf[0] / flippedCount : 0,
      };
    } finally {
      nonFinite.dispose();
      lossSum.dispose();
      correct.dispose();
      correctFlipped.dispose();
    }
  }
}

/**
 * An epoch's sample order and augmentation stream: functions of the seed and
 * the epoch alone, so runs that differ only in their loss (an experiment's
 * cells with one seed) see the same batches in the same order: paired runs.
 */
export function epochPlan(
  seed: number,
  epoch: number,
  n: number,
): { order: Uint32Array; augRng: Rng } {
  return {
    order: new Rng(seed, Stream.shuffle, epoch).permutation(n),
    augRng: new Rng(seed, Stream.augment, epoch),
  };
}

/** sum + x, freeing both inputs. */
function accumulate(sum: tf.Scalar, x: tf.Scalar): tf.Scalar {
  const out = tf.add(sum, x) as tf.Scalar;
  sum.dispose();
  x.dispose();
  return out;
}

function throwIt(e: Error): never {
  throw e;
}

/**
 * A split's loss, confusion matrix and calibration, with the model in eval mode;
 * with `predictions`, also those metrics, each fed every batch's logits. Null
 * when the model's loss or outputs are not finite (it diverged).
 */
export async function evaluate(
  model: Model,
  split: Split,
  loss: LossFn,
  opts: {
    shape: { height: number; width: number; channels: number };
    lut: Float32Array;
    classes: number;
    signal?: AbortSignal;
    predictions?: Map<string, PredictionAccumulator>;
  },
): Promise<SplitEval | null> {
  const { shape, lut, classes, signal } = opts;
  const predictions = opts.predictions ?? new Map<string, PredictionAccumulator>();
  const n = split.count;
  const img = shape.height * shape.width * shape.channels;
  const order = new Uint32Array(n).map((_, i) => i);
  const confusion = emptyConfusion(classes);
  const calib = emptyReliabilityAcc();
  let lossSum = 0;
  for (let s = 0; s < n; s += EVAL_BATCH) {
    if (signal?.aborted) throw abortError();
    const m = Math.min(EVAL_BATCH, n - s);
    const xs = new Float32Array(m * img);
    const ys = new Int32Array(m);
    fillBatch(split, order, s, m, shape, lut, xs, ys);
    const [l, pred, conf, logits] = tf.tidy(() => {
      const x = tf.tensor4d(xs, [m, shape.height, shape.width, shape.channels]);
      const logits = model.apply(x, false);
      return [
        loss(logits, tf.tensor1d(ys, "int32")),
        tf.argMax(logits, 1),
        tf.max(tf.softmax(logits), 1),
        logits,
      ];
    });
    const [lv, pv, cv, zv] = await Promise.all([
      l.data(),
      pred.data(),
      conf.data(),
      predictions.size ? logits.data() : null,
    ]);
    l.dispose();
    pred.dispose();
    conf.dispose();
    logits.dispose();
    if (!Number.isFinite(lv[0]) || cv.some(Number.isNaN)) return null;
    lossSum += lv[0] * m;
    accumulateConfusion(confusion, pv, ys);
    accumulateReliability(calib, cv, Array.from(pv, (p, i) => p === ys[i]));
    if (zv) {
      const batch = { logits: zv as Float32Array, labels: ys, classes };
      for (const acc of predictions.values()) acc.add(batch);
    }
    await yieldToEventLoop();
  }
  const predicted = Object.fromEntries([...predictions].map(([name, a]) => [name, a.finish()]));
  return { loss: lossSum / n, confusion, ...finishReliability(calib), predicted };
}
