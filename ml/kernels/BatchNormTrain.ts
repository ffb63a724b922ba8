// Batch norm's training forward as one cpu kernel (the project's own op, no
// stock counterpart; ml/models/batch_norm.ts runs plain tfjs ops where it is
// not registered): per-channel mean and biased variance of x over every axis
// but the last, then y = (x − mean) · scale / √(var + ε) + offset.
// Outputs [y, mean, variance]. Runs the SIMD loops of the wasm module on one
// copy of x in scratch, where the op chain copies every intermediate in and
// out: three fused passes (assembly/batch_norm.ts) when the channels are a
// multiple of 4, else one loop per elementwise step (sumLeading, binary).
import { util } from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import { BinaryOp } from "./broadcast.ts";
import { residentTensor } from "./resident.ts";
import { type Backend, f32 } from "./util.ts";
import { type WasmRuntime, wasmRuntime } from "./wasm/runtime.ts";

export const BatchNormTrain = "LossbenchBatchNormTrain";

export type BatchNormTrainAttrs = NamedAttrMap & {
  varianceEpsilon: number;
  /**
   * y is ReLU of the batch norm, bit for bit the Relu kernel after it; the gradient then takes
   * that y as input `y` and masks dy by step(y) first, as Relu's gradient (Step, Multiply) does.
   */
  relu?: boolean;
};

/** Throws unless every input is float32 and x has more than one value per channel. */
export function checkInputs(kernel: string, x: TensorInfo, ...rest: TensorInfo[]): number {
  if (![x, ...rest].every((t) => t.dtype === "float32")) throw new Error(`${kernel}: float32 only`);
  const c = x.shape[x.shape.length - 1];
  if (util.sizeFromShape(x.shape) < 2 * c) {
    throw new Error(`${kernel}: needs more than 1 value per channel, got shape ${x.shape}`);
  }
  return c;
}

/** Switch for the bench's lever (bench/levers.ts); off, the op-by-op loops run. */
export const bnFusion = { enabled: true };

/**
 * The forward pass over x [n / c, c] at `xp` in scratch: y's address, mean and variance. With
 * `fused` (channels a multiple of 4) three passes of the batch-norm loops; else one wasm call per
 * elementwise step. Both give the same bits (tests/kernels_batch_norm_fused.test.ts).
 */
export function trainForward(
  rt: WasmRuntime,
  xp: number,
  n: number,
  c: number,
  g: Float32Array,
  b: Float32Array,
  eps: number,
  relu = false,
  fused = bnFusion.enabled && c % 4 === 0,
): { out: number; mean: Float32Array; variance: Float32Array } {
  const rows = n / c;
  const w = rt.exports;
  const sums = rt.alloc(c);
  const read = () => rt.f32.slice(sums >> 2, (sums >> 2) + c);
  const out = rt.block(n);
  if (fused) {
    w.bnSums(xp, 0, sums, rows, c, 0);
    const mean = read().map((s) => s / rows);
    const meanP = rt.input(mean);
    w.bnSums(xp, meanP, sums, rows, c, 1);
    const variance = read().map((s) => s / rows);
    const k = variance.map((v, j) => g[j] / Math.sqrt(v + eps));
    w.bnApply(xp, meanP, rt.input(k), rt.input(b), out, rows, c, relu ? 1 : 0);
    return { out, mean, variance };
  }
  w.sumLeading(xp, sums, rows, c);
  const mean = read().map((s) => s / rows);
  const meanP = rt.input(mean);
  const d = rt.alloc(n);
  w.binary(BinaryOp.Sub, xp, meanP, d, n, c);
  w.binary(BinaryOp.Mul, d, d, out, n, n);
  w.sumLeading(out, sums, rows, c);
  const variance = read().map((s) => s / rows);
  const k = variance.map((v, j) => g[j] / Math.sqrt(v + eps));
  w.binary(BinaryOp.Mul, d, rt.input(k), out, n, c);
  w.binary(BinaryOp.Add, out, rt.input(b), out, n, c);
  if (relu) w.relu(out, out, n);
  return { out, mean, variance };
}

export function batchNormTrain(
  args: {
    inputs: { x: TensorInfo; scale: TensorInfo; offset: TensorInfo };
    backend: Backend;
    attrs: BatchNormTrainAttrs;
  },
): TensorInfo[] {
  const { inputs: { x, scale, offset }, backend, attrs } = args;
  const c = checkInputs(BatchNormTrain, x, scale, offset);
  if (util.sizeFromShape(scale.shape) !== c || util.sizeFromShape(offset.shape) !== c) {
    throw new Error(`${BatchNormTrain}: scale and offset need ${c} values`);
  }
  const n = util.sizeFromShape(x.shape);
  const rt = wasmRuntime();
  rt.reset();
  const xp = rt.input(f32(backend, x));
  // scale and offset as copies: trainForward reads them after allocating.
  const { out, mean, variance } = trainForward(
    rt,
    xp,
    n,
    c,
    f32(backend, scale).slice(),
    f32(backend, offset).slice(),
    attrs.varianceEpsilon,
    attrs.relu === true,
  );
  return [
    residentTensor(backend, x.shape, out, n),
    backend.makeTensorInfo([c], "float32", mean),
    backend.makeTensorInfo([c], "float32", variance),
  ];
}

export const batchNormTrainConfig: KernelConfig = {
  kernelName: BatchNormTrain,
  backendName: "cpu",
  kernelFunc: batchNormTrain as unknown as KernelFunc,
};
