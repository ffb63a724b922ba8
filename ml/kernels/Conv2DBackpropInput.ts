// Conv2DBackpropInput (the input gradient) on the WebAssembly SIMD kernel:
// each output pixel scatters dy·Wᵀ into a zero-padded dx, which is then cropped.
import { Conv2DBackpropInput } from "@tensorflow/tfjs-core";
import type {
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from "@tensorflow/tfjs-core";
import { isWideConv, wideConvBackpropInput } from "./conv_wide.ts";
import { stockKernel } from "./stock.ts";
import { type Backend, ceil4, f32, isF32, nhwcConvInfo, paddedConv } from "./util.ts";
import { residentTensor } from "./resident.ts";
import { wasmRuntime } from "./wasm/runtime.ts";
import { kernelThreads } from "./wasm/threads.ts";

export function conv2DBackpropInput(
  args: {
    inputs: { dy: TensorInfo; filter: TensorInfo };
    backend: Backend;
    attrs: Conv2DBackpropInputAttrs;
  },
): TensorInfo {
  const { inputs: { dy, filter }, backend, attrs } = args;
  if ((attrs.dataFormat ?? "NHWC") !== "NHWC" || !isF32(dy, filter)) {
    return stockKernel(Conv2DBackpropInput)(args as never) as TensorInfo;
  }
  const g = paddedConv(nhwcConvInfo(attrs.inputShape, filter.shape, attrs));
  const shape = [...attrs.inputShape];
  const wide = isWideConv(g) ? wideConvBackpropInput(backend, dy, filter, g, shape) : null;
  if (wide) return wide;
  const { N, H, W, Cin, Cout, KH, KW, Hp, Wp, top, left } = g;
  const K = KW * Cin;
  const Kp = ceil4(K);
  const rt = wasmRuntime();
  rt.reset();
  // Filter [KH, KW, Cin, Cout] → wt [KH, Cout, Kp], zeros past K.
  const wt = rt.alloc(KH * Cout * Kp);
  const f = rt.f32;
  const wb = wt >> 2;
  f.fill(0, wb, wb + KH * Cout * Kp);
  const w = f32(backend, filter);
  for (let kh = 0; kh < KH; kh++) {
    for (let k = 0; k < K; k++) {
      for (let co = 0; co < Cout; co++) {
        f[wb + (kh * Cout + co) * Kp + k] = w[(kh * K + k) * Cout + co];
      }
    }
  }
  const P = N * g.OH * g.OW;
  const dyp = rt.input(f32(backend, dy).subarray(0, P * Cout));
  // Uncropped, dx is the kernel's output itself: a zeroed heap block.
  const whole = Hp === H && Wp === W;
  const dxp = whole ? rt.block(N * H * W * Cin, true) : rt.zeros(N * Hp * Wp * Cin);
  const xb = dxp >> 2;
  // Split over images, whose padded regions are disjoint: unless a segment's last vector runs
  // past its row (K not a multiple of 4) and, at an image's last row, into the next image.
  const img = Hp * Wp * Cin * 4;
  const macs = P * KH * Kp * Cout;
  kernelThreads().run("conv2dBackpropInput", N, Kp === K ? 1 : N, macs, (n0, n1) => [
    dyp + n0 * g.OH * g.OW * Cout * 4,
    wt,
    dxp + n0 * img,
    n1 - n0,
    Hp,
    Wp,
    Cin,
    g.OH,
    g.OW,
    g.sh,
    g.sw,
    KH,
    Kp,
    Cout,
  ]);
  if (whole) return residentTensor(backend, shape, dxp, N * H * W * Cin);
  const dx = rt.block(N * H * W * Cin);
  const f2 = rt.f32;
  const row = W * Cin;
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      const s = xb + ((n * Hp + h + top) * Wp + left) * Cin;
      f2.copyWithin((dx >> 2) + (n * H + h) * row, s, s + row);
    }
  }
  return residentTensor(backend, shape, dx, N * H * W * Cin);
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: "cpu",
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
