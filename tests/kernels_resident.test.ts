// Kernel outputs resident in wasm memory (ml/kernels/resident.ts): readers get
// copies that never change, a stock kernel's view of a resident array (Slice's
// subarray) is copied, a grow re-points live tensors, the optimizer's weights and
// momentum are heap blocks owned by their variables, and training leaves no heap
// blocks behind.
import { assert, assertEquals } from "./util/assert.ts";
import * as tf from "../ml/tf.ts";
import { initBackend } from "../ml/backend.ts";
import { synthetic } from "../ml/data/mod.ts";
import { train } from "../ml/trainer.ts";
import { parseTrainConfig } from "../ml/config.ts";
import type { Checkpoint } from "../ml/types.ts";
import { residentStats } from "../ml/kernels/resident.ts";
import { wasmRuntime } from "../ml/kernels/wasm/runtime.ts";
import { blockBytes } from "../ml/kernels/wasm/heap.ts";
import { SgdMomentum } from "../ml/optimizer.ts";

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
  // A block past the end of memory makes it grow (and renew the buffer object).
  const big = tf.relu(tf.zeros([(before.byteLength >> 2) + 1]));
  assert(rt.memory.buffer !== before, "memory grew");
  assert(inWasm(values(x)), "x's values point at the new buffer");
  assertEquals([...x.dataSync()], [1, 0, 3]);
  assertEquals(tf.sum(tf.add(x, x)).dataSync()[0], 8);
  tf.dispose([x, big]);
});

Deno.test("the optimizer's weights and momentum are heap blocks, freed with their variables", () => {
  const sizes = [5, 64, 1001];
  const start = residentStats();
  const params = new Map(sizes.map((n) => [`p${n}`, tf.variable(tf.ones([n]), true, `p${n}`)]));
  const opt = new SgdMomentum(params, 0.9);
  const resident = {
    blocks: start.blocks + 2 * sizes.length,
    bytes: start.bytes + sizes.reduce((s, n) => s + 2 * blockBytes(n), 0),
  };
  const step = () => {
    // a kernel's output (read in place) and a JS array (copied in)
    const grads = Object.fromEntries(
      sizes.map((n, i) => [`p${n}`, i ? tf.relu(tf.fill([n], 0.5)) : tf.fill([n], 0.5)]),
    );
    opt.step(grads, 0.1);
    tf.dispose(Object.values(grads));
  };
  step();
  for (const t of [...params.values(), ...opt.velocity.values()]) assert(inWasm(values(t)));
  assertEquals(residentStats(), resident);
  step();
  assertEquals(residentStats(), resident, "a step allocates no block");
  // a resumed momentum replaces the blocks (the old ones freed with their data)
  opt.loadState(Object.fromEntries(sizes.map((n) => [`p${n}`, new Float32Array(n).fill(1)])));
  step();
  assertEquals(residentStats(), resident);
  // three steps from the momentum before each (0, then 0.5, then the loaded 1)
  const f = Math.fround;
  let w = 1;
  for (const before of [0, 0.5, 1]) w = f(w - f(f(0.1) * f(f(f(0.9) * before) + 0.5)));
  assertEquals([...params.get("p5")!.dataSync()], Array(5).fill(w));
  opt.dispose();
  tf.dispose([...params.values()]);
  assertEquals(residentStats(), start);
});

for (const model of ["convnet", "mlp"]) {
  Deno.test(`${model}: training and resuming leave no heap blocks behind`, async () => {
    const data = synthetic({ train: 128, test: 64, seed: 3 });
    const config = parseTrainConfig({
      loss: "ce",
      model,
      ...(model === "mlp" ? { weightDecay: 5e-4, gradClip: 5 } : {}),
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
    let during = start;
    await train(config, data, {
      onEpoch: (_m, c) => {
        cp = c;
        during = residentStats();
      },
    });
    // the weights and momentum (at least) were resident
    const floats = Object.values(cp!.weights).reduce((s, w) => s + w.length, 0);
    assert(during.bytes - start.bytes >= 2 * 4 * floats, "weights not in the heap");
    await train({ ...config, epochs: 2 }, data, { resume: cp });
    assert(wasmRuntime().heap.allocations > allocations, "training kept tensors in wasm memory");
    assertEquals(tf.memory().numTensors, tensors);
    assertEquals(residentStats(), start);
  });
}
