// The report's ConvNet, as plain tfjs ops over named variables (no tf.layers:
// the trainer needs the raw parameters for its optimizer and checkpoints).
//
// PyTorch: conv(3→4,k3) → ReLU → maxpool2 → conv(4→8,k3) → ReLU → maxpool2
//          → flatten → fc(→32) → ReLU → fc(→10)
// Layout here is NHWC with filters [kh, kw, in, out] and dense [in, out];
// flatten is in HWC order (PyTorch flattens CHW; tests transpose to compare).
import * as tf from "../tf.ts";
import { convBiasReluPool } from "../kernels/conv_bias_relu.ts";
import { disposeAll, makeVariables, torchInit } from "./layers.ts";
import type { Model, ModelPlugin, ModelSpec, ParamShape } from "./plugin.ts";

/** Whether training runs conv blocks as convBiasReluPool ops (bench/levers.ts switches it). */
export const convFusion = { enabled: true };

/** A convnet model: no batch statistics, so `training` may be left out. */
export interface ConvNetModel extends Model {
  apply(x: tf.Tensor4D, training?: boolean): tf.Tensor2D;
}

/** Output side of a valid 3×3 conv followed by a 2×2/2 max pool. */
const convPool = (n: number) => Math.floor((n - 2) / 2);

export function paramShapes(spec: ModelSpec): ParamShape[] {
  const h = convPool(convPool(spec.height));
  const w = convPool(convPool(spec.width));
  if (h < 1 || w < 1) {
    throw new Error(`images of ${spec.height}×${spec.width} are too small for convnet (min 10×10)`);
  }
  const flat = h * w * 8;
  const c = spec.channels;
  return [
    { name: "conv1.weight", shape: [3, 3, c, 4], fanIn: 9 * c },
    { name: "conv1.bias", shape: [4], fanIn: 9 * c },
    { name: "conv2.weight", shape: [3, 3, 4, 8], fanIn: 36 },
    { name: "conv2.bias", shape: [8], fanIn: 36 },
    { name: "fc1.weight", shape: [flat, 32], fanIn: flat },
    { name: "fc1.bias", shape: [32], fanIn: flat },
    { name: "fc2.weight", shape: [32, spec.classes], fanIn: 32 },
    { name: "fc2.bias", shape: [spec.classes], fanIn: 32 },
  ];
}

/** PyTorch's default init for Conv2d/Linear: U(±1/√fan_in) for weights and biases. */
export function initialWeights(spec: ModelSpec, seed: number): Record<string, Float32Array> {
  return torchInit(paramShapes(spec), seed);
}

export function createModel(spec: ModelSpec, weights: Record<string, Float32Array>): ConvNetModel {
  const shapes = paramShapes(spec);
  const vars = makeVariables(shapes, weights);
  const v = (n: string) => vars.params.get(n)!;
  const flat = shapes[4].shape[0];

  return {
    ...vars,
    apply(x, training = false) {
      return tf.tidy(() => {
        // Conv + bias + ReLU + 2×2 max pool. Evaluation: tf.fused.conv2d (one kernel
        // call) and maxPool. Training: tfjs would run the plain ops under the gradient
        // tape; on the cpu convBiasReluPool is one op each way with the same bits (the
        // first layer's input is data, so it takes no input gradient).
        const block = (h: tf.Tensor4D, layer: string, inputGrad: boolean) => {
          const filter = v(`${layer}.weight`) as tf.Tensor4D;
          const bias = v(`${layer}.bias`) as tf.Tensor1D;
          if (training && convFusion.enabled) {
            return convBiasReluPool(h, filter, bias, inputGrad);
          }
          const y = tf.fused.conv2d({
            x: h,
            filter,
            strides: 1,
            pad: "valid",
            bias,
            activation: "relu",
          });
          return tf.maxPool(y, 2, 2, "valid");
        };
        const h = block(block(x, "conv1", false), "conv2", true);
        const f = tf.reshape(h, [-1, flat]) as tf.Tensor2D;
        const d = tf.relu(tf.add(tf.matMul(f, v("fc1.weight") as tf.Tensor2D), v("fc1.bias")));
        return tf.add(tf.matMul(d as tf.Tensor2D, v("fc2.weight") as tf.Tensor2D), v("fc2.bias"));
      });
    },
    dispose() {
      disposeAll(vars);
    },
  };
}

/** Multiply-adds of the two convs and two dense layers (pooling and ReLU not counted). */
export function flopsPerImage(spec: ModelSpec): number {
  const h1 = spec.height - 2, w1o = spec.width - 2;
  const h2 = Math.floor(h1 / 2) - 2, w2o = Math.floor(w1o / 2) - 2;
  const flat = paramShapes(spec)[4].shape[0];
  return h1 * w1o * 4 * 9 * spec.channels + h2 * w2o * 8 * 9 * 4 + flat * 32 + 32 * spec.classes;
}

export const convnet: ModelPlugin = {
  name: "convnet",
  title: "ConvNet (the report's)",
  description: "conv 3→4 k3, ReLU, maxpool 2, conv 4→8 k3, ReLU, maxpool 2, dense 32, ReLU, " +
    "dense to the classes; the report's model and the default.",
  paramShapes,
  initialWeights,
  create: createModel,
  flopsPerImage,
};
