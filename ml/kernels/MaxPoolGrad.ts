// MaxPoolGrad: each window's dy goes to its first maximum (scan order rows
// then columns, as the stock kernel picks it), accumulated where windows overlap.
import { MaxPoolGrad } from "@tensorflow/tfjs";
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, MaxPoolGradInputs, TensorInfo } from "@tensorflow/tfjs";
import { poolInfo } from "./MaxPool.ts";
import { stockKernel } from "./stock.ts";
import { type Backend, f32, isF32 } from "./util.ts";

export function maxPoolGrad(
  args: { inputs: MaxPoolGradInputs; backend: Backend; attrs: MaxPoolGradAttrs },
): TensorInfo {
  const { inputs: { dy, input }, backend, attrs } = args;
  if (!isF32(dy, input) || input.shape.length !== 4) {
    return stockKernel(MaxPoolGrad)(args as never) as TensorInfo;
  }
  const info = poolInfo(input, attrs);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xv = f32(backend, input);
  const dyv = f32(backend, dy);
  const dx = new Float32Array(N * H * W * C);
  const best = new Float32Array(C);
  const pos = new Int32Array(C);
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const r0 = Math.max(0, oh * sh - top);
      const r1 = Math.min(H, oh * sh - top + fh);
      for (let ow = 0; ow < OW; ow++) {
        const c0 = Math.max(0, ow * sw - left);
        const c1 = Math.min(W, ow * sw - left + fw);
        best.fill(-Infinity);
        pos.fill(-1);
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const b = ((n * H + r) * W + c) * C;
            for (let ch = 0; ch < C; ch++) {
              const v = xv[b + ch];
              if (v > best[ch]) {
                best[ch] = v;
                pos[ch] = b + ch;
              }
            }
          }
        }
        for (let ch = 0; ch < C; ch++) {
          if (pos[ch] >= 0) dx[pos[ch]] += dyv[o + ch];
        }
        o += C;
      }
    }
  }
  return backend.makeTensorInfo(input.shape, "float32", dx);
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: "cpu",
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
