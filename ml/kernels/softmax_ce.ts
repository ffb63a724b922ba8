// Softmax cross-entropy per sample, −log softmax(z)_y = logsumexp(z) − z_y, as
// one custom-gradient op: forward and backward are one pass each over the
// [B, K] logits on the cpu backend (float64 inside, rounded to float32 once),
// where the op path takes about a dozen kernel calls each way (oneHot, max,
// exp, sum, log, mul, …). The gradient is (softmax(z) − onehot(y)) · dy.
// Other backends take the op path. For a loss plug-in to call (ce, focal,
// the class-balanced ones); see the Performance section of the README.
import * as tf from "@tensorflow/tfjs";

/** Per-sample cross-entropy of `logits` [B, K] against int32 `labels` [B] in 0..K−1. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  if (tf.getBackend() !== "cpu" || logits.dtype !== "float32") return opPath(logits, labels);
  const [B, K] = logits.shape;
  const y = labels.dataSync();
  for (let i = 0; i < B; i++) {
    if (!(y[i] >= 0 && y[i] < K)) throw new Error(`label ${y[i]} outside 0..${K - 1}`);
  }
  const op = tf.customGrad((zIn, save) => {
    const zv = (zIn as tf.Tensor).dataSync();
    const probs = new Float32Array(B * K);
    const ce = new Float32Array(B);
    for (let i = 0, o = 0; i < B; i++, o += K) {
      let m = -Infinity;
      for (let k = 0; k < K; k++) m = Math.max(m, zv[o + k]);
      let s = 0;
      for (let k = 0; k < K; k++) s += Math.exp(zv[o + k] - m);
      for (let k = 0; k < K; k++) probs[o + k] = Math.exp(zv[o + k] - m) / s;
      ce[i] = m + Math.log(s) - zv[o + y[i]];
    }
    const p = tf.tensor2d(probs, [B, K]);
    (save as tf.GradSaveFunc)([p]);
    return {
      value: tf.tensor1d(ce),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const pv = saved[0].dataSync();
        const d = dy.dataSync();
        const g = new Float32Array(B * K);
        for (let i = 0, o = 0; i < B; i++, o += K) {
          for (let k = 0; k < K; k++) g[o + k] = (pv[o + k] - (k === y[i] ? 1 : 0)) * d[i];
        }
        return tf.tensor2d(g, [B, K]);
      },
    };
  });
  return op(logits) as tf.Tensor1D;
}

/** The same in plain ops (ml/losses/ops.ts crossEntropy's formula), for other backends. */
function opPath(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, logits.shape[1]).toFloat();
    return tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, oneHot), 1)) as tf.Tensor1D;
  });
}
