// The cpu backend's SGD state resident in WebAssembly memory: each parameter's
// weights and momentum live in one linear memory of their own (sized once, never
// grown, so the arrays over it stay valid), and the update runs in place there
// as one SIMD pass (assembly/sgd.ts). A step copies only the gradient in: no
// fresh arrays (whose page faults were a quarter of the MLP's update), and no
// tfjs assign.
//
// In place, a weight array that someone read with data() would change under
// them; so the backend reads a resident array as a copy (`readResidentAsCopies`, resident.ts):
// data(), dataSync() and array() keep returning values that never change, while
// kernels, which read backend.data directly within one call, use it in place.
import * as tf from "../tf.ts";
import { readResidentAsCopies, residentViews } from "./resident.ts";
import { type Backend, f32 } from "./util.ts";
import { kernelsModule, WasmRuntime } from "./wasm/runtime.ts";

/** The update's scalars, each already a float32 (1 and 0 switch an option off). */
export interface SgdScalars {
  momentum: number;
  rate: number;
  clip: number;
  weightDecay: number;
}

const PAGE = 65536;
/** Where the first block starts, as WasmRuntime's scratch (clear of the module's low data). */
const BASE = PAGE;
/** WasmRuntime.alloc's block: n floats, 16 bytes of slack, 16-byte aligned. */
const block = (floats: number) => (floats * 4 + 16 + 15) & ~15;
/** The module imports a memory of at least this many pages and at most this many. */
const MIN_PAGES = 16;
const MAX_PAGES = 32768;

interface Slot {
  w: Float32Array;
  v: Float32Array;
}

export class ResidentSgd {
  readonly #rt: WasmRuntime;
  readonly #slots: Slot[] = [];
  readonly #g: number;

  /** Pages for every parameter's weights and momentum, and one gradient's scratch. */
  static pages(sizes: number[]): number {
    const bytes = BASE + sizes.reduce((s, n) => s + 2 * block(n), 0) + block(Math.max(0, ...sizes));
    return Math.max(MIN_PAGES, Math.ceil(bytes / PAGE));
  }

  /** Whether the parameters fit the module's memory (2 GiB; the JS pass takes larger models). */
  static fits(sizes: number[]): boolean {
    return ResidentSgd.pages(sizes) <= MAX_PAGES;
  }

  constructor(sizes: number[]) {
    const pages = ResidentSgd.pages(sizes);
    this.#rt = new WasmRuntime(
      kernelsModule(),
      new WebAssembly.Memory({ initial: pages, maximum: pages }),
      { scratch: pages * PAGE }, // every block in scratch: this memory never grows
    );
    const buffer = this.#rt.memory.buffer;
    const view = (n: number) => {
      const a = new Float32Array(buffer, this.#rt.alloc(n), n);
      residentViews.add(a);
      return a;
    };
    for (const n of sizes) this.#slots.push({ w: view(n), v: view(n) });
    this.#g = this.#rt.alloc(Math.max(0, ...sizes));
  }

  /**
   * One update of parameter `i` (`p`, its momentum `v`, gradient `g`): w and v move into
   * their resident arrays first if they are elsewhere (the first step, or after an assign).
   */
  update(i: number, p: tf.Variable, v: tf.Variable, g: tf.Tensor, s: SgdScalars): void {
    const backend = tf.backend() as Backend;
    readResidentAsCopies(backend);
    const slot = this.#slots[i];
    adopt(backend, p, slot.w);
    adopt(backend, v, slot.v);
    const n = slot.w.length;
    this.#rt.f32.set(f32(backend, g), this.#g >> 2);
    const flags = (s.clip !== 1 ? 1 : 0) | (s.weightDecay !== 0 ? 2 : 0) |
      (s.momentum === 0 ? 4 : 0);
    this.#rt.exports.sgd(
      slot.w.byteOffset,
      slot.v.byteOffset,
      this.#g,
      n,
      s.momentum,
      s.rate,
      s.clip,
      s.weightDecay,
      flags,
    );
  }
}

/** Points `t` at `home`, copying its current values there, unless it is there already. */
function adopt(backend: Backend, t: tf.Variable, home: Float32Array): void {
  const values = f32(backend, t);
  if (values === home) return;
  home.set(values);
  const moved = tf.tensor(home, t.shape, "float32"); // taken, not copied
  t.assign(moved);
  moved.dispose();
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
