// The report's ConvNet, as plain tfjs ops over named variables (no tf.layers:
// the trainer needs the raw parameters for its optimizer and checkpoints).
//
// PyTorch: conv(3→4,k3) → ReLU → maxpool2 → conv(4→8,k3) → ReLU → maxpool2
//          → flatten → fc(→32) → ReLU → fc(→10)
// Layout here is NHWC with filters [kh, kw, in, out] and dense [in, out];
// flatten is in HWC order (PyTorch flattens CHW; tests transpose to compare).
import * as tf from "@tensorflow/tfjs";
import { Rng, Stream } from "./rng.ts";

export interface ModelSpec {
  height: number;
  width: number;
  channels: number;
  classes: number;
}

export interface Model {
  /** Parameters in a fixed order (the order of `paramShapes`). */
  params: Map<string, tf.Variable>;
  /** Logits for an NHWC float batch. */
  apply(x: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

interface ParamShape {
  name: string;
  shape: number[];
  fanIn: number;
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
  const rng = new Rng(seed, Stream.init);
  const out: Record<string, Float32Array> = {};
  for (const p of paramShapes(spec)) {
    const bound = 1 / Math.sqrt(p.fanIn);
    const a = new Float32Array(p.shape.reduce((x, y) => x * y, 1));
    for (let i = 0; i < a.length; i++) a[i] = (rng.float() * 2 - 1) * bound;
    out[p.name] = a;
  }
  return out;
}

export function createModel(spec: ModelSpec, weights: Record<string, Float32Array>): Model {
  const params = new Map<string, tf.Variable>();
  for (const p of paramShapes(spec)) {
    const w = weights[p.name];
    if (!w) throw new Error(`missing weight ${p.name}`);
    // tf.variable copies its initial value: build it in a tidy so that copy's source is freed.
    const variable = tf.tidy(() =>
      tf.variable(tf.tensor(w, p.shape), true, p.name + "_" + crypto.randomUUID())
    );
    params.set(p.name, variable);
  }
  const v = (n: string) => params.get(n)!;
  const flat = paramShapes(spec)[4].shape[0];

  return {
    params,
    apply(x) {
      return tf.tidy(() => {
        // Fused conv + bias + ReLU: one kernel call when not recording gradients
        // (evaluation); under a gradient tape tfjs runs the plain ops instead.
        const conv = (h: tf.Tensor4D, layer: string) =>
          tf.fused.conv2d({
            x: h,
            filter: v(`${layer}.weight`) as tf.Tensor4D,
            strides: 1,
            pad: "valid",
            bias: v(`${layer}.bias`),
            activation: "relu",
          });
        let h = tf.maxPool(conv(x, "conv1"), 2, 2, "valid");
        h = tf.maxPool(conv(h, "conv2"), 2, 2, "valid");
        const f = tf.reshape(h, [-1, flat]) as tf.Tensor2D;
        const d = tf.relu(tf.add(tf.matMul(f, v("fc1.weight") as tf.Tensor2D), v("fc1.bias")));
        return tf.add(tf.matMul(d as tf.Tensor2D, v("fc2.weight") as tf.Tensor2D), v("fc2.bias"));
      });
    },
    dispose() {
      for (const p of params.values()) p.dispose();
    },
  };
}

/** Copies every parameter to the CPU (await: WebGPU cannot read synchronously). */
export async function readWeights(
  params: Map<string, tf.Variable>,
): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [name, p] of params) out[name] = (await p.data()) as Float32Array;
  return out;
}
