// Conv2D (NHWC, any strides/padding, dilations 1) on the WebAssembly SIMD kernel.
import { backend_util, Conv2D } from "@tensorflow/tfjs-core";
import type { Conv2DAttrs, KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { isWideConv, wideConvForward } from "./conv_wide.ts";
import { stockKernel } from "./stock.ts";
import {
  type Backend,
  isF32,
  nhwcConvInfo,
  padChannels,
  paddedConv,
  padInput,
  padOut,
  passGeometry,
  tapOffsets,
  unpadTensor,
} from "./util.ts";
import { wasmRuntime } from "./wasm/runtime.ts";
import { kernelThreads } from "./wasm/threads.ts";

/**
 * conv (+ bias, + ReLU) for a channels-last, dilation-1 conv; bias has Cout values or one.
 * With `biasLast` the bias is added after the sum (bit for bit conv, then Add, then Relu, as
 * training's op path computes it); otherwise the sum starts from it (inference's fused kernel).
 */
export function convForward(
  backend: Backend,
  x: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
  bias?: Float32Array, // a JavaScript copy: read after allocations
  relu = false,
  biasLast = false,
): TensorInfo {
  const g = paddedConv(info);
  const rt = wasmRuntime();
  rt.reset();
  const xp = padInput(rt, backend, x, g);
  const taps = tapOffsets(rt, g);
  const w = padChannels(rt, backend, filter, taps.KK, g.Cout, g.Cp);
  const b = rt.alloc(g.Cp);
  rt.f32.fill(0, b >> 2, (b >> 2) + g.Cp);
  if (bias) {
    for (let c = 0; c < g.Cout; c++) rt.f32[(b >> 2) + c] = bias.length === 1 ? bias[0] : bias[c];
  }
  const P = g.N * g.OH * g.OW;
  const out = padOut(rt, P, g.Cout, g.Cp);
  const flags = (relu ? 1 : 0) | (biasLast ? 2 : 0);
  // Split over images: each output pixel is its own sum.
  const macs = P * g.Cp * g.KH * g.KW * g.Cin;
  kernelThreads().run("conv2d", g.N, 1, macs, (n0, n1) => [
    xp + n0 * g.Hp * g.Wp * g.Cin * 4,
    w,
    b,
    taps.ptr,
    out + n0 * g.OH * g.OW * g.Cp * 4,
    n1 - n0,
    ...passGeometry(g).slice(1),
    g.KH,
    g.KW,
    g.Cp,
    flags,
  ]);
  return unpadTensor(rt, backend, info.outShape, out, P, g.Cout, g.Cp);
}

/** The conv info when our kernel handles the case, else null (NCHW, dilations > 1, non-float). */
export function supportedConv(
  x: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DAttrs,
): backend_util.Conv2DInfo | null {
  if ((attrs.dataFormat ?? "NHWC") !== "NHWC" || !isF32(x, filter)) return null;
  const info = nhwcConvInfo(x.shape, filter.shape, attrs);
  return info.dilationHeight === 1 && info.dilationWidth === 1 ? info : null;
}

export function conv2D(
  args: { inputs: { x: TensorInfo; filter: TensorInfo }; backend: Backend; attrs: Conv2DAttrs },
): TensorInfo {
  const { inputs: { x, filter }, backend, attrs } = args;
  const info = supportedConv(x, filter, attrs);
  if (!info) return stockKernel(Conv2D)(args as never) as TensorInfo;
  const g = paddedConv(info);
  if (isWideConv(g)) return wideConvForward(backend, x, filter, g, info.outShape);
  return convForward(backend, x, filter, info);
}

export const conv2DConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: "cpu",
  kernelFunc: conv2D as unknown as KernelFunc,
};
