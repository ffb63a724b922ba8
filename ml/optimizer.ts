// SGD with momentum in PyTorch's convention (v = μv + g; w −= lr·v), with its
// state exposed for checkpoints, and PyTorch's StepLR schedule.
import * as tf from "@tensorflow/tfjs";

export class SgdMomentum {
  readonly velocity = new Map<string, tf.Variable>();

  constructor(readonly params: Map<string, tf.Variable>, readonly momentum: number) {
    for (const [name, p] of params) {
      this.velocity.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  step(grads: Record<string, tf.Tensor>, lr: number): void {
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

/** StepLR: lr0 · γ^⌊epoch/stepSize⌋, epoch counted from 0. */
export function stepLr(lr0: number, stepGamma: number, stepSize: number, epoch: number): number {
  return lr0 * Math.pow(stepGamma, Math.floor(epoch / stepSize));
}
