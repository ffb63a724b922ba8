// A wider ConvNet with batch normalisation: three 3×3 "same" convs without
// bias (the batch norm's shift replaces it, as in PyTorch practice), each
// followed by batch norm and ReLU, max pooling after the first two, global
// average pooling, one dense layer to the classes.
//
// PyTorch: conv(C→W1,k3,p1) → BN → ReLU → maxpool2 → conv(W1→W2) → BN → ReLU
//          → maxpool2 → conv(W2→W3) → BN → ReLU → mean over H,W → fc(W3→K)
// Layout: NHWC, filters [kh, kw, in, out], dense [in, out] (global pooling
// leaves no flatten order to reconcile with PyTorch).
import * as tf from "../tf.ts";
import { batchNorm, batchNormVars } from "./batch_norm.ts";
import { batchNormInit, disposeAll, makeVariables, torchInit } from "./layers.ts";
import type { Model, ModelPlugin, ModelSpec, ParamShape } from "./plugin.ts";

/** Channels of the three convs. */
const WIDTHS = [16, 32, 64] as const;

function paramShapes(spec: ModelSpec): ParamShape[] {
  if (Math.floor(spec.height / 4) < 1 || Math.floor(spec.width / 4) < 1) {
    throw new Error(
      `images of ${spec.height}×${spec.width} are too small for convnet_bn (min 4×4)`,
    );
  }
  const out: ParamShape[] = [];
  let cin = spec.channels;
  WIDTHS.forEach((c, i) => {
    const fanIn = 9 * cin;
    out.push({ name: `conv${i + 1}.weight`, shape: [3, 3, cin, c], fanIn });
    out.push({ name: `bn${i + 1}.weight`, shape: [c], fanIn: 0 });
    out.push({ name: `bn${i + 1}.bias`, shape: [c], fanIn: 0 });
    out.push({ name: `bn${i + 1}.running_mean`, shape: [c], fanIn: 0, trainable: false });
    out.push({ name: `bn${i + 1}.running_var`, shape: [c], fanIn: 0, trainable: false });
    cin = c;
  });
  out.push({ name: "fc.weight", shape: [cin, spec.classes], fanIn: cin });
  out.push({ name: "fc.bias", shape: [spec.classes], fanIn: cin });
  return out;
}

function create(spec: ModelSpec, weights: Record<string, Float32Array>): Model {
  const vars = makeVariables(paramShapes(spec), weights);
  const { params, buffers } = vars;
  const bns = WIDTHS.map((_, i) => batchNormVars(`bn${i + 1}`, params, buffers));
  const filters = WIDTHS.map((_, i) => params.get(`conv${i + 1}.weight`)! as tf.Tensor4D);
  return {
    ...vars,
    apply(x, training) {
      return tf.tidy(() => {
        let h = x;
        for (let i = 0; i < WIDTHS.length; i++) {
          h = tf.conv2d(h, filters[i], 1, "same");
          h = batchNorm(h, bns[i], training, true);
          if (i < WIDTHS.length - 1) h = tf.maxPool(h, 2, 2, "valid");
        }
        const [n, ph, pw, c] = h.shape;
        // Global average pooling as a batched [1, H·W] × [H·W, C] product: the
        // project's cpu matmul is fast both ways, where mean's broadcasting
        // gradient and AvgPoolGrad fall to slow stock kernels.
        const avg = tf.fill([n, 1, ph * pw], 1 / (ph * pw));
        const pooled = tf.reshape(tf.matMul(avg, tf.reshape(h, [n, ph * pw, c])), [n, c]);
        const fc = params.get("fc.weight")! as tf.Tensor2D;
        return tf.add(tf.matMul(pooled as tf.Tensor2D, fc), params.get("fc.bias")!);
      });
    },
    dispose() {
      disposeAll(vars);
    },
  };
}

/** Multiply-adds of the convs and the dense layer (batch norm, ReLU and pooling not counted). */
function flopsPerImage(spec: ModelSpec): number {
  paramShapes(spec); // validates the size
  let h = spec.height, w = spec.width, cin = spec.channels, macs = 0;
  WIDTHS.forEach((c, i) => {
    macs += h * w * c * 9 * cin;
    if (i < WIDTHS.length - 1) [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
    cin = c;
  });
  return macs + cin * spec.classes;
}

export const convnetBn: ModelPlugin = {
  name: "convnet_bn",
  title: "ConvNet with batch norm",
  description: `three 3×3 convs (${WIDTHS.join("→")} channels) each with batch norm and ReLU, ` +
    "max pooling after the first two, global average pooling, dense to the classes.",
  paramShapes,
  initialWeights: (spec, seed) => torchInit(paramShapes(spec), seed, batchNormInit),
  create,
  flopsPerImage,
};
