// The project's elementwise, reduction and matmul kernels against the stock
// tfjs cpu kernels, including the broadcast and dtype cases they hand back.
import * as tf from "../ml/tf.ts";
import { compareWithStock, rng, setupCpu } from "../ml/kernels/testing.ts";
import { checkAgainstStock as check } from "./util/stock.ts";
import { assert, assertEquals } from "./util/assert.ts";

await setupCpu();

const randn = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, "float32", seed);

Deno.test("Add/Sub/Multiply match stock for equal, scalar, bias and general broadcasts", () => {
  const pairs: [number[], number[]][] = [
    [[2, 5, 5, 4], [2, 5, 5, 4]],
    [[2, 5, 5, 4], [4]],
    [[4], [2, 5, 5, 4]],
    [[7, 3], [1, 3]],
    [[7, 3], []],
    [[], [7, 3]],
    [[3, 5], [5]],
    [[6, 10], [10]],
    [[3, 1], [1, 4]],
    [[2, 3, 4], [3, 1]],
    [[13], [13]],
  ];
  let s = 0;
  for (const [sa, sb] of pairs) {
    tf.tidy(() => {
      const a = randn(sa, s++);
      const b = randn(sb, s++);
      for (const k of ["Add", "Sub", "Multiply"]) check(k, { a, b }, {}, `${sa} ∘ ${sb}`);
    });
  }
  tf.tidy(() => {
    const ia = tf.tensor1d([1, 2, 3], "int32");
    const ib = tf.tensor1d([4, 5, 6], "int32");
    for (const k of ["Add", "Sub", "Multiply"]) {
      const c = compareWithStock(k, { a: ia, b: ib }, {});
      assertEquals(c.maxAbs, 0, `${k} int32`);
    }
  });
});

Deno.test("Relu and Step match stock, NaN included", () => {
  tf.tidy(() => {
    const x = tf.concat([randn([1001], 1), tf.tensor1d([0, -0, NaN, Infinity, -Infinity])]);
    check("Relu", { x }, {}, "relu");
    for (const alpha of [0, 0.5]) check("Step", { x }, { alpha }, `step ${alpha}`);
    const nanOk = tf.engine().runKernel("Step", { x }, { alpha: 0 }) as tf.Tensor;
    const v = nanOk.dataSync();
    assert(Number.isNaN(v[1003]), "Step keeps NaN");
  });
});

Deno.test("Sum matches stock for leading, trailing and other axes", () => {
  const cases: [number[], number | number[], boolean][] = [
    [[4, 5, 6, 8], [0, 1, 2], false],
    [[4, 5, 6, 3], [0, 1, 2], true],
    [[64, 10], 0, false],
    [[64, 10], 1, false],
    [[64, 10], -1, true],
    [[3, 4, 5], [1], false],
    [[3, 4, 5], [1, 2], false],
    [[7], 0, false],
  ];
  let s = 0;
  for (const [shape, axis, keepDims] of cases) {
    tf.tidy(() => check("Sum", { x: randn(shape, s++) }, { axis, keepDims }, `${shape} ${axis}`));
  }
});

Deno.test("BatchMatMul matches stock across K blocks, 4×8 tiles and their edges", () => {
  // K past one block of 256 (c accumulated across blocks), M and N off the 4 × 8 tile grid.
  const cases: [number, number, number, boolean, boolean][] = [
    [64, 600, 37, false, false],
    [13, 300, 24, true, false],
    [9, 257, 70, false, true],
    [66, 513, 19, true, true],
  ];
  for (const [i, [M, K, N, tA, tB]] of cases.entries()) {
    tf.tidy(() =>
      check(
        "BatchMatMul",
        {
          a: randn([1, ...(tA ? [K, M] : [M, K])], 40 + i),
          b: randn([1, ...(tB ? [N, K] : [K, N])], 50 + i),
        },
        { transposeA: tA, transposeB: tB },
        JSON.stringify({ M, K, N, tA, tB }),
      )
    );
  }
});

Deno.test("BatchMatMul matches stock with transposes, batches and odd sizes", () => {
  const r = rng(5);
  for (let t = 0; t < 16; t++) {
    const M = 1 + r(40);
    const K = 1 + r(40);
    const N = 1 + r(40);
    const tA = r(2) === 1;
    const tB = r(2) === 1;
    const batch = [1, 1, 3][r(3)];
    const bBatch = r(2) === 1 ? 1 : batch;
    tf.tidy(() => {
      const a = randn(batch > 1 ? [batch, ...(tA ? [K, M] : [M, K])] : (tA ? [K, M] : [M, K]), t);
      const b = randn(
        batch > 1 ? [bBatch, ...(tB ? [N, K] : [K, N])] : (tB ? [N, K] : [K, N]),
        t + 1,
      );
      check(
        "BatchMatMul",
        { a: a.rank === 2 ? a.expandDims(0) : a, b: b.rank === 2 ? b.expandDims(0) : b },
        { transposeA: tA, transposeB: tB },
        JSON.stringify({ M, K, N, tA, tB, batch, bBatch }),
      );
    });
  }
});
