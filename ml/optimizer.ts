// SGD with momentum in PyTorch's convention (v = μv + g; w −= lr·v), with its
// state exposed for checkpoints, and PyTorch's StepLR schedule.
//
// On the cpu backend the update is fused: one pass per parameter over its
// float32 arrays (v and w written to fresh arrays, so a weight or momentum
// array someone read with data() never changes under them), instead of four
// kernel calls each copying through wasm memory. It rounds every operation
// to float32 as the kernels do, so both paths give the same bits.
import * as tf from "./tf.ts";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";

/** Whether the cpu backend takes the fused update (bench/levers.ts switches it to measure it). */
export const sgdFusion = { enabled: true };

export class SgdMomentum {
  readonly velocity = new Map<string, tf.Variable>();

  constructor(readonly params: Map<string, tf.Variable>, readonly momentum: number) {
    for (const [name, p] of params) {
      this.velocity.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  step(grads: Record<string, tf.Tensor>, lr: number): void {
    if (sgdFusion.enabled && tf.getBackend() === "cpu") return this.#stepCpu(grads, lr);
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = grads[p.name];
        if (!g) throw new Error(`no gradient for ${name}`);
        const v = this.velocity.get(name)!;
        const nv = this.momentum === 0 ? g : tf.add(tf.mul(v, this.momentum), g);
        v.assign(nv);
        p.assign(tf.sub(p, tf.mul(nv, lr)));
      }
    });
  }

  /** The same update as the op path, fused per parameter on the cpu backend's arrays. */
  #stepCpu(grads: Record<string, tf.Tensor>, lr: number): void {
    const backend = tf.backend() as MathBackendCPU;
    const values = (t: tf.Tensor) => backend.data.get(t.dataId).values as Float32Array;
    const f = Math.fround;
    const mu = f(this.momentum);
    const rate = f(lr);
    for (const [name, p] of this.params) {
      const g = grads[p.name];
      if (!g) throw new Error(`no gradient for ${name}`);
      if (p.dtype !== "float32" || g.dtype !== "float32" || g.size !== p.size) {
        throw new Error(`fused SGD needs float32 ${name} and its gradient of the same size`);
      }
      const v = this.velocity.get(name)!;
      const gv = values(g);
      const wv = values(p);
      const vv = values(v);
      const n = p.size;
      const nw = new Float32Array(n);
      const nv = this.momentum === 0 ? gv.slice() : new Float32Array(n);
      if (this.momentum === 0) {
        for (let i = 0; i < n; i++) nw[i] = wv[i] - f(rate * gv[i]);
      } else {
        for (let i = 0; i < n; i++) {
          const m = f(f(mu * vv[i]) + gv[i]);
          nv[i] = m;
          nw[i] = wv[i] - f(rate * m);
        }
      }
      assignValues(v, nv);
      assignValues(p, nw);
    }
  }

  async readState(): Promise<Record<string, Float32Array>> {
    const out: Record<string, Float32Array> = {};
    for (const [name, v] of this.velocity) out[name] = (await v.data()) as Float32Array;
    return out;
  }

  loadState(state: Record<string, Float32Array>): void {
    for (const [name, v] of this.velocity) {
      const s = state[name];
      if (!s || s.length !== v.size) throw new Error(`checkpoint has no momentum for ${name}`);
      tf.tidy(() => v.assign(tf.tensor(s, v.shape)));
    }
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
  }
}

/** v ← a tensor over `values` (taken, not copied). */
function assignValues(v: tf.Variable, values: Float32Array): void {
  const t = tf.tensor(values, v.shape, "float32");
  v.assign(t);
  t.dispose();
}

/** StepLR: lr0 · γ^⌊epoch/stepSize⌋, epoch counted from 0. */
export function stepLr(lr0: number, stepGamma: number, stepSize: number, epoch: number): number {
  return lr0 * Math.pow(stepGamma, Math.floor(epoch / stepSize));
}
