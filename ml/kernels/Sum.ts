// Sum for float32 over leading axes (bias gradients: [N,H,W,C] → [C]) or
// trailing axes, without the stock kernel's transpose; float64 accumulators (SIMD for the leading case).
import { backend_util, Sum, util } from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc, SumAttrs, TensorInfo } from "@tensorflow/tfjs-core";
import { stockKernel } from "./stock.ts";
import { type Backend, f32 } from "./util.ts";
import { residentTensor } from "./resident.ts";
import { wasmRuntime } from "./wasm/runtime.ts";

export function sum(
  args: { inputs: { x: TensorInfo }; backend: Backend; attrs: SumAttrs },
): TensorInfo {
  const { inputs: { x }, backend, attrs } = args;
  const rank = x.shape.length;
  const axes = util.parseAxisParam(attrs.axis, x.shape).slice().sort((p, q) => p - q);
  const k = axes.length;
  const leading = axes.every((ax, i) => ax === i);
  const trailing = axes.every((ax, i) => ax === rank - k + i);
  if (x.dtype !== "float32" || k === 0 || !(leading || trailing)) {
    return stockKernel(Sum)(args as never) as TensorInfo;
  }
  let outShape = backend_util.computeOutAndReduceShapes(x.shape, axes)[0];
  if (attrs.keepDims) outShape = backend_util.expandShapeToKeepDim(outShape, axes);
  const m = util.sizeFromShape(outShape);
  const n = util.sizeFromShape(x.shape);
  if (leading && m > 0) {
    const rt = wasmRuntime();
    rt.reset();
    const xp = rt.input(f32(backend, x));
    const op = rt.block(m);
    rt.exports.sumLeading(xp, op, n / m, m);
    return residentTensor(backend, outShape, op, m);
  }
  const xv = f32(backend, x);
  const out = new Float32Array(m);
  if (!leading) {
    const r = m === 0 ? 0 : n / m;
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = i * r, e = j + r; j < e; j++) s += xv[j];
      out[i] = s;
    }
  }
  return backend.makeTensorInfo(outShape, "float32", out);
}

export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: "cpu",
  kernelFunc: sum as unknown as KernelFunc,
};
