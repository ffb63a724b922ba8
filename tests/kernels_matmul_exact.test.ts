// The packed GEMM behind BatchMatMul keeps the numeric contract the published study was trained
// with: each output is a sequential float32 sum over k in order, from 0, of rounded products (no
// fused multiply-add). Checked bit for bit against that sum written out in JS, and against the
// kernel it replaced (bench/gemm_legacy.ts), on every GEMM of an mlp step and on the tile edges.
import * as tf from "../ml/tf.ts";
import type { TensorInfo } from "@tensorflow/tfjs-core";
import { legacyBatchMatMul } from "../bench/gemm_legacy.ts";
import { mlpGemmShapes } from "../bench/gemm_shapes.ts";
import type { KernelFunc } from "@tensorflow/tfjs-core";
import { batchMatMul } from "../ml/kernels/BatchMatMul.ts";
import { setupCpu } from "../ml/kernels/testing.ts";
import type { Backend } from "../ml/kernels/util.ts";
import { reportLossFn } from "../ml/losses/report.ts";
import { mlp } from "../ml/models/mlp.ts";
import { SgdMomentum } from "../ml/optimizer.ts";
import { trainStep } from "../ml/trainer.ts";
import { assert, assertEquals } from "./util/assert.ts";

await setupCpu();

const fr = Math.fround;

/** a [M, K] (or [K, M] with tA) · b [K, N] (or [N, K] with tB), the contract's sum; `reversed` sums k backwards. */
function reference(
  a: Float32Array,
  b: Float32Array,
  M: number,
  K: number,
  N: number,
  tA: boolean,
  tB: boolean,
  reversed = false,
): Float32Array {
  const out = new Float32Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let q = 0; q < K; q++) {
        const k = reversed ? K - 1 - q : q;
        const x = tA ? a[k * M + i] : a[i * K + k];
        const y = tB ? b[j * K + k] : b[k * N + j];
        acc = fr(acc + fr(x * y));
      }
      out[i * N + j] = acc;
    }
  }
  return out;
}

/** Indices where two arrays differ as bits (so -0 ≠ 0, and NaNs compare by payload). */
function bitDiffs(x: Float32Array, y: Float32Array): number {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const v = new Uint32Array(y.buffer, y.byteOffset, y.length);
  let n = 0;
  for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) n++;
  return n;
}

function run(
  kernel: typeof legacyBatchMatMul,
  a: tf.Tensor,
  b: tf.Tensor,
  tA: boolean,
  tB: boolean,
): { shape: number[]; values: Float32Array } {
  const backend = tf.backend() as Backend;
  const info = kernel({
    inputs: { a, b } as unknown as { a: TensorInfo; b: TensorInfo },
    backend,
    attrs: { transposeA: tA, transposeB: tB },
  });
  const t = tf.engine().makeTensorFromTensorInfo(info);
  const values = t.dataSync() as Float32Array;
  const shape = t.shape;
  t.dispose();
  return { shape, values };
}

const ours = (a: tf.Tensor, b: tf.Tensor, tA: boolean, tB: boolean) => {
  const c = tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, tA, tB);
  const values = c.dataSync() as Float32Array;
  const shape = c.shape;
  c.dispose();
  return { shape, values };
};

Deno.test("BatchMatMul is bit for bit the sequential sum and the previous kernel on an mlp step's GEMMs", () => {
  for (const [n, s] of mlpGemmShapes(64).entries()) {
    tf.tidy(() => {
      const a = tf.randomNormal(s.tA ? [s.K, s.M] : [s.M, s.K], 0, 1, "float32", 10 + n);
      const b = tf.randomNormal(s.tB ? [s.N, s.K] : [s.K, s.N], 0, 0.05, "float32", 20 + n);
      const got = ours(a, b, s.tA, s.tB);
      assertEquals(got.shape, [s.M, s.N]);
      const av = a.dataSync() as Float32Array;
      const bv = b.dataSync() as Float32Array;
      const want = reference(av, bv, s.M, s.K, s.N, s.tA, s.tB);
      assertEquals(bitDiffs(got.values, want), 0, `${s.name}: differs from the sequential sum`);
      const before = run(legacyBatchMatMul, a, b, s.tA, s.tB).values;
      assertEquals(bitDiffs(got.values, before), 0, `${s.name}: differs from the previous kernel`);
      // The check can tell orders apart: summing k backwards changes some bits (K > 1).
      if (s.K > 16) {
        const back = reference(av, bv, s.M, s.K, s.N, s.tA, s.tB, true);
        assert(bitDiffs(back, want) > 0, `${s.name}: order makes no difference here`);
      }
    });
  }
});

Deno.test("BatchMatMul is the sequential sum on tile edges, transposes and batches", () => {
  // [M, K, N, tA, tB, batchA, batchB]: M off the 4-row strips, N off the 8-column panels, K off
  // packB's 16-row blocks and packA's 4 × 4 transposes.
  const cases: [number, number, number, boolean, boolean, number, number][] = [
    [1, 1, 1, false, false, 1, 1],
    [3, 5, 7, false, false, 1, 1],
    [5, 600, 13, false, false, 1, 1],
    [130, 300, 9, false, false, 1, 1],
    [129, 257, 33, true, false, 1, 1],
    [7, 70, 17, false, true, 1, 1],
    [9, 3, 70, true, true, 1, 1],
    [66, 513, 19, true, true, 1, 1],
    [6, 40, 12, false, false, 3, 3],
    [5, 33, 11, true, false, 2, 1],
    [6, 17, 9, false, true, 1, 3],
  ];
  for (const [n, [M, K, N, tA, tB, bA, bB]] of cases.entries()) {
    tf.tidy(() => {
      const sa = tA ? [K, M] : [M, K];
      const sb = tB ? [N, K] : [K, N];
      const a = tf.randomNormal(bA > 1 ? [bA, ...sa] : sa, 0, 1, "float32", 40 + n);
      const b = tf.randomNormal(bB > 1 ? [bB, ...sb] : sb, 0, 1, "float32", 50 + n);
      const got = ours(a, b, tA, tB);
      const batch = Math.max(bA, bB);
      assertEquals(got.shape, [...(batch > 1 ? [batch] : []), M, N]);
      const av = a.dataSync() as Float32Array;
      const bv = b.dataSync() as Float32Array;
      for (let i = 0; i < batch; i++) {
        const ai = av.subarray((bA > 1 ? i : 0) * M * K, ((bA > 1 ? i : 0) + 1) * M * K);
        const bi = bv.subarray((bB > 1 ? i : 0) * K * N, ((bB > 1 ? i : 0) + 1) * K * N);
        const want = reference(ai, bi, M, K, N, tA, tB);
        const slice = got.values.subarray(i * M * N, (i + 1) * M * N);
        assertEquals(bitDiffs(slice, want), 0, JSON.stringify({ M, K, N, tA, tB, bA, bB, i }));
      }
    });
  }
});

Deno.test("BatchMatMul keeps a zero sum's sign and non-finite values as the sum does", () => {
  // 0 + (−0) is +0 (the sum starts from 0), and an Infinity or NaN in a row reaches its outputs only.
  const a = tf.tensor2d([[-0, 1, 2], [Infinity, 1, 0], [NaN, 0, 0], [1, -1, 0]]);
  const b = tf.tensor2d([[1, 2], [-0, 3], [0, -0]]);
  const got = ours(a, b, false, false);
  const want = reference(
    a.dataSync() as Float32Array,
    b.dataSync() as Float32Array,
    4,
    3,
    2,
    false,
    false,
  );
  assertEquals(bitDiffs(got.values, want), 0);
  assert(Object.is(got.values[0], 0), "−0 · 1 + … starts from +0");
  tf.dispose([a, b]);
});

function useBatchMatMul(kernel: typeof batchMatMul): void {
  tf.unregisterKernel("BatchMatMul", "cpu");
  tf.registerKernel({
    kernelName: "BatchMatMul",
    backendName: "cpu",
    kernelFunc: kernel as unknown as KernelFunc,
  });
}

async function trainMlp(kernel: typeof batchMatMul): Promise<Float32Array[]> {
  useBatchMatMul(kernel);
  const spec = { height: 32, width: 32, channels: 3, classes: 10 };
  const model = mlp.create(spec, mlp.initialWeights(spec, 4));
  const opt = new SgdMomentum(model.params, 0.9);
  const loss = reportLossFn("ce");
  const x = tf.randomNormal([64, 32, 32, 3], 0, 1, "float32", 5) as tf.Tensor4D;
  const y = tf.tensor1d(Array.from({ length: 64 }, (_, i) => (i * 3) % 10), "int32");
  for (let i = 0; i < 3; i++) {
    const s = trainStep(model, loss, opt, x, y, 0.05);
    tf.dispose([s.lossSum, s.correct]);
  }
  const w = await Promise.all([...model.params.values()].map(async (p) => await p.data()));
  model.dispose();
  opt.dispose();
  tf.dispose([x, y]);
  return w as Float32Array[];
}

Deno.test("mlp training steps give the previous kernel's weights bit for bit", async () => {
  try {
    const before = await trainMlp(legacyBatchMatMul);
    const now = await trainMlp(batchMatMul);
    assertEquals(now.length, 6);
    for (const [i, w] of now.entries()) assertEquals(bitDiffs(w, before[i]), 0, `param ${i}`);
  } finally {
    useBatchMatMul(batchMatMul);
  }
});
