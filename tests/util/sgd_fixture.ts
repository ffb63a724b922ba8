// The SGD cases of tests/fixtures/reference_optimizer.json (tools/make_optimizer_fixtures.py):
// five PyTorch steps with weight decay and/or gradient clipping on fixed gradients, run
// through SgdMomentum on whatever backend is set, and compared step by step.
import * as tf from "../../ml/tf.ts";
import { sgdFusion, SgdMomentum, type SgdOptions } from "../../ml/optimizer.ts";
import { AssertionError, scaledError } from "./assert.ts";

type Tensors = Record<string, number[]>;
export interface SgdCase {
  momentum: number;
  weightDecay: number;
  gradClip: number | null;
  steps: { lr: number; norm?: number; clipped?: boolean; weights: Tensors; momentum?: Tensors }[];
}
export const ref = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/reference_optimizer.json", import.meta.url)),
) as {
  sgd: {
    shapes: Record<string, number[]>;
    initial: Tensors;
    grads: Tensors[];
    cases: Record<string, SgdCase>;
  };
  schedules: { lr: number; epochs: number; warmupEpochs: number; lrs: number[] }[];
};
const { shapes, initial, grads } = ref.sgd;

export type Steps = { w: Tensors; v: Tensors }[];

/** The fixture's five steps through SgdMomentum; weights and momenta after each. */
export async function runCase(c: SgdCase, opts: SgdOptions, fused: boolean): Promise<Steps> {
  sgdFusion.enabled = fused;
  const params = new Map<string, tf.Variable>();
  for (const [n, s] of Object.entries(shapes)) {
    params.set(n, tf.variable(tf.tensor(initial[n], s), true, `p_${n}`));
  }
  const opt = new SgdMomentum(params, c.momentum, opts);
  const out: Steps = [];
  try {
    for (const [k, step] of c.steps.entries()) {
      const g: Record<string, tf.Tensor> = {};
      for (const [n, s] of Object.entries(shapes)) g[`p_${n}`] = tf.tensor(grads[k][n], s);
      opt.step(g, step.lr);
      tf.dispose(Object.values(g));
      const w: Tensors = {}, v: Tensors = {};
      for (const [n, p] of params) w[n] = Array.from(await p.data());
      for (const [n, m] of opt.velocity) v[n] = Array.from(await m.data());
      out.push({ w, v });
    }
    return out;
  } finally {
    sgdFusion.enabled = true;
    opt.dispose();
    tf.dispose([...params.values()]);
  }
}

export const optionsOf = (c: SgdCase): SgdOptions => ({
  weightDecay: c.weightDecay,
  ...(c.gradClip === null ? {} : { gradClip: c.gradClip }),
});

/**
 * Each step's weights and momenta within a few float32 ulps of PyTorch's: its CPU
 * kernels fuse multiply-adds (one rounding where tfjs has two), so bits can differ.
 * The smallest option effect here (decay: lr·wd·w = 0.5% of w per step) is 5000× that.
 */
export function checkCase(name: string, c: SgdCase, got: Steps): void {
  c.steps.forEach((step, k) => {
    for (const n of Object.keys(shapes)) {
      const e = scaledError(got[k].w[n], step.weights[n]);
      if (!(e <= 1e-6)) throw new AssertionError(`${name} step ${k + 1} ${n}: error ${e}`);
      if (step.momentum) {
        const em = scaledError(got[k].v[n], step.momentum[n]);
        if (!(em <= 1e-6)) throw new AssertionError(`${name} step ${k + 1} v.${n}: error ${em}`);
      }
    }
  });
}
