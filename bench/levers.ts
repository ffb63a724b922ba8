// Levers that bench.ts can switch off to measure their effect in the same
// rounds (--lever NAME): each turns one optimisation on or off at run time.
import * as tf from "@tensorflow/tfjs";
import { convBiasRelu } from "../ml/kernels/conv_bias_relu.ts";
import type { Model } from "../ml/models/plugin.ts";
import { sgdFusion } from "../ml/optimizer.ts";

/** Whether the bench's loss is the fused softmax-CE op (ml/kernels/softmax_ce.ts) or the ce plug-in. */
export const fusedCe = { enabled: false };

/** Whether the bench's ConvNet runs its convs through ml/kernels/conv_bias_relu.ts. */
export const fusedConv = { enabled: false };

/**
 * The ConvNet's forward (ml/models/convnet.ts) with each conv + bias + ReLU as one
 * convBiasRelu op (the first without an input gradient): what convnet.ts would do with the
 * lever adopted. Other models are returned as they are.
 */
export function withFusedConv(name: string, model: Model): Model {
  if (name !== "convnet") return model;
  const v = (n: string) => model.params.get(n)!;
  const fused = (x: tf.Tensor4D) =>
    tf.tidy(() => {
      const conv = (h: tf.Tensor4D, layer: string, inputGrad: boolean) =>
        convBiasRelu(
          h,
          v(`${layer}.weight`) as tf.Tensor4D,
          v(`${layer}.bias`) as tf.Tensor1D,
          "valid",
          inputGrad,
        );
      let h = tf.maxPool(conv(x, "conv1", false), 2, 2, "valid");
      h = tf.maxPool(conv(h, "conv2", true), 2, 2, "valid");
      const f = tf.reshape(h, [-1, v("fc1.weight").shape[0]]) as tf.Tensor2D;
      const d = tf.relu(tf.add(tf.matMul(f, v("fc1.weight") as tf.Tensor2D), v("fc1.bias")));
      return tf.add(tf.matMul(d as tf.Tensor2D, v("fc2.weight") as tf.Tensor2D), v("fc2.bias"));
    }) as tf.Tensor2D;
  return {
    ...model,
    apply: (x: tf.Tensor4D, training: boolean) =>
      fusedConv.enabled ? fused(x) : model.apply(x, training),
  } as Model;
}

export interface Lever {
  on: () => void;
  off: () => void;
}

export const LEVERS: Record<string, Lever> = {
  /** Changes nothing: the bench's own bias, one arm against an identical copy (should be ~1). */
  none: { on: () => {}, off: () => {} },
  /** ml/optimizer.ts: one fused pass per parameter instead of four kernel calls. */
  "fused-sgd": {
    on: () => void (sgdFusion.enabled = true),
    off: () => void (sgdFusion.enabled = false),
  },
  /** ml/kernels/softmax_ce.ts as the bench's loss (the ce plug-in's op path otherwise). */
  "fused-ce": {
    on: () => void (fusedCe.enabled = true),
    off: () => void (fusedCe.enabled = false),
  },
  /** ml/kernels/conv_bias_relu.ts in the ConvNet (withFusedConv); other models unchanged. */
  "fused-conv": {
    on: () => void (fusedConv.enabled = true),
    off: () => void (fusedConv.enabled = false),
  },
  /** fused-ce and fused-conv together. */
  "fused-ce+conv": {
    on: () => void (fusedCe.enabled = fusedConv.enabled = true),
    off: () => void (fusedCe.enabled = fusedConv.enabled = false),
  },
};
