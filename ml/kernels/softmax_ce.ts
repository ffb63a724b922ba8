// Softmax cross-entropy per sample, logsumexp(z) − Σ_k t_k z_k, as one
// custom-gradient op on the cpu backend: forward and backward are one pass
// each over the [B, K] logits, where the op path (ml/losses/ops.ts) takes
// about a dozen kernel calls each way (max, sub, exp, sum, log, mul, …).
//
// It is bit for bit the op path, not merely close: every intermediate the op
// path stores in a float32 tensor is rounded here with Math.fround at the same
// point, sums run in float64 in the same order as the cpu Sum kernel, and the
// gradient is accumulated in the order tfjs's tape adds the op path's
// contributions (the mul branch, then exp's, then max's). So adopting it
// changes no published number (`deno task study --check` retrains exactly).
// Other backends take the op path.
import * as tf from "../tf.ts";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";

const fr = Math.fround;

/**
 * Per-sample logsumexp(z) − Σ_k t_k z_k of `logits` [B, K] against float32 `target` [B, K]
 * (the one-hot labels for cross-entropy). No gradient flows to `target`.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, target: tf.Tensor2D): tf.Tensor1D {
  if (
    tf.getBackend() !== "cpu" || logits.dtype !== "float32" || target.dtype !== "float32" ||
    logits.rank !== 2 || !tf.util.arraysEqual(logits.shape, target.shape)
  ) {
    return opPath(logits, target);
  }
  const [B, K] = logits.shape;
  const backend = tf.backend() as MathBackendCPU;
  // The closures below hold value arrays, not tensors: the backward pass runs after the tidy
  // that made `target` (and maybe the logits) has disposed them, and the forward's own
  // intermediates need no tensors of their own. Copies: a disposed tensor's array may be a
  // wasm heap block (ml/kernels/resident.ts) that the next kernel reuses.
  const t = (backend.data.get(target.dataId).values as Float32Array).slice();
  const op = tf.customGrad((zIn) => {
    const z = (backend.data.get((zIn as tf.Tensor).dataId).values as Float32Array).slice();
    const max = new Float32Array(B);
    const sumExp = new Float32Array(B);
    const exps = new Float32Array(B * K);
    const ce = new Float32Array(B);
    for (let i = 0, o = 0; i < B; i++, o += K) {
      // Max: the stock kernel's scan (NaN wins).
      let m = z[o];
      for (let k = 1; k < K; k++) if (Number.isNaN(z[o + k]) || z[o + k] > m) m = z[o + k];
      let s = 0;
      for (let k = 0; k < K; k++) {
        const e = fr(Math.exp(fr(z[o + k] - m)));
        exps[o + k] = e;
        s += e;
      }
      const c = fr(s);
      let dot = 0;
      for (let k = 0; k < K; k++) dot += fr(z[o + k] * t[o + k]);
      ce[i] = fr(fr(m + fr(Math.log(c))) - fr(dot));
      max[i] = m;
      sumExp[i] = c;
    }
    return {
      value: tf.tensor1d(ce),
      gradFunc: (dy: tf.Tensor) => {
        const g = backend.data.get(dy.dataId).values as Float32Array;
        const dz = new Float32Array(B * K);
        for (let i = 0, o = 0; i < B; i++, o += K) {
          const gi = g[i];
          const dc = fr(gi / sumExp[i]); // log's gradient
          let sumDa = 0;
          for (let k = 0; k < K; k++) {
            const da = fr(dc * exps[o + k]); // exp's gradient
            sumDa += da;
            // The mul branch's −g·t first, then exp's (through sub's first input).
            dz[o + k] = fr(fr(-gi * t[o + k]) + da);
          }
          // max receives g (through the reshape) plus sub's −Σ da, then masks it.
          const dm = fr(gi + -fr(sumDa));
          // (dm · 0 where not the max: a signed zero, as the op path adds.)
          for (let k = 0; k < K; k++) {
            dz[o + k] = fr(dz[o + k] + dm * (z[o + k] === max[i] ? 1 : 0));
          }
        }
        return tf.tensor2d(dz, [B, K]);
      },
    };
  });
  return op(logits) as tf.Tensor1D;
}

/** The op path itself (ml/losses/ops.ts's formula), for other backends. */
export function opPath(logits: tf.Tensor2D, target: tf.Tensor2D): tf.Tensor1D {
  return tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, target), 1));
}
