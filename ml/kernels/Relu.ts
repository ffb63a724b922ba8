// Relu for float32 on the WebAssembly SIMD loop (the stock kernel calls a closure per element).
import { Relu } from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { stockKernel } from "./stock.ts";
import { type Backend, f32 } from "./util.ts";
import { wasmRuntime } from "./wasm/runtime.ts";

export function relu(args: { inputs: { x: TensorInfo }; backend: Backend }): TensorInfo {
  const { inputs: { x }, backend } = args;
  if (x.dtype !== "float32") return stockKernel(Relu)(args as never) as TensorInfo;
  const rt = wasmRuntime();
  const xv = f32(backend, x);
  rt.reset(xv);
  const xp = rt.input(xv);
  const out = rt.alloc(xv.length);
  rt.exports.relu(xp, out, xv.length);
  return backend.makeTensorInfo(x.shape, "float32", rt.output(out, xv.length));
}

export const reluConfig: KernelConfig = {
  kernelName: Relu,
  backendName: "cpu",
  kernelFunc: relu as unknown as KernelFunc,
};
