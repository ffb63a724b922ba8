// The gradient of BatchNormTrain (the project's own op, no stock counterpart),
// in closed form: with d = x − mean, s = 1/√(var + ε) and k = scale · s,
//   dOffset = Σ dy, dScale = s · Σ dy·d, dx = k·dy − d·(k·s²·Σ dy·d / m) − k·dOffset/m,
// sums over every axis but the last (m values each). Outputs [dx, dScale, dOffset].
// The SIMD loops of the wasm module on one copy each of dy and x in scratch: two fused passes
// (assembly/batch_norm.ts) when the channels are a multiple of 4, else one loop per step.
import { util } from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { type BatchNormTrainAttrs, bnFusion, checkInputs } from "./BatchNormTrain.ts";
import { BinaryOp } from "./broadcast.ts";
import { residentTensor } from "./resident.ts";
import { type Backend, f32 } from "./util.ts";
import { type WasmRuntime, wasmRuntime } from "./wasm/runtime.ts";

export const BatchNormTrainGrad = "LossbenchBatchNormTrainGrad";

export function batchNormTrainGrad(
  args: {
    inputs: {
      dy: TensorInfo;
      x: TensorInfo;
      mean: TensorInfo;
      variance: TensorInfo;
      scale: TensorInfo;
      /** The forward's output when it had `relu`: dy is masked by step(y) first. */
      y?: TensorInfo;
    };
    backend: Backend;
    attrs: BatchNormTrainAttrs;
  },
): TensorInfo[] {
  const { inputs: { dy, x, mean, variance, scale, y }, backend, attrs } = args;
  const c = checkInputs(BatchNormTrainGrad, x, dy, mean, variance, scale, ...(y ? [y] : []));
  for (const t of y ? [dy, y] : [dy]) {
    if (!util.arraysEqual(t.shape, x.shape)) {
      throw new Error(`${BatchNormTrainGrad}: ${t.shape} and x ${x.shape} differ`);
    }
  }
  for (const t of [mean, variance, scale]) {
    if (util.sizeFromShape(t.shape) !== c) {
      throw new Error(`${BatchNormTrainGrad}: statistics and scale need ${c} values`);
    }
  }
  const n = util.sizeFromShape(x.shape);
  const rt = wasmRuntime();
  rt.reset();
  let dyp = rt.input(f32(backend, dy));
  const xp = rt.input(f32(backend, x));
  if (y) {
    // ReLU's gradient dy · step(y), bit for bit Step then Multiply.
    const masked = rt.alloc(n);
    rt.exports.reluGrad(dyp, rt.input(f32(backend, y)), masked, n);
    dyp = masked;
  }
  const { out, dScale, dOffset } = trainBackward(
    rt,
    dyp,
    xp,
    n,
    c,
    // Copies: trainBackward reads them after allocating.
    f32(backend, mean).slice(),
    f32(backend, variance).slice(),
    f32(backend, scale).slice(),
    attrs.varianceEpsilon,
  );
  return [
    residentTensor(backend, x.shape, out, n),
    backend.makeTensorInfo([c], "float32", dScale),
    backend.makeTensorInfo([c], "float32", dOffset),
  ];
}

/**
 * The gradient over dy and x [n / c, c] at `dyp`, `xp` in scratch: dx's address, dScale and
 * dOffset. With `fused` (channels a multiple of 4) two passes of the batch-norm loops; else one
 * wasm call per elementwise step. Both give the same bits (tests/kernels_batch_norm_fused.test.ts).
 */
export function trainBackward(
  rt: WasmRuntime,
  dyp: number,
  xp: number,
  n: number,
  c: number,
  mean: Float32Array,
  vv: Float32Array,
  g: Float32Array,
  eps: number,
  fused = bnFusion.enabled && c % 4 === 0,
): { out: number; dScale: Float32Array; dOffset: Float32Array } {
  const rows = n / c;
  const w = rt.exports;
  const meanP = rt.input(mean);
  const out = rt.block(n);
  const sums = rt.alloc(c);
  const read = () => rt.f32.slice(sums >> 2, (sums >> 2) + c);
  const s = vv.map((v) => 1 / Math.sqrt(v + eps));
  const k = s.map((sj, j) => g[j] * sj);
  if (fused) {
    const sums2 = rt.alloc(c);
    w.bnGradSums(dyp, xp, meanP, sums, sums2, rows, c);
    const sumDy = read();
    const sumDyD = rt.f32.slice(sums2 >> 2, (sums2 >> 2) + c);
    const slope = k.map((kj, j) => (kj * s[j] * s[j] * sumDyD[j]) / rows);
    const shift = k.map((kj, j) => (kj * sumDy[j]) / rows);
    w.bnGradApply(dyp, xp, meanP, rt.input(k), rt.input(slope), rt.input(shift), out, rows, c);
    return { out, dScale: sumDyD.map((v, j) => v * s[j]), dOffset: sumDy };
  }
  const d = rt.alloc(n);
  w.binary(BinaryOp.Sub, xp, meanP, d, n, c);
  w.sumLeading(dyp, sums, rows, c);
  const sumDy = read();
  w.binary(BinaryOp.Mul, dyp, d, out, n, n);
  w.sumLeading(out, sums, rows, c);
  const sumDyD = read();
  const slope = k.map((kj, j) => (kj * s[j] * s[j] * sumDyD[j]) / rows);
  const shift = k.map((kj, j) => (kj * sumDy[j]) / rows);
  w.binary(BinaryOp.Mul, dyp, rt.input(k), out, n, c);
  w.binary(BinaryOp.Mul, d, rt.input(slope), d, n, c);
  w.binary(BinaryOp.Sub, out, d, out, n, n);
  w.binary(BinaryOp.Sub, out, rt.input(shift), out, n, c);
  return { out, dScale: sumDyD.map((v, j) => v * s[j]), dOffset: sumDy };
}

export const batchNormTrainGradConfig: KernelConfig = {
  kernelName: BatchNormTrainGrad,
  backendName: "cpu",
  kernelFunc: batchNormTrainGrad as unknown as KernelFunc,
};
