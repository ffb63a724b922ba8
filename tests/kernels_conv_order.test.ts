// The conv kernels' order of summation, bit for bit: a scalar float32 reference that
// adds each product in the order the published study's kernels did (the forward over
// taps (kh, kw, ci) from 0; a filter gradient's weight over the pixels in order; an input
// gradient's value over the pixels in order, each pixel's output channels in order),
// against the cpu kernels on shapes that take every register-blocked loop (4 and 8 output
// channels, rows of taps not a multiple of 4, tails of pixel blocks, strides 1 and 2).
// The stock comparisons (tests/kernels_conv.test.ts) allow rounding; this one does not, so a
// loop that reads its operands another way (vector loads and shuffles instead of broadcast
// loads) must keep every rounding of the loop it replaces.
import * as tf from "../ml/tf.ts";
import { rng, setupCpu } from "../ml/kernels/testing.ts";
import { assertEquals } from "./util/assert.ts";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { wasmRuntime } from "../ml/kernels/wasm/runtime.ts";

await setupCpu();
const f = Math.fround;

interface Case {
  N: number;
  H: number;
  W: number;
  Cin: number;
  Cout: number;
  K: number;
  s: number;
}

function tensors(c: Case, seed: number) {
  const OH = Math.floor((c.H - c.K) / c.s) + 1;
  const OW = Math.floor((c.W - c.K) / c.s) + 1;
  const x = tf.randomNormal([c.N, c.H, c.W, c.Cin], 0, 1, "float32", seed) as tf.Tensor4D;
  const w = tf.randomNormal([c.K, c.K, c.Cin, c.Cout], 0, 1, "float32", seed + 1) as tf.Tensor4D;
  const dy = tf.randomNormal([c.N, OH, OW, c.Cout], 0, 1, "float32", seed + 2) as tf.Tensor4D;
  return { x, w, dy, OH, OW };
}

/** x[n, h, w, ci] and friends on flat arrays. */
const at4 = (a: Float32Array, s: number[], i: number, j: number, k: number, l: number) =>
  a[((i * s[1] + j) * s[2] + k) * s[3] + l];

function reference(
  c: Case,
  x: Float32Array,
  w: Float32Array,
  dy: Float32Array,
  OH: number,
  OW: number,
) {
  const xs = [c.N, c.H, c.W, c.Cin], ws = [c.K, c.K, c.Cin, c.Cout], ys = [c.N, OH, OW, c.Cout];
  const y = new Float32Array(c.N * OH * OW * c.Cout);
  const dw = new Float32Array(w.length);
  const dx = new Float32Array(x.length);
  for (let n = 0; n < c.N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        for (let co = 0; co < c.Cout; co++) {
          let acc = 0;
          for (let kh = 0; kh < c.K; kh++) {
            for (let kw = 0; kw < c.K; kw++) {
              for (let ci = 0; ci < c.Cin; ci++) {
                const xv = at4(x, xs, n, oh * c.s + kh, ow * c.s + kw, ci);
                acc = f(acc + f(xv * at4(w, ws, kh, kw, ci, co)));
              }
            }
          }
          y[((n * OH + oh) * OW + ow) * c.Cout + co] = acc;
        }
      }
    }
  }
  // Filter gradient: each weight's sum over the pixels (n, oh, ow) in order.
  for (let kh = 0; kh < c.K; kh++) {
    for (let kw = 0; kw < c.K; kw++) {
      for (let ci = 0; ci < c.Cin; ci++) {
        for (let co = 0; co < c.Cout; co++) {
          let acc = 0;
          for (let n = 0; n < c.N; n++) {
            for (let oh = 0; oh < OH; oh++) {
              for (let ow = 0; ow < OW; ow++) {
                const xv = at4(x, xs, n, oh * c.s + kh, ow * c.s + kw, ci);
                acc = f(acc + f(xv * at4(dy, ys, n, oh, ow, co)));
              }
            }
          }
          dw[((kh * c.K + kw) * c.Cin + ci) * c.Cout + co] = acc;
        }
      }
    }
  }
  // Input gradient: pixel by pixel in order, each adding its output channels in order.
  for (let n = 0; n < c.N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        for (let kh = 0; kh < c.K; kh++) {
          for (let kw = 0; kw < c.K; kw++) {
            for (let ci = 0; ci < c.Cin; ci++) {
              const i = ((n * c.H + oh * c.s + kh) * c.W + ow * c.s + kw) * c.Cin + ci;
              let acc = dx[i];
              for (let co = 0; co < c.Cout; co++) {
                acc = f(acc + f(at4(dy, ys, n, oh, ow, co) * at4(w, ws, kh, kw, ci, co)));
              }
              dx[i] = acc;
            }
          }
        }
      }
    }
  }
  return { y, dw, dx };
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

function check(c: Case, seed: number): void {
  const { x, w, dy, OH, OW } = tensors(c, seed);
  const ref = reference(
    c,
    x.dataSync() as Float32Array,
    w.dataSync() as Float32Array,
    dy.dataSync() as Float32Array,
    OH,
    OW,
  );
  const conv = { strides: c.s, pad: "valid" as const, dataFormat: "NHWC" as const, dilations: 1 };
  const e = tf.engine();
  const y = e.runKernel("Conv2D", { x, filter: w }, conv) as tf.Tensor;
  const dw = e.runKernel("Conv2DBackpropFilter", { x, dy }, {
    ...conv,
    filterShape: w.shape,
  }) as tf.Tensor;
  const what = JSON.stringify(c);
  assertEquals(bits(y.dataSync() as Float32Array), bits(ref.y), `forward ${what}`);
  assertEquals(bits(dw.dataSync() as Float32Array), bits(ref.dw), `filter gradient ${what}`);
  const dx = e.runKernel("Conv2DBackpropInput", { dy, filter: w }, {
    ...conv,
    inputShape: x.shape,
  }) as tf.Tensor;
  assertEquals(bits(dx.dataSync() as Float32Array), bits(ref.dx), `input gradient ${what}`);
  dx.dispose();
  tf.dispose([x, w, dy, y, dw]);
}

Deno.test("conv kernels add in the study's order, bit for bit (the ConvNet's shapes)", () => {
  check({ N: 2, H: 32, W: 32, Cin: 3, Cout: 4, K: 3, s: 1 }, 1);
  check({ N: 2, H: 15, W: 15, Cin: 4, Cout: 8, K: 3, s: 1 }, 2);
});

Deno.test("conv kernels add in the study's order, bit for bit (wide loops: convnet_bn's kind)", () => {
  check({ N: 2, H: 10, W: 13, Cin: 3, Cout: 16, K: 3, s: 1 }, 3);
  check({ N: 1, H: 9, W: 11, Cin: 16, Cout: 16, K: 3, s: 1 }, 4);
  check({ N: 1, H: 8, W: 9, Cin: 9, Cout: 24, K: 3, s: 2 }, 5);
});

Deno.test("conv kernels add in the study's order, bit for bit (random narrow shapes)", () => {
  const r = rng(41);
  for (let t = 0; t < 24; t++) {
    const K = 1 + r(4);
    const s = 1 + r(2);
    const H = K + r(12), W = K + 8 * s + r(12);
    const Cin = [1 + r(6), 4, 8][r(3)];
    check({ N: 1 + r(2), H, W, Cin, Cout: [4, 8, 1 + r(8)][r(3)], K, s }, 100 + t);
  }
});

Deno.test("'same' padding of a resident input (the wasm pad copy) is the zero-padded 'valid' conv, bit for bit", () => {
  for (
    const [N, H, W, Cin, Cout, s] of [[2, 9, 11, 3, 16, 1], [1, 8, 8, 16, 32, 1], [
      2,
      7,
      10,
      4,
      8,
      2,
    ]]
  ) {
    // relu's output lives in wasm memory: the path convnet_bn's inner convs take.
    const x = tf.relu(tf.randomNormal([N, H, W, Cin], 0, 1, "float32", H)) as tf.Tensor4D;
    const values = (tf.backend() as MathBackendCPU).data.get(x.dataId).values as Float32Array;
    assertEquals(values.buffer === wasmRuntime().memory.buffer, true, "x is resident");
    const w = tf.randomNormal([3, 3, Cin, Cout], 0, 1, "float32", W) as tf.Tensor4D;
    const same = tf.conv2d(x, w, s, "same");
    // The padding tfjs computes for "same" (the extra row or column goes last).
    const ph = Math.max((Math.ceil(H / s) - 1) * s + 3 - H, 0);
    const pw = Math.max((Math.ceil(W / s) - 1) * s + 3 - W, 0);
    const xp = tf.pad(x, [[0, 0], [ph >> 1, ph - (ph >> 1)], [pw >> 1, pw - (pw >> 1)], [0, 0]]);
    const valid = tf.conv2d(xp as tf.Tensor4D, w, s, "valid");
    const dy = tf.randomNormal(same.shape, 0, 1, "float32", 7);
    const e = tf.engine();
    const attrs = (pad: "same" | "valid") => ({
      strides: s,
      pad,
      dataFormat: "NHWC",
      dilations: 1,
    });
    const dwSame = e.runKernel("Conv2DBackpropFilter", { x, dy }, {
      ...attrs("same"),
      filterShape: w.shape,
    } as never) as tf.Tensor;
    const dwValid = e.runKernel("Conv2DBackpropFilter", { x: xp, dy }, {
      ...attrs("valid"),
      filterShape: w.shape,
    } as never) as tf.Tensor;
    const what = JSON.stringify({ N, H, W, Cin, Cout, s });
    assertEquals(
      bits(same.dataSync() as Float32Array),
      bits(valid.dataSync() as Float32Array),
      what,
    );
    assertEquals(
      bits(dwSame.dataSync() as Float32Array),
      bits(dwValid.dataSync() as Float32Array),
      what,
    );
    tf.dispose([x, w, same, xp, valid, dy, dwSame, dwValid]);
  }
});
