// Asserts that one of the project's kernels matches the stock tfjs cpu kernel.
import * as tf from "../../ml/tf.ts";
import { compareWithStock } from "../../ml/kernels/testing.ts";
import { assert, assertEquals } from "./assert.ts";

export function checkAgainstStock(
  name: string,
  inputs: Record<string, tf.Tensor>,
  attrs: Record<string, unknown>,
  what: string,
): void {
  const c = compareWithStock(name, inputs, attrs as never);
  assertEquals(c.shape, c.stockShape, `${name} ${what} shape`);
  assert(c.maxRel < 1e-5, `${name} ${what}: max diff ${c.maxAbs} (rel ${c.maxRel})`);
}

export type Pad = "valid" | "same" | [
  [number, number],
  [number, number],
  [number, number],
  [number, number],
];

export interface ConvCase {
  N: number;
  H: number;
  W: number;
  Cin: number;
  Cout: number;
  KH: number;
  KW: number;
  strides: [number, number];
  pad: Pad;
}

/** The conv forward and both gradients against stock on one random case (and the fused op). */
export function checkConvAgainstStock(c: ConvCase, seed: number, fused = false): void {
  const { N, H, W, Cin, Cout, KH, KW, strides, pad } = c;
  const what = JSON.stringify(c);
  tf.tidy(() => {
    const x = tf.randomNormal([N, H, W, Cin], 0, 1, "float32", seed);
    const filter = tf.randomNormal([KH, KW, Cin, Cout], 0, 1, "float32", seed + 1);
    const y = tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, strides, pad);
    const dy = tf.randomNormal(y.shape, 0, 1, "float32", seed + 2);
    const base = { strides, pad, dataFormat: "NHWC", dimRoundingMode: undefined };
    checkAgainstStock("Conv2D", { x, filter }, { ...base, dilations: 1 }, what);
    checkAgainstStock(
      "Conv2DBackpropFilter",
      { x, dy },
      { ...base, filterShape: filter.shape },
      what,
    );
    checkAgainstStock(
      "Conv2DBackpropInput",
      { dy, filter },
      { ...base, inputShape: x.shape },
      what,
    );
    if (!fused) return;
    const bias = tf.randomNormal([Cout], 0, 1, "float32", seed + 3);
    for (const activation of ["linear", "relu"]) {
      checkAgainstStock(
        "FusedConv2D",
        { x, filter, bias },
        { ...base, dilations: 1, activation },
        what,
      );
    }
  });
}
