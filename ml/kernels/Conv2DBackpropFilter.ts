// Conv2DBackpropFilter (the filter gradient; ~90% of a stock training step) on
// the WebAssembly SIMD kernel: 8 taps × 4 channels of dW in registers per pass.
import { Conv2DBackpropFilter } from "@tensorflow/tfjs-core";
import type {
  Conv2DBackpropFilterAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from "@tensorflow/tfjs-core";
import { isWideFilterGrad, wideConvBackpropFilter } from "./conv_wide.ts";
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

export function conv2DBackpropFilter(
  args: {
    inputs: { x: TensorInfo; dy: TensorInfo };
    backend: Backend;
    attrs: Conv2DBackpropFilterAttrs;
  },
): TensorInfo {
  const { inputs: { x, dy }, backend, attrs } = args;
  if ((attrs.dataFormat ?? "NHWC") !== "NHWC" || !isF32(x, dy)) {
    return stockKernel(Conv2DBackpropFilter)(args as never) as TensorInfo;
  }
  const g = paddedConv(nhwcConvInfo(x.shape, attrs.filterShape, attrs));
  const shape = [...attrs.filterShape];
  if (isWideFilterGrad(g)) return wideConvBackpropFilter(backend, x, dy, g, shape);
  const rt = wasmRuntime();
  rt.reset();
  const xp = padInput(rt, backend, x, g);
  const taps = tapOffsets(rt, g);
  const P = g.N * g.OH * g.OW;
  const dyp = padChannels(rt, backend, dy, P, g.Cout, g.Cp);
  const dw = padOut(rt, taps.KKp, g.Cout, g.Cp);
  // Split over taps (rows of dw, 4 at a time): each weight's sum runs over every pixel in order.
  kernelThreads().run("conv2dBackpropFilter", taps.KKp, 4, taps.KKp * g.Cp * P, (k0, k1) => [
    xp,
    dyp,
    taps.ptr + k0 * 4,
    dw + k0 * g.Cp * 4,
    ...passGeometry(g),
    k1 - k0,
    g.Cp,
  ]);
  return unpadTensor(rt, backend, shape, dw, taps.KK, g.Cout, g.Cp);
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: "cpu",
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
