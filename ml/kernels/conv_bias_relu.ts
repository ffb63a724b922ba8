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
//
// convBiasReluPool adds the 2×2 / stride 2 max pool that follows (the
// ConvNet's block) to the same op: its backward routes dy to each window's
// maximum and applies ReLU's mask in one SIMD pass, where the op path runs
// MaxPoolGrad and then the mask, each a pass over the conv's output.
import * as tf from "../tf.ts";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { poolArgs, poolInfo } from "./MaxPool.ts";
import { residentTensor } from "./resident.ts";
import { wasmRuntime } from "./wasm/runtime.ts";

export function convBiasRelu(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  pad: "valid" | "same" = "valid",
  inputGrad = true,
): tf.Tensor4D {
  if (tf.getBackend() !== "cpu" || x.dtype !== "float32") {
    return tf.fused.conv2d({ x, filter, bias, activation: "relu", strides: 1, pad });
  }
  return fusedOp(x, filter, bias, pad, inputGrad, false);
}

/**
 * maxPool(relu(conv(x, w) + b), 2, 2, "valid"), as the ConvNet's blocks compute it; one op,
 * bit for bit the op path. Off the cpu backend (or for channel counts that are not a multiple
 * of 4), the plain ops.
 */
export function convBiasReluPool(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  inputGrad = true,
): tf.Tensor4D {
  if (tf.getBackend() !== "cpu" || x.dtype !== "float32" || filter.shape[3] % 4 !== 0) {
    return tf.maxPool(convBiasRelu(x, filter, bias, "valid", inputGrad), 2, 2, "valid");
  }
  return fusedOp(x, filter, bias, "valid", inputGrad, true);
}

function fusedOp(
  xIn: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  pad: "valid" | "same",
  inputGrad: boolean,
  pool: boolean,
): tf.Tensor4D {
  const conv = { strides: 1 as const, pad, dataFormat: "NHWC" as const, dilations: 1 as const };
  const engine = tf.engine();
  // A first layer's input (a batch from JavaScript) would be copied into wasm memory by the
  // forward and again by the filter gradient: copied once here, both read it in place.
  const x = pad === "valid" && !inputGrad ? inHeap(xIn) : xIn;
  const poolAttrs = { filterSize: 2, strides: 2, pad: "valid" as const };
  /** The conv's output y (saved for the backward) and the op's output (y, or y pooled). */
  const forward = (f: tf.Tensor4D, b: tf.Tensor1D) => {
    const y = engine.runKernel("FusedConv2D", { x, filter: f, bias: b }, {
      ...conv,
      activation: "relu",
      biasLast: true,
    }) as tf.Tensor4D;
    const out = pool ? engine.runKernel("MaxPool", { x: y }, poolAttrs) as tf.Tensor4D : y;
    return { y, out };
  };
  // x is read back through `saved` (tfjs keeps saved tensors' data alive): as the output of
  // the block before, it is disposed when the forward's tidy ends.
  const backward = (dy: tf.Tensor4D, [y, f, x]: tf.Tensor4D[]) => {
    const dz = pool ? poolReluMask(dy, y) : reluMask(dy, y);
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
  // Without inputGrad the input is left out of the op's inputs, so no gradient is asked of it.
  const op = tf.customGrad((...args) => {
    const [fIn, bIn, save] = args.slice(-3) as [tf.Tensor4D, tf.Tensor1D, tf.GradSaveFunc];
    const { y, out } = forward(fIn, bIn);
    save([y, fIn, x]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const g = backward(dy, saved as tf.Tensor4D[]);
        return inputGrad ? [g.dx!, g.df, g.db] : [g.df, g.db];
      },
    };
  });
  return (inputGrad ? op(x, filter, bias) : op(filter, bias)) as tf.Tensor4D;
}

const backend = () => tf.backend() as MathBackendCPU;
const values = (t: tf.Tensor) => backend().data.get(t.dataId).values as Float32Array;

/** The resident heap block `ptr` of `shape` as a tensor. */
const asTensor = (shape: number[], ptr: number) =>
  tf.engine().makeTensorFromTensorInfo(
    residentTensor(backend(), shape, ptr, tf.util.sizeFromShape(shape)),
  ) as tf.Tensor4D;

/** `x` itself when its values lie in wasm memory, else a heap tensor holding a copy of them. */
function inHeap(x: tf.Tensor4D): tf.Tensor4D {
  const v = values(x);
  const rt = wasmRuntime();
  if (v.buffer === rt.memory.buffer) return x;
  const ptr = rt.block(x.size);
  rt.f32.set(v, ptr >> 2);
  return asTensor(x.shape, ptr);
}

/** dy · step(y) (ReLU's gradient read off its output) in one SIMD pass, bit for bit the stock. */
function reluMask(dy: tf.Tensor4D, y: tf.Tensor4D): tf.Tensor4D {
  const rt = wasmRuntime();
  rt.reset();
  const dp = rt.input(values(dy));
  const yp = rt.input(values(y));
  const out = rt.block(dy.size);
  rt.exports.reluGrad(dp, yp, out, dy.size);
  return asTensor(dy.shape, out);
}

/** MaxPoolGrad (2×2 / 2) of the pooled dy, then ReLU's mask, in one SIMD pass (see pool.ts). */
function poolReluMask(dy: tf.Tensor4D, y: tf.Tensor4D): tf.Tensor4D {
  const info = poolInfo(y, { filterSize: 2, strides: 2, pad: "valid" });
  const rt = wasmRuntime();
  rt.reset();
  const yp = rt.input(values(y));
  const dp = rt.input(values(dy));
  const out = rt.block(y.size);
  const [N, H, W, C, OH, OW] = poolArgs(info);
  rt.exports.maxPoolGrad2x2(yp, dp, out, N, H, W, C, OH, OW, 1);
  return asTensor(y.shape, out);
}
