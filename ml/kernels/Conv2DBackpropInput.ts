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
import { wasmRuntime } from "./wasm/runtime.ts";

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
  const wide = isWideConv(g) ? wideConvBackpropInput(backend, dy, filter, g) : null;
  if (wide) return backend.makeTensorInfo(attrs.inputShape, "float32", wide);
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
  const dyp = rt.alloc(P * Cout);
  rt.f32.set(f32(backend, dy).subarray(0, P * Cout), dyp >> 2);
  const dxp = rt.alloc(N * Hp * Wp * Cin);
  const xb = dxp >> 2;
  rt.f32.fill(0, xb, xb + N * Hp * Wp * Cin + 4);
  rt.exports.conv2dBackpropInput(
    dyp,
    wt,
    dxp,
    N,
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
  );
  let values: Float32Array;
  if (Hp === H && Wp === W) {
    values = rt.f32.slice(xb, xb + N * H * W * Cin);
  } else {
    values = new Float32Array(N * H * W * Cin);
    const row = W * Cin;
    const src = rt.f32;
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < H; h++) {
        const s = xb + ((n * Hp + h + top) * Wp + left) * Cin;
        values.set(src.subarray(s, s + row), (n * H + h) * row);
      }
    }
  }
  return backend.makeTensorInfo(attrs.inputShape, "float32", values);
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: "cpu",
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
