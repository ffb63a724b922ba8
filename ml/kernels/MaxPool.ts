// MaxPool (NHWC, any window/strides/padding, dilations 1) on a WebAssembly
// SIMD loop over channel vectors (the stock kernel walks a TensorBuffer per pixel).
import { backend_util, MaxPool } from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc, MaxPoolAttrs, TensorInfo } from "@tensorflow/tfjs-core";
import { stockKernel } from "./stock.ts";
import { type Backend, f32, isF32 } from "./util.ts";
import { residentTensor } from "./resident.ts";
import { wasmRuntime } from "./wasm/runtime.ts";

export function poolInfo(x: TensorInfo, attrs: MaxPoolAttrs): backend_util.Conv2DInfo {
  return backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}

/** The wasm pooling kernels' geometry arguments after (x, out). */
export function poolArgs(info: backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.filterHeight,
    info.filterWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

export function maxPool(
  args: { inputs: { x: TensorInfo }; backend: Backend; attrs: MaxPoolAttrs },
): TensorInfo {
  const { inputs: { x }, backend, attrs } = args;
  if (!isF32(x) || x.shape.length !== 4) return stockKernel(MaxPool)(args as never) as TensorInfo;
  const info = poolInfo(x, attrs);
  const rt = wasmRuntime();
  rt.reset();
  const xp = rt.input(f32(backend, x));
  const n = info.batchSize * info.outHeight * info.outWidth * info.inChannels;
  const out = rt.block(n);
  rt.exports.maxPool(xp, out, ...poolArgs(info));
  return residentTensor(backend, info.outShape, out, n);
}

export const maxPoolConfig: KernelConfig = {
  kernelName: MaxPool,
  backendName: "cpu",
  kernelFunc: maxPool as unknown as KernelFunc,
};
