// Test records for the store: a queued run and a full epoch of metrics, so
// each store test states only what it varies.
import type { EpochMetrics, TrainConfig } from "../../ml/types.ts";
import { newId } from "../../service/ids.ts";
import type { Run } from "../../service/types.ts";

/** A queued "ce" run of `config`; `extra` overrides any field. */
export function queuedRun(config: TrainConfig, extra: Partial<Run> = {}): Run {
  return {
    id: newId(),
    status: "queued",
    config,
    label: "ce",
    cellKey: "ce",
    createdAt: new Date().toISOString(),
    epochsDone: 0,
    ...extra,
  };
}

/** Every metric of one epoch, derived from `testAcc`. */
export function epochMetrics(epoch: number, testAcc = 0.1 * epoch): EpochMetrics {
  return {
    epoch,
    trainLoss: 2 - epoch / 10,
    trainAcc: 0.2,
    testLoss: 1.9,
    testAcc,
    f1: testAcc / 2,
    balancedAcc: testAcc,
    worstClassAcc: testAcc / 3,
    ece: 0.05,
    reliability: { count: [1], confidence: [0.5], accuracy: [0.5] },
    perClass: { precision: [0.1], recall: [0.1], f1: [0.1] },
    lr: 0.01,
    epochSeconds: 1,
    trainImgPerSec: 100,
    evalImgPerSec: 200,
    confusion: [[1, 0], [0, 1]],
  };
}

/** What must match between two trainings of one run: every epoch's numbers but the timings. */
export const trainingCurve = (e: EpochMetrics) => ({
  epoch: e.epoch,
  trainLoss: e.trainLoss,
  trainAcc: e.trainAcc,
  testLoss: e.testLoss,
  testAcc: e.testAcc,
  f1: e.f1,
  lr: e.lr,
  confusion: e.confusion,
});
