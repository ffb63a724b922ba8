// Intra-op threads (ml/kernels/wasm/threads.ts): a conv's forward, filter gradient and input
// gradient, and a GEMM, split over 2 and 3 threads give the one-thread bits exactly, on the report's shapes,
// wide ones, strides and paddings, and batches that don't divide evenly; and the golden bits
// (the published study's) hold with the kernels on 2 threads.
import * as tf from "../ml/tf.ts";
import { rng, setupCpu } from "../ml/kernels/testing.ts";
import { HELPER_ORPHAN_MS, kernelThreads } from "../ml/kernels/wasm/threads.ts";
import { GOLDEN_CASES, goldenDigest } from "./util/golden_steps.ts";
import { assert, assertEquals } from "./util/assert.ts";
import type { Pad } from "./util/stock.ts";

await setupCpu();
// Every kernel here splits, however small: the bits are what is tested.
kernelThreads().minSliceMacs = 0;

interface Case {
  N: number;
  H: number;
  W: number;
  Cin: number;
  Cout: number;
  K: number;
  stride: number;
  pad: Pad;
}

/** Forward, filter gradient and input gradient of `c`, as raw bits. */
function convBits(c: Case, seed: number): Uint32Array[] {
  const r = rng(seed);
  const rand = (n: number) => Float32Array.from({ length: n }, () => r(2001) / 1000 - 1);
  const out: Uint32Array[] = [];
  tf.tidy(() => {
    const x = tf.tensor4d(rand(c.N * c.H * c.W * c.Cin), [c.N, c.H, c.W, c.Cin]);
    const w = tf.tensor4d(rand(c.K * c.K * c.Cin * c.Cout), [c.K, c.K, c.Cin, c.Cout]);
    const f = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, c.stride, c.pad as "same");
    const y = f(x, w);
    const dy = tf.tensor(rand(y.size), y.shape);
    const [dx, dw] = tf.grads((a, b) => tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), dy))(
      [x, w],
    );
    for (const t of [y, dw, dx]) out.push(new Uint32Array(t.dataSync().buffer));
  });
  return out;
}

async function withThreads<T>(n: number, f: () => T | Promise<T>): Promise<T> {
  const threads = kernelThreads();
  threads.set(n);
  await threads.ready();
  assertEquals(threads.size, n, "threads ready");
  try {
    return await f();
  } finally {
    threads.set(1);
  }
}

const CASES: Case[] = [
  // The report's ConvNet (conv1 takes no input gradient in training, but does here).
  { N: 64, H: 32, W: 32, Cin: 3, Cout: 4, K: 3, stride: 1, pad: "valid" },
  { N: 64, H: 15, W: 15, Cin: 4, Cout: 8, K: 3, stride: 1, pad: "valid" },
  // convnet_bn's wide convs, an odd batch.
  { N: 5, H: 16, W: 16, Cin: 16, Cout: 32, K: 3, stride: 1, pad: "same" },
  { N: 7, H: 12, W: 12, Cin: 3, Cout: 16, K: 3, stride: 1, pad: "same" },
  // Strides, and K·Cin not a multiple of 4 (the input gradient stays on one thread).
  { N: 9, H: 11, W: 13, Cin: 3, Cout: 5, K: 3, stride: 2, pad: "same" },
  { N: 3, H: 9, W: 9, Cin: 2, Cout: 12, K: 2, stride: 1, pad: "valid" },
];

Deno.test("threaded conv kernels give the one-thread bits on 2 and 3 threads", async () => {
  const r = rng(5);
  for (const [i, c] of CASES.entries()) {
    const seed = 100 + r(1000);
    const one = convBits(c, seed);
    for (const n of [2, 3]) {
      const many = await withThreads(n, () => convBits(c, seed));
      ["forward", "filter gradient", "input gradient"].forEach((what, k) => {
        assertEquals(many[k].length, one[k].length);
        const diff = many[k].findIndex((v, j) => v !== one[k][j]);
        assertEquals(diff, -1, `case ${i} on ${n} threads: ${what} differs at ${diff}`);
      });
    }
  }
});

/** a·b (with transposes) and its two gradients, as raw bits. */
function matmulBits(M: number, K: number, N: number, tA: boolean, tB: boolean, seed: number) {
  const r = rng(seed);
  const rand = (n: number) => Float32Array.from({ length: n }, () => r(2001) / 1000 - 1);
  const out: Uint32Array[] = [];
  tf.tidy(() => {
    const a = tf.tensor2d(rand(M * K), tA ? [K, M] : [M, K]);
    const b = tf.tensor2d(rand(K * N), tB ? [N, K] : [K, N]);
    const dy = tf.tensor2d(rand(M * N), [M, N]);
    const f = (p: tf.Tensor, q: tf.Tensor) => tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D, tA, tB);
    const [da, db] = tf.grads((p, q) => tf.mul(f(p, q), dy))([a, b]);
    for (const t of [f(a, b), da, db]) out.push(new Uint32Array(t.dataSync().buffer));
  });
  return out;
}

Deno.test("threaded GEMM gives the one-thread bits: over column panels and over row strips", async () => {
  // The MLP's first layer at a small batch, a tall product (row strips), transposes, odd sizes.
  const cases: [number, number, number, boolean, boolean][] = [
    [16, 3072, 64, false, false],
    [300, 7, 9, false, false],
    [37, 61, 101, true, false],
    [45, 33, 29, false, true],
  ];
  for (const [i, [M, K, N, tA, tB]] of cases.entries()) {
    const one = matmulBits(M, K, N, tA, tB, 7 + i);
    for (const n of [2, 3]) {
      const many = await withThreads(n, () => matmulBits(M, K, N, tA, tB, 7 + i));
      ["product", "a's gradient", "b's gradient"].forEach((what, k) => {
        const diff = many[k].findIndex((v, j) => v !== one[k][j]);
        assertEquals(diff, -1, `GEMM case ${i} on ${n} threads: ${what} differs at ${diff}`);
      });
    }
  }
});

Deno.test("the helpers answer their slices: one per kernel and helper", async () => {
  // Kernels that ran alone would pass the bit test too: count the slices the helpers answered.
  const threads = kernelThreads();
  const before = threads.helperSlices;
  // The forward runs twice (y, then again under tf.grads), then both gradients. ConvNet's conv1:
  // K·Cin = 9 keeps its input gradient on one thread, so 3 kernels split in 2.
  await withThreads(2, () => convBits(CASES[0], 1));
  assertEquals(threads.helperSlices - before, 3);
  // conv2: all 4 split in 3.
  await withThreads(3, () => convBits(CASES[1], 1));
  assertEquals(threads.helperSlices - before, 3 + 8);
  assertEquals(threads.size, 1, "back to one thread");
  convBits(CASES[1], 1);
  assertEquals(threads.helperSlices - before, 11, "one thread: no helper slices");
});

for (const c of GOLDEN_CASES) {
  Deno.test(`golden bits on 2 kernel threads: ${c.model} with ${c.loss}`, async () => {
    const fixture = JSON.parse(
      await Deno.readTextFile(new URL("./fixtures/golden_bits.json", import.meta.url)),
    ) as { results: ({ weights: string; losses: number[] } & typeof c)[] };
    const want = fixture.results.find((r) => r.model === c.model && r.loss === c.loss)!;
    const got = await withThreads(2, () => goldenDigest(c));
    assertEquals(got.losses, want.losses);
    assertEquals(got.weights, want.weights);
  });
}

Deno.test("small kernels stay on one thread: a slice must be worth its hand-off", async () => {
  const threads = kernelThreads();
  const before = threads.helperSlices;
  threads.minSliceMacs = 2e6;
  try {
    // ConvNet's conv1 (6.2 M multiply-adds forward) splits; a 16×64×32 product (32 K) doesn't.
    await withThreads(2, () => matmulBits(16, 64, 32, false, false, 1));
    assertEquals(threads.helperSlices - before, 0);
    await withThreads(2, () => convBits(CASES[0], 1));
    assert(threads.helperSlices - before >= 2, "conv1's forward split");
  } finally {
    threads.minSliceMacs = 0;
  }
});

Deno.test({
  name: "a terminated worker's kernel thread leaves once its heartbeat stops",
  // Threads are counted in /proc.
  ignore: Deno.build.os !== "linux",
  async fn() {
    const named = (tid: string) => {
      try {
        return Deno.readTextFileSync(`/proc/${Deno.pid}/task/${tid}/comm`).startsWith("worker-");
      } catch {
        return false; // it ended between the listing and the read
      }
    };
    const count = () =>
      [...Deno.readDirSync(`/proc/${Deno.pid}/task`)].filter((t) => named(t.name)).length;
    const before = count();
    const w = new Worker(new URL("./util/threads_worker.ts", import.meta.url), { type: "module" });
    await new Promise((r) => (w.onmessage = r));
    assertEquals(count(), before + 2, "the worker and its helper");
    w.terminate(); // as the pool replaces a crashed worker: its helper is not told
    const end = Date.now() + HELPER_ORPHAN_MS + 10_000;
    while (count() > before && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    assertEquals(count(), before, "the helper left");
  },
});

Deno.test({
  name: "kernel threads end when closed",
  sanitizeResources: true,
  sanitizeOps: true,
  fn() {
    kernelThreads().close();
    assertEquals(kernelThreads().size, 1);
  },
});
