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
import { type WasmRuntime, wasmRuntime } from "./wasm/runtime.ts";
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
  if (g.Cp === 4) {
    const plan = filterGradPlan(rt, g.KH, g.KW * g.Cin);
    kernelThreads().run("conv2dBackpropFilter4", plan.passes, 1, taps.KKp * 4 * P, (p0, p1) => [
      xp,
      dyp,
      taps.ptr,
      plan.ptr + p0 * 20,
      p1 - p0,
      dw,
      ...passGeometry(g),
    ]);
    return unpadTensor(rt, backend, shape, dw, taps.KK, g.Cout, g.Cp);
  }
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

/**
 * conv2dBackpropFilter4's passes (assembly/filter_grad4.ts) for KH filter rows of K taps: each
 * row's taps 4 at a time as quads (adjacent in x), three quads a pass, then the rows' last
 * K mod 4 taps four a pass. A short pass repeats its last entry.
 */
export function filterGradPlan(
  rt: WasmRuntime,
  KH: number,
  K: number,
): { ptr: number; passes: number } {
  const quads: number[] = [];
  const singles: number[] = [];
  for (let kh = 0; kh < KH; kh++) {
    let k = 0;
    for (; k + 4 <= K; k += 4) quads.push(kh * K + k);
    for (; k < K; k++) singles.push(kh * K + k);
  }
  const rows: number[][] = [];
  for (let i = 0; i < quads.length; i += 3) rows.push([1, ...fill(quads.slice(i, i + 3), 4)]);
  for (let i = 0; i < singles.length; i += 4) rows.push([0, ...fill(singles.slice(i, i + 4), 4)]);
  const ptr = rt.alloc(rows.length * 5);
  rt.i32.set(rows.flat(), ptr >> 2);
  return { ptr, passes: rows.length };
}

/** `a` padded to n entries by repeating its last. */
const fill = (a: number[], n: number) => [...a, ...Array(n - a.length).fill(a[a.length - 1])];

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: "cpu",
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
