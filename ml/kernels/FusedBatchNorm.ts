// FusedBatchNorm (batch norm with given statistics: evaluation, and the
// training forward's normalisation) for float32 with per-channel or scalar
// statistics, as three passes of the SIMD loop in broadcast.ts:
// (x − mean) · (scale / √(var + ε)) + offset. The stock kernel does a modulo
// and a square root per element. Other layouts go to the stock kernel.
import { FusedBatchNorm, util } from "@tensorflow/tfjs-core";
import type {
  FusedBatchNormAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from "@tensorflow/tfjs-core";
import { BinaryOp } from "./broadcast.ts";
import { stockKernel } from "./stock.ts";
import { type Backend, f32, isF32 } from "./util.ts";
import { residentTensor } from "./resident.ts";
import { wasmRuntime } from "./wasm/runtime.ts";

interface Inputs {
  x: TensorInfo;
  mean: TensorInfo;
  variance: TensorInfo;
  scale?: TensorInfo;
  offset?: TensorInfo;
}

export function fusedBatchNorm(
  args: { inputs: Inputs; backend: Backend; attrs: FusedBatchNormAttrs },
): TensorInfo {
  const { inputs: { x, mean, variance, scale, offset }, backend, attrs } = args;
  const eps = attrs.varianceEpsilon ?? 0.001; // the stock kernel's default
  const stats = [mean, variance, scale, offset];
  const n = util.sizeFromShape(x.shape);
  const p = Math.max(...stats.map((t) => (t ? util.sizeFromShape(t.shape) : 1)));
  // Each statistic repeats with period p along x (the stock kernel's wrap-around), or is a scalar.
  const periodic = stats.every((t) => !t || [1, p].includes(util.sizeFromShape(t.shape)));
  if (!isF32(x, ...stats) || !periodic || n === 0 || n % p !== 0) {
    return stockKernel(FusedBatchNorm)(args as never) as TensorInfo;
  }
  const at = (t: TensorInfo | undefined, fill: number) => {
    const v = t ? f32(backend, t) : undefined;
    return (c: number) => (v ? v[v.length === 1 ? 0 : c] : fill);
  };
  const [m, v, s, o] = [at(mean, 0), at(variance, 1), at(scale, 1), at(offset, 0)];
  const meanP = new Float32Array(p);
  const mulP = new Float32Array(p);
  const offP = new Float32Array(p);
  for (let c = 0; c < p; c++) {
    meanP[c] = m(c);
    mulP[c] = s(c) / Math.sqrt(v(c) + eps);
    offP[c] = o(c);
  }
  const rt = wasmRuntime();
  rt.reset();
  const xp = rt.input(f32(backend, x));
  const mp = rt.input(meanP);
  const sp = rt.input(mulP);
  const op = rt.input(offP);
  const out = rt.block(n);
  rt.exports.binary(BinaryOp.Sub, xp, mp, out, n, p);
  rt.exports.binary(BinaryOp.Mul, out, sp, out, n, p);
  rt.exports.binary(BinaryOp.Add, out, op, out, n, p);
  return residentTensor(backend, x.shape, out, n);
}

export const fusedBatchNormConfig: KernelConfig = {
  kernelName: FusedBatchNorm,
  backendName: "cpu",
  kernelFunc: fusedBatchNorm as unknown as KernelFunc,
};
