// MaxPool (NHWC, any window/strides/padding, dilations 1) as flat typed-array
// loops, channels innermost (the stock kernel walks a TensorBuffer per pixel).
import { backend_util, MaxPool } from "@tensorflow/tfjs";
import type { KernelConfig, KernelFunc, MaxPoolAttrs, MaxPoolInputs, TensorInfo } from "@tensorflow/tfjs";
import { stockKernel } from "./stock.ts";
import { type Backend, f32, isF32 } from "./util.ts";

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

export function maxPool(
  args: { inputs: MaxPoolInputs; backend: Backend; attrs: MaxPoolAttrs },
): TensorInfo {
  const { inputs: { x }, backend, attrs } = args;
  if (!isF32(x) || x.shape.length !== 4) return stockKernel(MaxPool)(args as never) as TensorInfo;
  const info = poolInfo(x, attrs);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xv = f32(backend, x);
  const out = new Float32Array(N * OH * OW * C);
  const acc = new Float32Array(C);
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const r0 = Math.max(0, oh * sh - top);
      const r1 = Math.min(H, oh * sh - top + fh);
      for (let ow = 0; ow < OW; ow++) {
        const c0 = Math.max(0, ow * sw - left);
        const c1 = Math.min(W, ow * sw - left + fw);
        acc.fill(-Infinity);
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const b = ((n * H + r) * W + c) * C;
            for (let ch = 0; ch < C; ch++) {
              const v = xv[b + ch];
              if (v > acc[ch]) acc[ch] = v;
            }
          }
        }
        out.set(acc, o);
        o += C;
      }
    }
  }
  return backend.makeTensorInfo(info.outShape, "float32", out);
}

export const maxPoolConfig: KernelConfig = {
  kernelName: MaxPool,
  backendName: "cpu",
  kernelFunc: maxPool as unknown as KernelFunc,
};
