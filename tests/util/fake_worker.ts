// A stand-in for ml/worker.ts that speaks the same protocol without tfjs, for
// testing the pool and scheduler against misbehaving workers. What it does
// depends on the run's seed:
//   1    train normally: `epochs` fake epochs, then done
//   666  throw an uncaught error (the worker dies)
//   777  ignore cancel (keeps reporting progress)
//   888  report a clean failure
// It refuses data that isn't in SharedArrayBuffers.
import type { FromWorker, ToWorker } from "../../ml/protocol.ts";

declare const self: {
  postMessage(m: FromWorker): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};
const post = (m: FromWorker) => self.postMessage(m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let cancelled = "";

post({ v: 1, type: "ready", backend: "cpu", adapter: "fake" });

self.onmessage = async (e) => {
  const msg = e.data;
  if (msg.type === "cancel") {
    cancelled = msg.runId;
    return;
  }
  if (msg.type === "threads") return;
  const { runId, config, data, resume } = msg;
  if (!(data.train.images.buffer instanceof SharedArrayBuffer)) {
    post({ v: 1, type: "failed", runId, error: "data set not shared" });
    return;
  }
  post({ v: 1, type: "started", runId, fromEpoch: resume?.epoch ?? 0 });
  if (config.seed === 666) {
    setTimeout(() => {
      throw new Error("boom in worker");
    }, 10);
    return;
  }
  if (config.seed === 888) {
    post({ v: 1, type: "failed", runId, error: "bad things" });
    return;
  }
  const progress = { epoch: 1, batch: 1, batches: 2, loss: 1, imgPerSec: 1, etaSeconds: 1 };
  for (let epoch = (resume?.epoch ?? 0) + 1; epoch <= config.epochs; epoch++) {
    await sleep(20);
    if (cancelled === runId && config.seed !== 777) {
      post({ v: 1, type: "cancelled", runId });
      return;
    }
    post({ v: 1, type: "progress", runId, progress: { ...progress, epoch } });
    const metrics = {
      epoch,
      trainLoss: 1 / epoch,
      trainAcc: 0.1 * epoch,
      testLoss: 1 / epoch,
      testAcc: 0.1 * epoch,
      f1: 0.05 * epoch,
      balancedAcc: 0.1 * epoch,
      worstClassAcc: 0.05 * epoch,
      ece: 0.01,
      reliability: { count: [1], confidence: [0.5], accuracy: [0.5] },
      perClass: { precision: [0.1], recall: [0.1], f1: [0.1] },
      lr: config.lr,
      epochSeconds: 0.02,
      trainImgPerSec: 1,
      evalImgPerSec: 1,
      confusion: [[epoch]],
    };
    const w = new Float32Array([epoch]);
    post({
      v: 1,
      type: "epoch",
      runId,
      metrics,
      checkpoint: { epoch, weights: { w }, momentum: { w } },
    });
    if (config.seed === 777) epoch--; // never finishes
  }
  post({ v: 1, type: "done", runId });
};
