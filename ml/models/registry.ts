// TEMPORARY stand-in until the model plug-ins land (branch `models`).
import type * as tf from "@tensorflow/tfjs";
import { createModel, initialWeights, paramShapes, readWeights } from "../model.ts";
import type { Model, ModelPlugin, ModelSpec } from "./plugin.ts";

const convnet: ModelPlugin = {
  name: "convnet",
  title: "ConvNet",
  description: "the report's",
  paramShapes,
  initialWeights,
  create: (spec: ModelSpec, w: Record<string, Float32Array>): Model => {
    const m = createModel(spec, w);
    return { ...m, buffers: new Map<string, tf.Variable>(), apply: (x) => m.apply(x) };
  },
  flopsPerImage: () => 0,
};
export const MODELS: readonly ModelPlugin[] = [convnet];
export function getModel(name: string): ModelPlugin {
  const m = MODELS.find((x) => x.name === name);
  if (!m) {
    throw new Error(`unknown model "${name}"; use one of: ${MODELS.map((x) => x.name).join(", ")}`);
  }
  return m;
}
export const readModelWeights = (m: Model) => readWeights(new Map([...m.params, ...m.buffers]));
export const describeModels = (spec: ModelSpec) =>
  MODELS.map((m) => ({
    name: m.name,
    title: m.title,
    description: m.description,
    params: m.paramShapes(spec).filter((p) => p.trainable !== false)
      .reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0),
    flopsPerImage: m.flopsPerImage(spec),
  }));
