// The cpu backend's SGD state resident in the kernels' own wasm memory: each
// parameter's weights and momentum are heap tensors (resident.ts) owned by their
// variables, so the forward and backward kernels read the weights where they lie,
// and the update runs in place there as one SIMD pass (assembly/sgd.ts) that reads
// each gradient in place too when a kernel left it resident. A step copies only a
// gradient from elsewhere (a stock JavaScript kernel's): no fresh arrays, no assign.
//
// In place, a weight array that someone read with data() would change under
// them; so the backend reads a resident array as a copy (`readResidentAsCopies`, resident.ts):
// data(), dataSync() and array() keep returning values that never change, while
// kernels, which read backend.data directly within one call, use it in place.
// A slot keeps its blocks' addresses, never views: any allocation may grow the
// memory and renew its buffer object (resident.ts re-points the tensors' own).
import type { DataId } from "@tensorflow/tfjs-core";
import * as tf from "../tf.ts";
import { readResidentAsCopies, residentTensor } from "./resident.ts";
import { type Backend, f32 } from "./util.ts";
import { blockBytes } from "./wasm/heap.ts";
import { HEAP_START, MAX_BYTES, wasmRuntime } from "./wasm/runtime.ts";

/** The update's scalars, each already a float32 (1 and 0 switch an option off). */
export interface SgdScalars {
  momentum: number;
  rate: number;
  clip: number;
  weightDecay: number;
}

/** A variable's heap block: its address, and the data id that owns it (the variable's until an assign). */
interface Home {
  ptr: number;
  id: DataId | undefined;
}

export class ResidentSgd {
  readonly #slots: { w: Home; v: Home }[];

  /**
   * Whether every parameter's weights and momentum fit in half of the kernels' 2 GiB memory above
   * its scratch, the other half left to activations and gradients. Larger models take the JS
   * pass, whose weights the kernels copy in one layer at a time.
   */
  static fits(sizes: number[]): boolean {
    return HEAP_START + sizes.reduce((s, n) => s + 2 * blockBytes(n), 0) <= MAX_BYTES / 2;
  }

  constructor(sizes: number[]) {
    this.#slots = sizes.map(() => ({ w: { ptr: 0, id: undefined }, v: { ptr: 0, id: undefined } }));
  }

  /**
   * One update of parameter `i` (`p`, its momentum `v`, gradient `g`): w and v move into
   * heap blocks of their own first if they are elsewhere (the first step, or after an assign).
   */
  update(i: number, p: tf.Variable, v: tf.Variable, g: tf.Tensor, s: SgdScalars): void {
    const backend = tf.backend() as Backend;
    readResidentAsCopies(backend);
    const rt = wasmRuntime();
    const slot = this.#slots[i];
    adopt(backend, p, slot.w);
    adopt(backend, v, slot.v);
    rt.reset(); // a copied gradient's scratch; no kernel is running
    const gp = rt.input(f32(backend, g)); // in place when a kernel left it resident
    const flags = (s.clip !== 1 ? 1 : 0) | (s.weightDecay !== 0 ? 2 : 0) |
      (s.momentum === 0 ? 4 : 0);
    rt.exports.sgd(
      slot.w.ptr,
      slot.v.ptr,
      gp,
      p.size,
      s.momentum,
      s.rate,
      s.clip,
      s.weightDecay,
      flags,
    );
  }
}

/**
 * Moves `t` into a heap block of its own (`home`), copying its current values there, unless it
 * is there already. The block belongs to the new data id: freed when `t` is disposed or assigned.
 */
function adopt(backend: Backend, t: tf.Variable, home: Home): void {
  if (t.dataId === home.id) return;
  const rt = wasmRuntime();
  const n = t.size;
  const ptr = rt.block(n); // may grow the memory: read t's values after it
  rt.f32.set(f32(backend, t), ptr >> 2);
  const info = residentTensor(backend, t.shape, ptr, n);
  const moved = tf.engine().makeTensorFromTensorInfo(info, backend);
  t.assign(moved);
  moved.dispose();
  home.ptr = ptr;
  home.id = t.dataId;
}

/**
 * clip_grad_norm_'s factor as the op path computes it on the cpu backend (ml/optimizer.ts
 * #clipCoefficient), without its ops: each ‖g‖ is sqrt(Σ pow(|gᵢ|, 2)) with every square
 * rounded to float32 (exact in float64 first, as Math.pow(x, 2) = x·x is) and the sum
 * accumulated in float64 in order, as the Sum kernel does; then the same over the norms,
 * min(max / (total + 1e-6), 1) in float32. One pass over each gradient instead of
 * three kernels (the stock Pow alone took ~150 ms of the MLP's step).
 */
export function clipFactor(grads: Float32Array[], maxNorm: number): number {
  const f = Math.fround;
  let total = 0;
  for (const g of grads) {
    let s = 0;
    for (let i = 0; i < g.length; i++) s += f(g[i] * g[i]);
    const norm = f(Math.sqrt(f(s)));
    total += f(norm * norm);
  }
  const t = f(Math.sqrt(f(total)));
  return Math.min(f(f(maxNorm) / f(t + f(1e-6))), 1);
}
