// What a loss plug-in is: a name, a parameter schema (defaults and bounds,
// unknown parameters refused), a label for charts, and the loss in tfjs ops.
// Each loss lives in its own file and is listed once in ./registry.ts.
import type * as tf from "@tensorflow/tfjs-core";
import type { z } from "zod";
import type { LossParams } from "../types.ts";

/** Mean-reduced over the batch. `labels` are int32 class indices. */
export type LossFn = (logits: tf.Tensor2D, labels: tf.Tensor1D) => tf.Scalar;

/** What a loss may know about the run besides its batch. */
export interface LossContext {
  classes: number;
  /** Images per class (given label) in the split being trained on. */
  trainCounts: number[];
}

export interface LossPlugin {
  /** The API and CLI name, e.g. "focal". */
  name: string;
  /** A short human title, e.g. "Focal loss". */
  title: string;
  /** One line: what it is and where it comes from. */
  description: string;
  /** A strict zod object of numbers with defaults and bounds (z.strictObject({}) for none). */
  params: z.ZodObject;
  /** A chart label with the parameters, e.g. "focal γ=2". */
  label(params: LossParams): string;
  build(params: LossParams, ctx: LossContext): LossFn;
}
