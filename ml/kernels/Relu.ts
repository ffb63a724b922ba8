// Relu for float32 on the WebAssembly SIMD loop (the stock kernel calls a closure per element).
import { Relu, util } from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { stockKernel } from "./stock.ts";
import { type Backend, f32 } from "./util.ts";
import { residentTensor } from "./resident.ts";
import { wasmRuntime } from "./wasm/runtime.ts";

export function relu(args: { inputs: { x: TensorInfo }; backend: Backend }): TensorInfo {
  const { inputs: { x }, backend } = args;
  if (x.dtype !== "float32") return stockKernel(Relu)(args as never) as TensorInfo;
  const n = util.sizeFromShape(x.shape);
  const rt = wasmRuntime();
  rt.reset();
  const xp = rt.input(f32(backend, x));
  const out = rt.block(n);
  rt.exports.relu(xp, out, n);
  return residentTensor(backend, x.shape, out, n);
}

export const reluConfig: KernelConfig = {
  kernelName: Relu,
  backendName: "cpu",
  kernelFunc: relu as unknown as KernelFunc,
};
