// MaxPoolGrad: each window's dy goes to its first maximum (scan order rows
// then columns, as the stock kernel picks it), accumulated where windows
// overlap; a WebAssembly SIMD loop finds the maxima four channels at a time.
// Whole 2×2 / stride 2 windows take a one-pass loop (pool.ts maxPoolGrad2x2).
import { MaxPoolGrad, util } from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, TensorInfo } from "@tensorflow/tfjs-core";
import { poolArgs, poolInfo } from "./MaxPool.ts";
import { stockKernel } from "./stock.ts";
import { type Backend, f32, isF32 } from "./util.ts";
import { residentTensor } from "./resident.ts";
import { wasmRuntime } from "./wasm/runtime.ts";

export function maxPoolGrad(
  args: {
    inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
    backend: Backend;
    attrs: MaxPoolGradAttrs;
  },
): TensorInfo {
  const { inputs: { dy, input }, backend, attrs } = args;
  if (!isF32(dy, input) || input.shape.length !== 4) {
    return stockKernel(MaxPoolGrad)(args as never) as TensorInfo;
  }
  const info = poolInfo(input, attrs);
  const n = util.sizeFromShape(input.shape);
  const rt = wasmRuntime();
  rt.reset();
  const xp = rt.input(f32(backend, input));
  const dyp = rt.input(f32(backend, dy));
  if (isWhole2x2(info)) {
    // Non-overlapping whole windows: one pass that writes every element (no zeroing, no scatter).
    const dx = rt.block(n);
    const [N, H, W, C, OH, OW] = poolArgs(info);
    rt.exports.maxPoolGrad2x2(xp, dyp, dx, N, H, W, C, OH, OW, 0);
    return residentTensor(backend, input.shape, dx, n);
  }
  const dx = rt.block(n, true);
  rt.exports.maxPoolGrad(xp, dyp, dx, ...poolArgs(info));
  return residentTensor(backend, input.shape, dx, n);
}

/** A 2×2 / stride 2 pool without padding over C a multiple of 4: maxPoolGrad2x2's case. */
export function isWhole2x2(info: ReturnType<typeof poolInfo>): boolean {
  return info.filterHeight === 2 && info.filterWidth === 2 && info.strideHeight === 2 &&
    info.strideWidth === 2 && info.padInfo.top === 0 && info.padInfo.left === 0 &&
    info.inChannels % 4 === 0 && 2 * info.outHeight <= info.inHeight &&
    2 * info.outWidth <= info.inWidth;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: "cpu",
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
