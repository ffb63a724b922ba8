// The SIMD SGD update over resident wasm memory (ml/kernels/sgd_resident.ts) gives
// the bits of both references, the JavaScript fused pass (ml/kernels/sgd_js.ts) and
// the op path, on random arrays (odd lengths, subnormals, both signs, wide
// magnitudes) with every combination of momentum, weight decay and clipping, with
// gradients from JS arrays and resident in wasm memory (read in place); and
// updating in place never changes an array a reader already holds.
import * as tf from "../ml/tf.ts";
import { setupCpu } from "../ml/kernels/testing.ts";
import { sgdFusion, SgdMomentum, type SgdOptions } from "../ml/optimizer.ts";
import { readVariables } from "../ml/models/layers.ts";
import { clipFactor, ResidentSgd } from "../ml/kernels/sgd_resident.ts";
import { wasmRuntime } from "../ml/kernels/wasm/runtime.ts";
import { Rng } from "../ml/rng.ts";
import { assert, assertEquals } from "./util/assert.ts";

const SIZES = [1, 3, 4, 5, 17, 64, 1001];
const values = (t: tf.Tensor) =>
  (tf.backend() as unknown as { data: { get(id: object): { values: Float32Array } } }).data.get(
    t.dataId,
  ).values;
type Path = "simd" | "js" | "ops";

/** A float32 of random sign and mantissa, 2^-140 … 2^6 (subnormals below 2^-126), or 0. */
function wide(rng: Rng): number {
  if (rng.int(50) === 0) return 0;
  return Math.fround((rng.float() * 2 - 1) * 2 ** (rng.int(147) - 140));
}

/**
 * Four steps of `path`; every weight and momentum bit after each step. With `resident`, each
 * gradient is a wasm kernel's output (read in place by the SIMD pass), else a JS array.
 */
async function run(path: Path, momentum: number, opts: SgdOptions, seed: number, resident = false) {
  await setupCpu();
  sgdFusion.enabled = path !== "ops";
  sgdFusion.simd = path === "simd";
  const rng = new Rng(seed, 3);
  const params = new Map<string, tf.Variable>();
  for (const n of SIZES) {
    const w = Float32Array.from({ length: n }, () => n === 1001 ? wide(rng) : rng.float() * 2 - 1);
    params.set(`p${n}`, tf.variable(tf.tensor1d(w), true, `p${n}`));
  }
  const opt = new SgdMomentum(params, momentum, opts);
  const bits: number[][] = [];
  try {
    for (let s = 0; s < 4; s++) {
      const grads: Record<string, tf.Tensor> = {};
      for (const n of SIZES) {
        const g = Float32Array.from({ length: n }, () => s === 3 ? wide(rng) : rng.float() - 0.5);
        // x·1 is exact (subnormals and -0 included): the same values, left in wasm memory
        grads[`p${n}`] = resident ? tf.tidy(() => tf.mul(tf.tensor1d(g), 1)) : tf.tensor1d(g);
        const inWasm = values(grads[`p${n}`]).buffer === wasmRuntime().memory.buffer;
        assertEquals(inWasm, resident);
      }
      opt.step(grads, [0.1, 0.05, 1e-3, 0.3][s]);
      if (path === "simd") {
        for (const t of [...params.values(), ...opt.velocity.values()]) {
          assert(values(t).buffer === wasmRuntime().memory.buffer, "weights not resident");
        }
      }
      tf.dispose(Object.values(grads));
      for (const p of params.values()) bits.push(Array.from(new Uint32Array(p.dataSync().buffer)));
      for (const v of opt.velocity.values()) {
        bits.push(Array.from(new Uint32Array(v.dataSync().buffer)));
      }
    }
    return bits;
  } finally {
    sgdFusion.enabled = true;
    sgdFusion.simd = true;
    opt.dispose();
    tf.dispose([...params.values()]);
  }
}

const CASES: [string, SgdOptions][] = [
  ["no options", {}],
  ["weight decay", { weightDecay: 5e-4 }],
  ["clip that binds", { gradClip: 0.5 }],
  ["clip that never binds", { gradClip: 1e9 }],
  ["clip and weight decay", { gradClip: 0.5, weightDecay: 0.01 }],
];

for (const momentum of [0.9, 0]) {
  for (const [label, opts] of CASES) {
    Deno.test(`SIMD SGD (momentum ${momentum}, ${label}) = the JS pass = the op path, bit for bit`, async () => {
      for (const [seed, resident] of [[1, false], [2, false], [3, true]] as const) {
        const simd = await run("simd", momentum, opts, seed, resident);
        const js = await run("js", momentum, opts, seed, resident);
        const ops = await run("ops", momentum, opts, seed, resident);
        assertEquals(simd, js, `seed ${seed}: simd vs js`);
        assertEquals(simd, ops, `seed ${seed}: simd vs ops`);
        assert(simd.flat().some((b) => b !== 0), "all zeros");
      }
    });
  }
}

Deno.test("SIMD SGD: in place, yet data(), readVariables and readState hand out arrays that stay", async () => {
  await setupCpu();
  const p = tf.variable(tf.ones([5]), true, "p");
  const params = new Map([["p", p]]);
  const opt = new SgdMomentum(params, 0.9);
  const g = tf.fill([5], 2);
  opt.step({ p: g }, 0.5);
  const backend = tf.backend() as unknown as {
    data: { get(id: unknown): { values: Float32Array } };
  };
  // the weights' heap block (its address: a grow re-points the view, never the block)
  const home = backend.data.get(p.dataId).values.byteOffset;
  assert(backend.data.get(p.dataId).values.buffer === wasmRuntime().memory.buffer, "not resident");
  const dataId = p.dataId;
  const read = (await p.data()) as Float32Array;
  const readSync = p.dataSync();
  const weights = await readVariables(params);
  const momentum = (await opt.readState()).p;
  opt.step({ p: g }, 0.5);
  // the second step wrote into the same array under the same tensor: no fresh array, no assign
  assert(p.dataId === dataId && backend.data.get(p.dataId).values.byteOffset === home, "moved");
  for (const a of [read, readSync, weights.p]) assertEquals(Array.from(a), Array(5).fill(0));
  assertEquals(Array.from(momentum), Array(5).fill(2));
  assertEquals(Array.from(p.dataSync()), Array(5).fill(Math.fround(-1.9)));
  // an assign from elsewhere is taken over at the next step
  p.assign(tf.fill([5], 1));
  opt.step({ p: g }, 0.5);
  // v = 0.9·3.8 + 2 = 5.42; w = 1 − 0.5·5.42
  const v = Math.fround(Math.fround(Math.fround(0.9) * Math.fround(3.8)) + 2);
  assertEquals(Array.from(p.dataSync()), Array(5).fill(Math.fround(1 - Math.fround(0.5 * v))));
  tf.dispose([p, g]);
  opt.dispose();
});

Deno.test("clipFactor = the op path's clip_grad_norm_ factor, bit for bit", async () => {
  await setupCpu();
  const rng = new Rng(5, 5);
  for (let t = 0; t < 40; t++) {
    const scale = 2 ** (rng.int(40) - 20);
    const grads = SIZES.map((n) =>
      Float32Array.from(
        { length: n * (1 + rng.int(30)) },
        () => t % 4 === 0 ? wide(rng) : Math.fround((rng.float() - 0.5) * scale),
      )
    );
    const maxNorm = [0.5, 5, 1e9][t % 3] * (1 + rng.float());
    const ops = tf.tidy(() => {
      const total = tf.norm(tf.stack(grads.map((g) => tf.norm(tf.tensor1d(g)))));
      return tf.minimum(tf.div(maxNorm, tf.add(total, 1e-6)), 1).dataSync()[0];
    });
    assertEquals(clipFactor(grads, maxNorm), ops, `case ${t}`);
  }
});

Deno.test("ResidentSgd: models past half the kernels' 2 GiB memory are left to the JS pass", () => {
  assert(ResidentSgd.fits([1_707_274, 512, 131_072]));
  assert(!ResidentSgd.fits([300_000_000]));
});
