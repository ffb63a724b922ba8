// Kernel outputs resident in wasm memory (ml/kernels/resident.ts): readers get
// copies that never change, a stock kernel's view of a resident array (Slice's
// subarray) is copied, a grow re-points live tensors, and training leaves no
// heap blocks behind.
import { assert, assertEquals } from "./util/assert.ts";
import * as tf from "../ml/tf.ts";
import { initBackend } from "../ml/backend.ts";
import { synthetic } from "../ml/data/mod.ts";
import { train } from "../ml/trainer.ts";
import { parseTrainConfig } from "../ml/config.ts";
import type { Checkpoint } from "../ml/types.ts";
import { residentStats } from "../ml/kernels/resident.ts";
import { wasmRuntime } from "../ml/kernels/wasm/runtime.ts";

await initBackend("cpu");
const inWasm = (a: ArrayBufferView) => a.buffer === wasmRuntime().memory.buffer;
const values = (t: tf.Tensor) =>
  (tf.backend() as unknown as { data: { get(id: object): { values: Float32Array } } }).data.get(
    t.dataId,
  ).values;

Deno.test("a kernel's output stays in wasm memory; data() and dataSync() copy it", async () => {
  const x = tf.tensor1d([-1, 2, -3, 4]);
  const y = tf.relu(x);
  assert(inWasm(values(y)), "relu's output is a heap view");
  const sync = y.dataSync();
  const async = await y.data();
  assert(!inWasm(sync) && !inWasm(async));
  tf.dispose([x, y]);
  // The freed block is the next same-size output's: the copies read before keep their values.
  const z = tf.relu(tf.tensor1d([9, 9, 9, 9]));
  assertEquals([...sync], [0, 2, 0, 4]);
  assertEquals([...async as Float32Array], [0, 2, 0, 4]);
  assertEquals([...z.dataSync()], [9, 9, 9, 9]);
  z.dispose();
});

Deno.test("a stock kernel's view of a resident array (Slice) is copied, not shared", () => {
  const x = tf.relu(tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8]));
  const s = tf.slice(x, [2], [4]); // the stock kernel hands out x's values.subarray
  assert(!inWasm(values(s)));
  x.dispose();
  const reuse = tf.relu(tf.tensor1d([0, 0, 0, 0, 0, 0, 0, 0]));
  assertEquals([...s.dataSync()], [3, 4, 5, 6]);
  tf.dispose([s, reuse]);
});

Deno.test("a grow of wasm memory re-points every live resident tensor", () => {
  const rt = wasmRuntime();
  const x = tf.relu(tf.tensor1d([1, -2, 3]));
  const before = rt.memory.buffer;
  // A block past the end of memory makes it grow (and detach every view of the old buffer).
  const big = tf.relu(tf.zeros([(before.byteLength >> 2) + 1]));
  assert(rt.memory.buffer !== before, "memory grew");
  assert(inWasm(values(x)), "x's values point at the new buffer");
  assertEquals([...x.dataSync()], [1, 0, 3]);
  assertEquals(tf.sum(tf.add(x, x)).dataSync()[0], 8);
  tf.dispose([x, big]);
});

for (const model of ["convnet", "mlp"]) {
  Deno.test(`${model}: training and resuming leave no heap blocks behind`, async () => {
    const data = synthetic({ train: 128, test: 64, seed: 3 });
    const config = parseTrainConfig({
      loss: "ce",
      model,
      epochs: 1,
      batchSize: 32,
      lr: 0.02,
      data: "synthetic",
      backend: "cpu",
    });
    const start = residentStats();
    const tensors = tf.memory().numTensors;
    const allocations = wasmRuntime().heap.allocations;
    let cp: Checkpoint | undefined;
    await train(config, data, { onEpoch: (_m, c) => void (cp = c) });
    await train({ ...config, epochs: 2 }, data, { resume: cp });
    assert(wasmRuntime().heap.allocations > allocations, "training kept tensors in wasm memory");
    assertEquals(tf.memory().numTensors, tensors);
    assertEquals(residentStats(), start);
  });
}
