// MaxPoolGrad: each window's dy goes to its first maximum (scan order rows
// then columns, as the stock kernel picks it), accumulated where windows
// overlap; a WebAssembly SIMD loop finds the maxima four channels at a time.
import { MaxPoolGrad } from "@tensorflow/tfjs";
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, TensorInfo } from "@tensorflow/tfjs";
import { poolArgs, poolInfo } from "./MaxPool.ts";
import { stockKernel } from "./stock.ts";
import { type Backend, f32, isF32 } from "./util.ts";
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
  const rt = wasmRuntime();
  rt.reset();
  const xv = f32(backend, input);
  const xp = rt.input(xv);
  const dyp = rt.input(f32(backend, dy));
  const dx = rt.zeros(xv.length);
  rt.exports.maxPoolGrad(xp, dyp, dx, ...poolArgs(info));
  return backend.makeTensorInfo(input.shape, "float32", rt.output(dx, xv.length));
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: "cpu",
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
