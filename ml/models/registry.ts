// The model plug-ins, listed once. The first is the default (the report's).
import { convnet } from "./convnet.ts";
import { convnetBn } from "./convnet_bn.ts";
import { countParams, readVariables } from "./layers.ts";
import { mlp } from "./mlp.ts";
import type { Model, ModelPlugin, ModelSpec } from "./plugin.ts";

export const MODELS: readonly ModelPlugin[] = [convnet, convnetBn, mlp];

export const DEFAULT_MODEL = MODELS[0].name;

export function getModel(name: string): ModelPlugin {
  const m = MODELS.find((p) => p.name === name);
  if (!m) {
    throw new Error(`unknown model "${name}" (known: ${MODELS.map((p) => p.name).join(", ")})`);
  }
  return m;
}

export interface ModelDescription {
  name: string;
  title: string;
  description: string;
  /** Trainable values (PyTorch's sum(p.numel() for p in model.parameters())). */
  params: number;
  /** Multiply-adds of one forward pass of one image. */
  flopsPerImage: number;
}

/** Every model with its size for `spec` (what GET /api/models lists). */
export function describeModels(spec: ModelSpec): ModelDescription[] {
  return MODELS.map((m) => ({
    name: m.name,
    title: m.title,
    description: m.description,
    params: countParams(m.paramShapes(spec)),
    flopsPerImage: m.flopsPerImage(spec),
  }));
}

/** Parameters and buffers by name, copied to the CPU (a checkpoint's weights). */
export async function readModelWeights(model: Model): Promise<Record<string, Float32Array>> {
  return { ...(await readVariables(model.params)), ...(await readVariables(model.buffers)) };
}
