// SGD with momentum in PyTorch's convention (v = μv + g; w −= lr·v), with its
// state exposed for checkpoints. Optionally, as torch.optim.SGD(weight_decay)
// and clip_grad_norm_ do: the gradients' global L2 norm clipped to `gradClip`
// (clip acts on .grad, so first), then L2 weight decay added to the gradient
// (d = g + wd·w) before momentum. Either option off leaves the update exactly
// as before: no extra operation runs.
//
// On the cpu backend the update is fused: one SIMD pass per parameter over its
// weights and momentum, kept resident in the kernels' wasm memory (where the
// forward and backward kernels read them, and the gradients lie) and updated in
// place (ml/kernels/sgd_resident.ts; data() still returns arrays that never
// change), instead of four kernel calls each copying through wasm memory. It rounds
// every operation to float32 as the kernels do, so both paths give the same bits.
import * as tf from "./tf.ts";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { clipFactor, ResidentSgd, type SgdScalars } from "./kernels/sgd_resident.ts";
import { sgdUpdateJs } from "./kernels/sgd_js.ts";

export { stepLr } from "./schedule.ts";

/**
 * Whether the cpu backend takes the fused update, and whether in SIMD over resident arrays or
 * in JavaScript into fresh ones (bench/levers.ts switches them to measure them).
 */
export const sgdFusion = { enabled: true, simd: true };

/** The options beyond momentum; absent or 0: off. */
export interface SgdOptions {
  weightDecay?: number;
  gradClip?: number;
}

export class SgdMomentum {
  readonly velocity = new Map<string, tf.Variable>();
  readonly weightDecay: number;
  readonly gradClip: number | undefined;
  /** The cpu backend's resident weights and momentum, made at the first fused step (null: too big). */
  #resident: ResidentSgd | null | undefined;

  constructor(
    readonly params: Map<string, tf.Variable>,
    readonly momentum: number,
    opts: SgdOptions = {},
  ) {
    this.weightDecay = opts.weightDecay ?? 0;
    this.gradClip = opts.gradClip ?? undefined;
    for (const [name, p] of params) {
      this.velocity.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  step(grads: Record<string, tf.Tensor>, lr: number): void {
    if (sgdFusion.enabled && tf.getBackend() === "cpu") return this.#stepCpu(grads, lr);
    tf.tidy(() => {
      const coef = this.gradClip === undefined ? null : this.#clipCoefficient(grads);
      for (const [name, p] of this.params) {
        let g = grads[p.name];
        if (!g) throw new Error(`no gradient for ${name}`);
        if (coef) g = tf.mul(g, coef);
        if (this.weightDecay > 0) g = tf.add(g, tf.mul(p, this.weightDecay));
        const v = this.velocity.get(name)!;
        const nv = this.momentum === 0 ? g : tf.add(tf.mul(v, this.momentum), g);
        v.assign(nv);
        p.assign(tf.sub(p, tf.mul(nv, lr)));
      }
    });
  }

  /**
   * clip_grad_norm_'s factor, on the device: min(max_norm / (‖(‖g₁‖, …, ‖gₙ‖)‖ + 1e-6), 1).
   * Like PyTorch it multiplies by the clamped factor instead of branching on it
   * (no read back); a factor of 1 leaves every bit.
   */
  #clipCoefficient(grads: Record<string, tf.Tensor>): tf.Scalar {
    return tf.tidy(() => {
      const norms = [...this.params.values()].map((p) => {
        const g = grads[p.name];
        if (!g) throw new Error(`no gradient for ${p.name}`);
        return tf.norm(g);
      });
      const total = tf.norm(tf.stack(norms));
      return tf.minimum(tf.div(this.gradClip!, tf.add(total, 1e-6)), 1) as tf.Scalar;
    });
  }

  /** The same update as the op path, fused per parameter on the cpu backend's arrays. */
  #stepCpu(grads: Record<string, tf.Tensor>, lr: number): void {
    const backend = tf.backend() as MathBackendCPU;
    const values = (t: tf.Tensor) => backend.data.get(t.dataId).values as Float32Array;
    const f = Math.fround;
    const params = [...this.params];
    const gs = params.map(([name, p]) => {
      const g = grads[p.name];
      if (!g) throw new Error(`no gradient for ${name}`);
      if (p.dtype !== "float32" || g.dtype !== "float32" || g.size !== p.size) {
        throw new Error(`fused SGD needs float32 ${name} and its gradient of the same size`);
      }
      return g;
    });
    // The options' factors as the op path's float32 scalars; 1 and 0 mean off.
    let clip = 1;
    if (this.gradClip !== undefined && sgdFusion.simd) {
      clip = clipFactor(gs.map(values), this.gradClip);
    } else if (this.gradClip !== undefined) {
      const coef = this.#clipCoefficient(grads);
      clip = coef.dataSync()[0];
      coef.dispose();
    }
    const s: SgdScalars = {
      momentum: f(this.momentum),
      rate: f(lr),
      clip,
      weightDecay: f(this.weightDecay),
    };
    if (this.#resident === undefined) {
      const sizes = params.map(([, p]) => p.size);
      this.#resident = ResidentSgd.fits(sizes) ? new ResidentSgd(sizes) : null;
    }
    for (const [i, [name, p]] of params.entries()) {
      const v = this.velocity.get(name)!;
      if (sgdFusion.simd && this.#resident) {
        this.#resident.update(i, p, v, gs[i], s);
      } else {
        const next = sgdUpdateJs(values(p), values(v), values(gs[i]), s);
        assignValues(v, next.v);
        assignValues(p, next.w);
      }
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
