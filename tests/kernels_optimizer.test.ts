// The fused cpu SGD-momentum update gives the same bits as the op-by-op update
// (the path the PyTorch parity fixtures check), and leaves arrays read before
// a step unchanged.
import * as tf from "../ml/tf.ts";
import { setupCpu } from "../ml/kernels/testing.ts";
import { sgdFusion, SgdMomentum } from "../ml/optimizer.ts";
import { assert, assertEquals } from "./util/assert.ts";

const shapes: Record<string, number[]> = { w: [3, 3, 2, 5], b: [5], fc: [37, 11] };

/** Five steps of random gradients through an lr drop; returns weights and momenta. */
async function run(fused: boolean, momentum: number) {
  await setupCpu();
  sgdFusion.enabled = fused;
  try {
    const params = new Map<string, tf.Variable>();
    for (const [name, shape] of Object.entries(shapes)) {
      params.set(name, tf.variable(tf.randomNormal(shape, 0, 1, "float32", 3), true, name));
    }
    const opt = new SgdMomentum(params, momentum);
    for (let s = 0; s < 5; s++) {
      const grads: Record<string, tf.Tensor> = {};
      for (const [name, shape] of Object.entries(shapes)) {
        grads[name] = tf.randomNormal(shape, 0, 0.3 * (s + 1), "float32", 10 + s);
      }
      opt.step(grads, s < 3 ? 0.1 : 0.01);
      tf.dispose(Object.values(grads));
    }
    const out: Record<string, number[]> = {};
    for (const [name, p] of params) out[name] = Array.from(p.dataSync());
    const state = await opt.readState();
    for (const [name, v] of Object.entries(state)) out[`v.${name}`] = Array.from(v);
    opt.dispose();
    for (const p of params.values()) p.dispose();
    return out;
  } finally {
    sgdFusion.enabled = true;
  }
}

for (const momentum of [0.9, 0]) {
  Deno.test(`fused SGD (momentum ${momentum}) matches the op path bit for bit`, async () => {
    const fused = await run(true, momentum);
    const ops = await run(false, momentum);
    assertEquals(Object.keys(fused).sort(), Object.keys(ops).sort());
    for (const k of Object.keys(ops)) {
      assertEquals(fused[k], ops[k], k);
      assert(fused[k].some((x) => x !== 0), `${k} is all zeros`);
    }
  });
}

Deno.test("fused SGD: arrays read before a step keep their values", async () => {
  await setupCpu();
  const p = tf.variable(tf.ones([4]), true, "p");
  const opt = new SgdMomentum(new Map([["p", p]]), 0.9);
  const before = (await p.data()) as Float32Array;
  const g = tf.fill([4], 2);
  opt.step({ p: g }, 0.5);
  const vBefore = (await opt.readState()).p;
  opt.step({ p: g }, 0.5);
  assertEquals(Array.from(before), [1, 1, 1, 1]);
  assertEquals(Array.from(vBefore), [2, 2, 2, 2]);
  // v = 0.9·2 + 2 = 3.8; w = (1 − 0.5·2) − 0.5·3.8 = −1.9
  assertEquals(Array.from(p.dataSync()), Array(4).fill(Math.fround(-1.9)));
  tf.dispose([p, g]);
  opt.dispose();
});
