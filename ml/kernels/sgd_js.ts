// The SGD update as one JavaScript pass per parameter, into fresh arrays: the
// cpu backend's fused update before ml/kernels/sgd_resident.ts, kept as the
// reference its bits are tested against and as the bench's "simd-sgd" lever.
// Every operation is rounded to float32 (Math.fround) as tf.mul and tf.add
// round it, so it gives the op path's bits.
import type { SgdScalars } from "./sgd_resident.ts";

/** The new weights and momentum from w, v and the gradient g (none of them changed). */
export function sgdUpdateJs(
  wv: Float32Array,
  vv: Float32Array,
  g: Float32Array,
  s: SgdScalars,
): { w: Float32Array; v: Float32Array } {
  const f = Math.fround;
  const { momentum: mu, rate, clip, weightDecay: wd } = s;
  const n = wv.length;
  let gv = g;
  if (clip !== 1 || wd !== 0) {
    // d = g·clip + wd·w, rounded as tf.mul then tf.add round it.
    const d = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const c = clip === 1 ? gv[i] : f(gv[i] * clip);
      d[i] = wd === 0 ? c : f(c + f(wv[i] * wd));
    }
    gv = d;
  }
  const nw = new Float32Array(n);
  const nv = mu === 0 ? gv.slice() : new Float32Array(n);
  if (mu === 0) {
    for (let i = 0; i < n; i++) nw[i] = wv[i] - f(rate * gv[i]);
  } else {
    for (let i = 0; i < n; i++) {
      const m = f(f(mu * vv[i]) + gv[i]);
      nv[i] = m;
      nw[i] = wv[i] - f(rate * m);
    }
  }
  return { w: nw, v: nv };
}
