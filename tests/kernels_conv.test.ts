// The project's conv and pooling kernels against the stock tfjs cpu kernels
// on random shapes, strides and paddings.
import * as tf from "../ml/tf.ts";
import { rng, setupCpu } from "../ml/kernels/testing.ts";
import { checkAgainstStock as check, checkConvAgainstStock, type Pad } from "./util/stock.ts";

await setupCpu();

Deno.test("conv kernels match stock on random shapes", () => {
  const r = rng(7);
  for (let t = 0; t < 24; t++) {
    const N = 1 + r(3);
    const KH = 1 + r(4);
    const KW = 1 + r(4);
    const H = KH + r(9);
    const W = KW + r(9);
    const Cin = 1 + r(6);
    const Cout = 1 + r(9);
    const strides: [number, number] = [1 + r(3), 1 + r(3)];
    const pads: Pad[] = ["valid", "same", [[0, 0], [r(3), r(3)], [r(3), r(3)], [0, 0]]];
    const pad = pads[r(3)];
    checkConvAgainstStock({ N, H, W, Cin, Cout, KH, KW, strides, pad }, t, true);
  }
});

Deno.test("conv kernels fall back to stock for dilations > 1 and NCHW-like cases", () => {
  tf.tidy(() => {
    const x = tf.randomNormal([2, 9, 9, 3], 0, 1, "float32", 1);
    const filter = tf.randomNormal([3, 3, 3, 4], 0, 1, "float32", 2);
    check(
      "Conv2D",
      { x, filter },
      { strides: 1, pad: "same", dataFormat: "NHWC", dilations: 2 },
      "dil 2",
    );
    const bias = tf.randomNormal([4], 0, 1, "float32", 3);
    check(
      "FusedConv2D",
      { x, filter, bias },
      { strides: 1, pad: "valid", dataFormat: "NHWC", dilations: 1, activation: "elu" },
      "elu",
    );
  });
});

Deno.test("pool kernels match stock on random shapes", () => {
  const r = rng(11);
  for (let t = 0; t < 24; t++) {
    const N = 1 + r(3);
    const C = 1 + r(9);
    const f: [number, number] = [1 + r(3), 1 + r(3)];
    const H = f[0] + r(8);
    const W = f[1] + r(8);
    const strides: [number, number] = [1 + r(3), 1 + r(3)];
    const pad: Pad = (["valid", "same"] as const)[r(2)];
    const what = JSON.stringify({ N, H, W, C, f, strides, pad });
    tf.tidy(() => {
      const x = tf.randomNormal([N, H, W, C], 0, 1, "float32", t);
      const attrs = { filterSize: f, strides, pad, dimRoundingMode: undefined };
      check("MaxPool", { x }, attrs, what);
      const y = tf.maxPool(x as tf.Tensor4D, f, strides, pad);
      const dy = tf.randomNormal(y.shape, 0, 1, "float32", t + 1);
      check("MaxPoolGrad", { dy, input: x, output: y }, attrs, what);
    });
  }
});

Deno.test("register-blocked forward conv paths (Cout ≤ 8, pixel stride ≤ 8) match stock", () => {
  const r = rng(23);
  // The model's two convs, then every pixel stride 1..8 with widths around the block sizes.
  const cases: [number, number, number, number, number, number, Pad][] = [
    [2, 32, 32, 3, 4, 1, "valid"],
    [2, 15, 15, 4, 8, 1, "valid"],
  ];
  for (let t = 0; t < 40; t++) {
    const sw = 1 + r(2);
    const Cin = 1 + r(sw === 1 ? 8 : 4);
    const W = 3 + r(18);
    cases.push([1 + r(2), 3 + r(6), W, Cin, 1 + r(8), sw, (["valid", "same"] as const)[r(2)]]);
  }
  for (const [N, H, W, Cin, Cout, sw, pad] of cases) {
    const what = JSON.stringify({ N, H, W, Cin, Cout, sw, pad });
    tf.tidy(() => {
      const x = tf.randomNormal([N, H, W, Cin], 0, 1, "float32", H * W);
      const filter = tf.randomNormal([3, 3, Cin, Cout], 0, 1, "float32", Cin * Cout);
      const bias = tf.randomNormal([Cout], 0, 1, "float32", Cout);
      const base = { strides: [1, sw], pad, dataFormat: "NHWC", dilations: 1 };
      check("Conv2D", { x, filter }, base, what);
      for (const activation of ["linear", "relu"]) {
        check("FusedConv2D", { x, filter, bias }, { ...base, activation }, what);
      }
    });
  }
});

Deno.test("2×2/2 max pool fast path matches stock, NaN and -Infinity included", () => {
  for (const [N, H, W, C] of [[2, 30, 30, 4], [2, 13, 13, 8], [1, 4, 7, 12]]) {
    for (const pad of ["valid", "same"] as const) {
      const what = JSON.stringify({ N, H, W, C, pad });
      tf.tidy(() => {
        const v = tf.randomNormal([N, H, W, C], 0, 1, "float32", H).dataSync().slice();
        for (let i = 0; i < v.length; i += 7) v[i] = i % 3 ? NaN : -Infinity;
        const x = tf.tensor4d(v, [N, H, W, C]);
        const attrs = { filterSize: 2, strides: 2, pad, dimRoundingMode: undefined };
        check("MaxPool", { x }, attrs, what);
      });
    }
  }
});
