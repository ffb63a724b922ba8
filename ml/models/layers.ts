// Building blocks the model plug-ins share: PyTorch's default initialisation,
// named variables from a weights record, and layer arithmetic for sizes.
import * as tf from "../tf.ts";
import { Rng, Stream } from "../rng.ts";
import type { Model, ParamShape } from "./plugin.ts";

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * PyTorch's default init for Conv2d/Linear: U(±1/√fan_in) for weights and
 * biases, drawn in `shapes` order from the seed's init stream. Names in
 * `constant` (batch-norm weights, biases and running statistics) get that value
 * instead and draw nothing.
 */
export function torchInit(
  shapes: ParamShape[],
  seed: number,
  constant: (name: string) => number | undefined = () => undefined,
): Record<string, Float32Array> {
  const rng = new Rng(seed, Stream.init);
  const out: Record<string, Float32Array> = {};
  for (const p of shapes) {
    const a = new Float32Array(size(p.shape));
    const c = constant(p.name);
    if (c !== undefined) {
      a.fill(c);
    } else {
      const bound = 1 / Math.sqrt(p.fanIn);
      for (let i = 0; i < a.length; i++) a[i] = (rng.float() * 2 - 1) * bound;
    }
    out[p.name] = a;
  }
  return out;
}

/** Batch-norm state at PyTorch's initial values: weight 1, bias 0, running mean 0, var 1. */
export function batchNormInit(name: string): number | undefined {
  if (!/^bn\d+\./.test(name)) return undefined;
  return name.endsWith(".weight") || name.endsWith(".running_var") ? 1 : 0;
}

/** Trainable parameters and buffers as tf.Variables, checked against `shapes`. */
export function makeVariables(
  shapes: ParamShape[],
  weights: Record<string, Float32Array>,
): Pick<Model, "params" | "buffers"> {
  const params = new Map<string, tf.Variable>();
  const buffers = new Map<string, tf.Variable>();
  for (const p of shapes) {
    const w = weights[p.name];
    if (!w) throw new Error(`missing weight ${p.name}`);
    if (w.length !== size(p.shape)) {
      throw new Error(`weight ${p.name} has ${w.length} values, expected ${size(p.shape)}`);
    }
    const trainable = p.trainable !== false;
    // tf.variable copies its initial value: build it in a tidy so that copy's source is freed.
    // Unique names: tfjs keeps one registry of variables for every model in the process.
    const variable = tf.tidy(() =>
      tf.variable(tf.tensor(w, p.shape), trainable, p.name + "_" + crypto.randomUUID())
    );
    (trainable ? params : buffers).set(p.name, variable);
  }
  return { params, buffers };
}

/** Disposes every variable of a model. */
export function disposeAll(m: Pick<Model, "params" | "buffers">): void {
  for (const v of m.params.values()) v.dispose();
  for (const v of m.buffers.values()) v.dispose();
}

/** Trainable values in `shapes` (what PyTorch's sum(p.numel() for p in parameters()) counts). */
export function countParams(shapes: ParamShape[]): number {
  return shapes.filter((p) => p.trainable !== false).reduce((n, p) => n + size(p.shape), 0);
}

/** Copies variables to the CPU by name (await: WebGPU cannot read synchronously). */
export async function readVariables(
  vars: Map<string, tf.Variable>,
): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [name, v] of vars) out[name] = (await v.data()) as Float32Array;
  return out;
}
