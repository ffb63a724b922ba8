// relu(conv(x, w) + b) (stride 1, NHWC) as one custom-gradient op, for a model
// to call under the gradient tape where tf.fused.conv2d falls back to three
// ops (conv, bias add, relu: each a kernel call and a pass over the output):
// forward is one FusedConv2D call; backward masks dy by y > 0 in one SIMD
// pass (instead of step and multiply), then runs the two conv gradients and the
// bias sum. With `inputGrad` false (a first layer, whose input is data) the
// input gradient is not computed at all. Off the cpu backend it is
// tf.fused.conv2d.
//
// Bit for bit the op path: the forward asks the kernel to add the bias after
// the sum (`biasLast`), as conv then Add round it, and keeps Relu's −0; the
// backward runs the same gradient kernels on the same values.
import * as tf from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { wasmRuntime } from "./wasm/runtime.ts";

export function convBiasRelu(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  pad: "valid" | "same" = "valid",
  inputGrad = true,
): tf.Tensor4D {
  const conv = { strides: 1 as const, pad, dataFormat: "NHWC" as const, dilations: 1 as const };
  if (tf.getBackend() !== "cpu" || x.dtype !== "float32") {
    return tf.fused.conv2d({ x, filter, bias, activation: "relu", strides: 1, pad });
  }
  const engine = tf.engine();
  const forward = (f: tf.Tensor4D, b: tf.Tensor1D) =>
    engine.runKernel("FusedConv2D", { x, filter: f, bias: b }, {
      ...conv,
      activation: "relu",
      biasLast: true,
    }) as tf.Tensor4D;
  const backward = (dy: tf.Tensor4D, y: tf.Tensor4D, f: tf.Tensor4D) => {
    const dz = reluMask(dy, y);
    const df = engine.runKernel("Conv2DBackpropFilter", { x, dy: dz }, {
      ...conv,
      filterShape: f.shape,
    }) as tf.Tensor4D;
    const db = tf.sum(dz, [0, 1, 2]) as tf.Tensor1D;
    const dx = inputGrad
      ? engine.runKernel("Conv2DBackpropInput", { dy: dz, filter: f }, {
        ...conv,
        inputShape: x.shape,
      }) as tf.Tensor4D
      : undefined;
    dz.dispose();
    return { dx, df, db };
  };
  if (inputGrad) {
    const op = tf.customGrad((_xIn, fIn, bIn, save) => {
      const y = forward(fIn as tf.Tensor4D, bIn as tf.Tensor1D);
      (save as tf.GradSaveFunc)([y, fIn as tf.Tensor4D]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor4D, [y, f]: tf.Tensor[]) => {
          const g = backward(dy, y as tf.Tensor4D, f as tf.Tensor4D);
          return [g.dx!, g.df, g.db];
        },
      };
    });
    return op(x, filter, bias) as tf.Tensor4D;
  }
  // The input is left out of the op's inputs, so no gradient is asked of it.
  const op = tf.customGrad((fIn, bIn, save) => {
    const y = forward(fIn as tf.Tensor4D, bIn as tf.Tensor1D);
    (save as tf.GradSaveFunc)([y, fIn as tf.Tensor4D]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor4D, [y, f]: tf.Tensor[]) => {
        const g = backward(dy, y as tf.Tensor4D, f as tf.Tensor4D);
        return [g.df, g.db];
      },
    };
  });
  return op(filter, bias) as tf.Tensor4D;
}

/** dy · step(y) (ReLU's gradient read off its output) in one SIMD pass, bit for bit the stock. */
function reluMask(dy: tf.Tensor4D, y: tf.Tensor4D): tf.Tensor4D {
  const backend = tf.backend() as MathBackendCPU;
  const d = backend.data.get(dy.dataId).values as Float32Array;
  const yv = backend.data.get(y.dataId).values as Float32Array;
  const rt = wasmRuntime();
  rt.reset(d, yv);
  const dp = rt.input(d);
  const yp = rt.input(yv);
  const out = rt.alloc(d.length);
  rt.exports.reluGrad(dp, yp, out, d.length);
  return tf.tensor4d(rt.output(out, d.length), dy.shape);
}
