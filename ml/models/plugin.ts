// What a model plug-in is: its parameter shapes, PyTorch-style initial
// weights, a forward pass in tfjs ops, and its size. Each model lives in its
// own file and is listed once in ./registry.ts.
import type * as tf from "@tensorflow/tfjs-core";

export interface ModelSpec {
  height: number;
  width: number;
  channels: number;
  classes: number;
}

export interface ParamShape {
  name: string;
  shape: number[];
  fanIn: number;
  /** false for state that is checkpointed but not trained (batch-norm running statistics). */
  trainable?: boolean;
}

export interface Model {
  /** Trainable parameters in a fixed order (what the optimizer updates). */
  params: Map<string, tf.Variable>;
  /** Non-trainable state, checkpointed with the weights (may be empty). */
  buffers: Map<string, tf.Variable>;
  /** Logits for an NHWC float batch; `training` selects batch statistics and updates buffers. */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  dispose(): void;
}

export interface ModelPlugin {
  name: string;
  title: string;
  description: string;
  /** Every parameter and buffer; throws a clear Error for an input it cannot take. */
  paramShapes(spec: ModelSpec): ParamShape[];
  /** PyTorch's default initialisation, seeded (buffers at their PyTorch initial values). */
  initialWeights(spec: ModelSpec, seed: number): Record<string, Float32Array>;
  /** Builds the model from weights (parameters and buffers by name). */
  create(spec: ModelSpec, weights: Record<string, Float32Array>): Model;
  /** Multiply-adds of one forward pass of one image. */
  flopsPerImage(spec: ModelSpec): number;
}
