// A small multilayer perceptron: flatten → 512 → ReLU → 256 → ReLU → classes.
// Layout: dense [in, out]; the flatten is in HWC order (NHWC input), so
// fc1.weight's rows are PyTorch's CHW-ordered columns permuted.
import * as tf from "../tf.ts";
import { disposeAll, makeVariables, torchInit } from "./layers.ts";
import type { Model, ModelPlugin, ModelSpec, ParamShape } from "./plugin.ts";

/** An MLP with these hidden widths (the registered one is `mlp`; tests use a narrow one). */
export function mlpPlugin(hidden: readonly number[]): ModelPlugin {
  const paramShapes = (spec: ModelSpec) => shapes(spec, hidden);
  return {
    name: "mlp",
    title: "MLP",
    description: `flatten, ${hidden.map((h) => `dense ${h} + ReLU`).join(", ")}, ` +
      "dense to the classes.",
    paramShapes,
    initialWeights: (spec, seed) => torchInit(paramShapes(spec), seed),
    create: (spec, weights) => create(spec, hidden, weights),
    /** Multiply-adds of the dense layers. */
    flopsPerImage: (spec) =>
      paramShapes(spec).filter((s) => s.name.endsWith(".weight"))
        .reduce((n, s) => n + s.shape[0] * s.shape[1], 0),
  };
}

export const mlp: ModelPlugin = mlpPlugin([512, 256]);

function shapes(spec: ModelSpec, hidden: readonly number[]): ParamShape[] {
  if (spec.height < 1 || spec.width < 1 || spec.channels < 1) {
    throw new Error(`images of ${spec.height}×${spec.width}×${spec.channels} are empty`);
  }
  const sizes = [spec.height * spec.width * spec.channels, ...hidden, spec.classes];
  return sizes.slice(1).flatMap((out, i) => [
    { name: `fc${i + 1}.weight`, shape: [sizes[i], out], fanIn: sizes[i] },
    { name: `fc${i + 1}.bias`, shape: [out], fanIn: sizes[i] },
  ]);
}

function create(
  spec: ModelSpec,
  hidden: readonly number[],
  weights: Record<string, Float32Array>,
): Model {
  const vars = makeVariables(shapes(spec, hidden), weights);
  const p = (n: string) => vars.params.get(n)!;
  const layers = hidden.length + 1;
  return {
    ...vars,
    apply(x) {
      return tf.tidy(() => {
        let h = tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
        for (let i = 1; i <= layers; i++) {
          h = tf.add(tf.matMul(h, p(`fc${i}.weight`) as tf.Tensor2D), p(`fc${i}.bias`));
          if (i < layers) h = tf.relu(h);
        }
        return h;
      });
    },
    dispose() {
      disposeAll(vars);
    },
  };
}
