// The wide-channel conv path (ml/kernels/conv_wide.ts) against the stock tfjs cpu kernels,
// and its gate: the report's ConvNet shapes never take it.
import * as tf from "../ml/tf.ts";
import { isWideConv, isWideFilterGrad, wideConv } from "../ml/kernels/conv_wide.ts";
import { rng, setupCpu } from "../ml/kernels/testing.ts";
import { assert } from "./util/assert.ts";
import { checkConvAgainstStock, type Pad } from "./util/stock.ts";

await setupCpu();

function checkAll(
  N: number,
  H: number,
  W: number,
  Cin: number,
  Cout: number,
  KH: number,
  KW: number,
  strides: [number, number],
  pad: Pad,
  seed: number,
): void {
  assert(isWideConv({ Cin, Cout }), `Cin ${Cin} Cout ${Cout} is not wide`);
  checkConvAgainstStock({ N, H, W, Cin, Cout, KH, KW, strides, pad }, seed);
}

Deno.test("wide conv kernels match stock on convnet_bn's shapes", () => {
  checkAll(3, 32, 32, 3, 16, 3, 3, [1, 1], "same", 1);
  checkAll(3, 16, 16, 16, 32, 3, 3, [1, 1], "same", 4);
  checkAll(3, 8, 8, 32, 64, 3, 3, [1, 1], "same", 7);
});

Deno.test("wide conv kernels match stock on random shapes, strides and paddings", () => {
  const r = rng(23);
  for (let t = 0; t < 24; t++) {
    const N = 1 + r(3);
    const KH = 1 + r(4);
    const KW = 1 + r(4);
    // Widths under 4 pixels and not multiples of 4 take the one-pixel and overlapping loops.
    const H = KH + r(9);
    const W = KW + r(9);
    const wideIn = r(2) === 0;
    const Cin = wideIn ? 8 + r(20) : 1 + r(20);
    const Cout = wideIn ? 1 + r(40) : 16 + r(40);
    const strides: [number, number] = [1 + r(3), 1 + r(3)];
    const pads: Pad[] = ["valid", "same", [[0, 0], [r(3), r(3)], [r(3), r(3)], [0, 0]]];
    checkAll(N, H, W, Cin, Cout, KH, KW, strides, pads[r(3)], 100 + 3 * t);
  }
});

Deno.test("the report's ConvNet shapes never take the wide path", () => {
  for (const Cin of [3, 4]) {
    for (const Cout of [4, 8]) assert(!isWideConv({ Cin, Cout }), `Cin ${Cin} Cout ${Cout}`);
  }
  assert(isWideConv({ Cin: 3, Cout: 16 }) && isWideConv({ Cin: 8, Cout: 4 }), "gate's edges");
});

Deno.test("the wide filter gradient is conv.ts's loop bit for bit (so Cout % 8 == 0 may take it)", () => {
  const shapes: [number, number, number, number, [number, number], Pad][] = [
    // [N, H, Cin, Cout, strides, pad]: the ConvNet's conv2, then others.
    [64, 15, 4, 8, [1, 1], "valid"],
    [5, 11, 3, 8, [1, 1], "same"],
    [3, 12, 16, 16, [2, 2], "valid"],
    [4, 9, 8, 24, [1, 1], "same"],
  ];
  for (const [i, [N, H, Cin, Cout, strides, pad]] of shapes.entries()) {
    const bits = (wide: boolean): Uint32Array => {
      wideConv.enabled = wide;
      try {
        const dw = tf.tidy(() => {
          const x = tf.randomNormal([N, H, H, Cin], 0, 1, "float32", 50 + i);
          const f = [3, 3, Cin, Cout] as [number, number, number, number];
          const y = tf.conv2d(x as tf.Tensor4D, tf.zeros(f) as tf.Tensor4D, strides, pad);
          const dy = tf.randomNormal(y.shape, 0, 1, "float32", 60 + i);
          const attrs = { strides, pad, dataFormat: "NHWC", filterShape: f };
          return tf.engine().runKernel(
            "Conv2DBackpropFilter",
            { x, dy },
            attrs as never,
          ) as tf.Tensor;
        });
        const out = new Uint32Array(dw.dataSync().slice().buffer);
        dw.dispose();
        return out;
      } finally {
        wideConv.enabled = true;
      }
    };
    const [w, n] = [bits(true), bits(false)];
    const diff = w.findIndex((v, k) => v !== n[k]);
    assert(diff < 0, `shape ${i}: element ${diff} differs`);
    assert(isWideFilterGrad({ Cin, Cout }), `shape ${i} should take the wide loop`);
  }
  assert(!isWideFilterGrad({ Cin: 3, Cout: 4 }), "the ConvNet's conv1 keeps conv.ts's loop");
});
