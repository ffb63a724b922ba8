// Batch normalisation over NHWC's channel axis, in PyTorch's convention:
// training normalises with the batch's biased variance and moves the running
// statistics by momentum 0.1 towards the batch mean and *unbiased* variance;
// evaluation uses the running statistics.
//
// Training is one custom-gradient op with the closed-form backward, built
// from reductions over the leading axes and per-channel broadcasts only (the
// project's fast cpu kernels cover both; every backend has them): autodiff
// through tf.moments would also differentiate the statistics' own ops.
import * as tf from "@tensorflow/tfjs";

export const BN_MOMENTUM = 0.1;
export const BN_EPS = 1e-5;

export interface BatchNormVars {
  weight: tf.Variable;
  bias: tf.Variable;
  runningMean: tf.Variable;
  runningVar: tf.Variable;
}

const AXES = [0, 1, 2];

export function batchNorm(x: tf.Tensor4D, bn: BatchNormVars, training: boolean): tf.Tensor4D {
  if (!training) {
    const [rm, rv] = [bn.runningMean, bn.runningVar] as tf.Tensor1D[];
    return tf.batchNorm4d(x, rm, rv, bn.bias as tf.Tensor1D, bn.weight as tf.Tensor1D, BN_EPS);
  }
  const [n, h, w] = x.shape;
  const m = n * h * w;
  if (m < 2) {
    throw new Error(`batch norm in training needs more than 1 value per channel (got ${x.shape})`);
  }
  const f = tf.customGrad((xIn, gIn, bIn, save) => {
    const x = xIn as tf.Tensor4D;
    const g = gIn as tf.Tensor1D;
    const mean = tf.div(tf.sum(x, AXES), m);
    const d = tf.sub(x, mean);
    const variance = tf.div(tf.sum(tf.mul(d, d), AXES), m);
    const invStd = tf.rsqrt(tf.add(variance, BN_EPS));
    const y = tf.add(tf.mul(d, tf.mul(g, invStd)), bIn as tf.Tensor1D) as tf.Tensor4D;
    (save as tf.GradSaveFunc)([d, invStd, g]);
    // The running statistics move once per forward pass, as in PyTorch (this
    // runs inside the op's own tidy; assign keeps the new values alive).
    const mom = BN_MOMENTUM;
    bn.runningMean.assign(tf.add(tf.mul(bn.runningMean, 1 - mom), tf.mul(mean, mom)));
    const unbiased = tf.mul(variance, m / (m - 1));
    bn.runningVar.assign(tf.add(tf.mul(bn.runningVar, 1 - mom), tf.mul(unbiased, mom)));
    return {
      value: y,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [d, invStd, g] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
        // x̂ = d·s with s = 1/σ; k = γ·s.
        // dβ = Σ dy, dγ = s·Σ dy·d, dx = k·dy − k·dβ/m − d·(k·s²·Σ dy·d / m).
        const dBeta = tf.sum(dy, AXES);
        const dyD = tf.sum(tf.mul(dy, d), AXES);
        const k = tf.mul(g, invStd);
        const shift = tf.mul(k, tf.div(dBeta, m));
        const slope = tf.mul(tf.mul(k, tf.square(invStd)), tf.div(dyD, m));
        const dx = tf.sub(tf.sub(tf.mul(dy, k), tf.mul(d, slope)), shift);
        return [dx, tf.mul(dyD, invStd), dBeta];
      },
    };
  });
  return f(x, bn.weight, bn.bias) as tf.Tensor4D;
}

/** The four named variables of batch-norm layer `layer` ("bn1" → bn1.weight, ...). */
export function batchNormVars(
  layer: string,
  params: Map<string, tf.Variable>,
  buffers: Map<string, tf.Variable>,
): BatchNormVars {
  return {
    weight: params.get(`${layer}.weight`)!,
    bias: params.get(`${layer}.bias`)!,
    runningMean: buffers.get(`${layer}.running_mean`)!,
    runningVar: buffers.get(`${layer}.running_var`)!,
  };
}
