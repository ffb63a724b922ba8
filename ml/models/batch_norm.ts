// Batch normalisation over NHWC's channel axis, in PyTorch's convention:
// training normalises with the batch's biased variance and moves the running
// statistics by momentum 0.1 towards the batch mean and *unbiased* variance;
// evaluation uses the running statistics.
//
// Training is one custom-gradient op with the closed-form backward (autodiff
// through tf.moments would also differentiate the statistics' own ops). Where
// the backend has the project's fused kernels (cpu: ml/kernels/BatchNormTrain*.ts)
// forward and backward are one kernel each; elsewhere (WebGPU, or cpu with the
// stock kernels) they are plain ops: reductions over the leading axes and
// per-channel broadcasts.
import * as tf from "../tf.ts";
import { BatchNormTrain } from "../kernels/BatchNormTrain.ts";
import { BatchNormTrainGrad } from "../kernels/BatchNormTrainGrad.ts";

export const BN_MOMENTUM = 0.1;
export const BN_EPS = 1e-5;

export interface BatchNormVars {
  weight: tf.Variable;
  bias: tf.Variable;
  runningMean: tf.Variable;
  runningVar: tf.Variable;
}

const AXES = [0, 1, 2];

export function batchNorm(
  x: tf.Tensor4D,
  bn: BatchNormVars,
  training: boolean,
  relu = false,
): tf.Tensor4D {
  if (!training) {
    const [rm, rv] = [bn.runningMean, bn.runningVar] as tf.Tensor1D[];
    const y = tf.batchNorm4d(x, rm, rv, bn.bias as tf.Tensor1D, bn.weight as tf.Tensor1D, BN_EPS);
    return relu ? tf.relu(y) : y;
  }
  const [n, h, w] = x.shape;
  const m = n * h * w;
  if (m < 2) {
    throw new Error(`batch norm in training needs more than 1 value per channel (got ${x.shape})`);
  }
  const fused = hasKernel(BatchNormTrain) && hasKernel(BatchNormTrainGrad);
  const f = tf.customGrad((xIn, gIn, bIn, save) => {
    const [x, g, b] = [xIn, gIn, bIn] as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    // With `relu`, the kernel applies ReLU in its last pass (and its gradient takes y for
    // the mask); the ops path applies tf.relu after, with the same bits.
    const fwd = fused ? forwardKernel(x, g, b, relu) : forwardOps(x, g, b);
    const { mean, variance } = fwd;
    const y = relu && !fused ? tf.relu(fwd.y) : fwd.y;
    (save as tf.GradSaveFunc)(relu ? [x, mean, variance, g, y] : [x, mean, variance, g]);
    // The running statistics move once per forward pass, as in PyTorch (this
    // runs inside the op's own tidy; assign keeps the new values alive).
    const mom = BN_MOMENTUM;
    bn.runningMean.assign(tf.add(tf.mul(bn.runningMean, 1 - mom), tf.mul(mean, mom)));
    const unbiased = tf.mul(variance, m / (m - 1));
    bn.runningVar.assign(tf.add(tf.mul(bn.runningVar, 1 - mom), tf.mul(unbiased, mom)));
    return {
      value: y,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [x, mean, variance, g, y] = saved as [
          tf.Tensor4D,
          tf.Tensor1D,
          tf.Tensor1D,
          tf.Tensor1D,
          tf.Tensor4D | undefined,
        ];
        if (fused) return backwardKernel(dy, x, mean, variance, g, y);
        return backwardOps(y ? tf.mul(dy, tf.step(y)) : dy, x, mean, variance, g);
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

const hasKernel = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;

interface Forward {
  y: tf.Tensor4D;
  /** Per-channel batch mean and biased variance. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

function forwardKernel(x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D, relu: boolean): Forward {
  const [y, mean, variance] = tf.engine().runKernel(
    BatchNormTrain,
    { x, scale: g, offset: b },
    { varianceEpsilon: BN_EPS, relu },
  ) as tf.Tensor[];
  return { y: y as tf.Tensor4D, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/** The forward in plain ops (any backend; what the fused kernel is tested against). */
export function forwardOps(x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D): Forward {
  const m = x.size / x.shape[3];
  const mean = tf.div(tf.sum(x, AXES), m) as tf.Tensor1D;
  const d = tf.sub(x, mean);
  const variance = tf.div(tf.sum(tf.mul(d, d), AXES), m) as tf.Tensor1D;
  const k = tf.mul(g, tf.rsqrt(tf.add(variance, BN_EPS)));
  return { y: tf.add(tf.mul(d, k), b) as tf.Tensor4D, mean, variance };
}

function backwardKernel(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  g: tf.Tensor1D,
  y?: tf.Tensor4D,
): tf.Tensor[] {
  return tf.engine().runKernel(
    BatchNormTrainGrad,
    y ? { dy, x, mean, variance, scale: g, y } : { dy, x, mean, variance, scale: g },
    { varianceEpsilon: BN_EPS },
  ) as tf.Tensor[];
}

/** [dx, dScale, dOffset] in plain ops (any backend; what the fused kernel is tested against). */
export function backwardOps(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  g: tf.Tensor1D,
): tf.Tensor[] {
  const m = x.size / x.shape[3];
  // x̂ = d·s with d = x − mean, s = 1/√(var + ε); k = γ·s.
  // dβ = Σ dy, dγ = s·Σ dy·d, dx = k·dy − k·dβ/m − d·(k·s²·Σ dy·d / m).
  const d = tf.sub(x, mean);
  const invStd = tf.rsqrt(tf.add(variance, BN_EPS));
  const dBeta = tf.sum(dy, AXES);
  const dyD = tf.sum(tf.mul(dy, d), AXES);
  const k = tf.mul(g, invStd);
  const shift = tf.mul(k, tf.div(dBeta, m));
  const slope = tf.mul(tf.mul(k, tf.square(invStd)), tf.div(dyD, m));
  const dx = tf.sub(tf.sub(tf.mul(dy, k), tf.mul(d, slope)), shift);
  return [dx, tf.mul(dyD, invStd), dBeta];
}
