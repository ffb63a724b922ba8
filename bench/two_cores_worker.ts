// Worker for bench/two_cores.ts: bare training steps of the ConvNet on the
// project's cpu kernels at a given batch size; reports img/s.
import * as tf from "../ml/tf.ts";
import { initBackend } from "../ml/backend.ts";
import { reportLossFn as lossFn } from "../ml/losses/report.ts";
import { createModel, initialWeights } from "../ml/models/convnet.ts";
import { SgdMomentum } from "../ml/optimizer.ts";
import { Rng } from "../ml/rng.ts";
import { trainStep } from "../ml/trainer.ts";

declare const self: {
  postMessage(m: unknown): void;
  onmessage:
    | ((e: MessageEvent<{ batch: number; steps: number; start: Int32Array }>) => void)
    | null;
};

await initBackend("cpu");
const spec = { height: 32, width: 32, channels: 3, classes: 10 };
const model = createModel(spec, initialWeights(spec, 1));
const opt = new SgdMomentum(model.params, 0.9);
const loss = lossFn("ce");
self.postMessage({ ready: true });

self.onmessage = (e) => {
  const { batch, steps, start } = e.data;
  const rng = new Rng(2);
  const x = tf.tensor4d(Float32Array.from({ length: batch * 3072 }, () => rng.float() * 2 - 1), [
    batch,
    32,
    32,
    3,
  ]);
  const y = tf.tensor1d(Int32Array.from({ length: batch }, () => rng.int(10)), "int32");
  for (let i = 0; i < 3; i++) tf.dispose(Object.values(trainStep(model, loss, opt, x, y, 0.01)));
  // Start together: wait on the shared flag the main thread raises.
  Atomics.wait(start, 0, 0);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    tf.dispose(Object.values(trainStep(model, loss, opt, x, y, 0.01)));
  }
  const ms = performance.now() - t0;
  tf.dispose([x, y]);
  self.postMessage({ imgPerSec: (batch * steps) / (ms / 1000) });
};
